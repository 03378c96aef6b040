# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The vsphere harness of the shared CPI lifecycle suite (tests/integration/cpi/lifecycle.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud

MARKER = re.compile(r"^# caas-marker: (.*)$", re.M)


class VsphereHarness:
    """``cloud``, a stemcell, networks and guest-data probes for the vsphere provider on vcsim.

    vcsim has no guest OS, so ``write_marker``/``read_marker`` act on the closest real thing: the
    disk's backing file ``caas_disks/<cid>.vmdk`` in the real directory vcsim uses for the datastore
    (a comment line in the VMDK descriptor, which vcsim never rewrites). They prove that the same
    backing file stays with the disk cid across detach, VM deletion and re-attach to another VM, and
    that delete_vm did not delete it; they do not prove that a guest can read the blocks.
    """

    def __init__(self, sim, datacenter="DC0", cluster="DC0_C0", datastore="LocalDS_0",
                 network="VM Network", source_vm=None, **settings):
        self.sim = sim
        self.datacenter, self.datastore, self.network = datacenter, datastore, network
        self.cloud = Cloud("vsphere", sim.settings(vsphere_datacenter=datacenter, vsphere_cluster=cluster,
                                                   vsphere_datastore=datastore, **settings))
        self.stemcell_cid = self.cloud.create_stemcell(None, {
            "name": "bosh-vsphere-esxi-ubuntu", "version": "1",
            "source_vm": source_vm or "%s/vm/%s_H0_VM0" % (datacenter, datacenter)})

    def networks(self, index):
        return {"default": {"type": "manual", "ip": "10.20.0.%d" % (10 + index), "netmask": "255.255.255.0",
                            "gateway": "10.20.0.1", "default": ["dns", "gateway"],
                            "cloud_properties": {"name": self.network}}}

    def _vmdk(self, disk_cid):
        return os.path.join(self.sim.datastore_dir(self.datastore, self.datacenter), "caas_disks", disk_cid + ".vmdk")

    def write_marker(self, vm_cid, disk_cid, text):
        assert disk_cid in self.cloud.get_disks(vm_cid), "the marker is written through an attached disk"
        path = self._vmdk(disk_cid)
        with open(path) as handle:
            content = MARKER.sub("", handle.read()).rstrip("\n")
        with open(path, "w") as handle:
            handle.write("%s\n# caas-marker: %s\n" % (content, text))

    def read_marker(self, vm_cid, disk_cid):
        assert disk_cid in self.cloud.get_disks(vm_cid), "the marker is read through an attached disk"
        with open(self._vmdk(disk_cid)) as handle:
            found = MARKER.search(handle.read())
        return found.group(1) if found else None

    def close(self):
        try:
            self.cloud.delete_stemcell(self.stemcell_cid)
        finally:
            self.cloud.close()
