# -*- coding: utf-8 -*-
"""The provider-independent CPI lifecycle suite, modelled on BOSH's CPI lifecycle specs.

``run_lifecycle(harness)`` drives one provider through every verb. A harness supplies:
``cloud`` (a ``cloud.Cloud``), ``stemcell_cid``, ``networks(index)`` (a BOSH networks hash for
VM number ``index``), and ``write_marker(vm_cid, disk_cid, text)`` / ``read_marker(vm_cid, disk_cid)``
that put data on the persistent disk and read it back the way that provider's guest would.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import DiskNotAttached, VMNotFound


def run_lifecycle(harness):
    cloud = harness.cloud
    info = cloud.info()
    assert info["api_version"] == 2 and info["stemcell_formats"]

    tags = {"caas_cluster": "lifecycle", "caas_role": "worker", "caas_index": "0", "caas_name": "lifecycle-0"}
    vm_cid, networks = cloud.create_vm("agent-lifecycle", harness.stemcell_cid, {"cpu": 1, "ram": 512},
                                       harness.networks(0), [], {"bosh": {"tags": tags}})
    assert cloud.has_vm(vm_cid)
    assert all(net.get("ip") for net in networks.values())
    cloud.set_vm_metadata(vm_cid, {"caas_ip": list(networks.values())[0]["ip"]})
    assert cloud.vm_record(vm_cid)["metadata"]["caas_ip"] == list(networks.values())[0]["ip"]

    disk_cid = cloud.create_disk(64, {}, vm_cid)
    assert cloud.has_disk(disk_cid)
    cloud.set_disk_metadata(disk_cid, {"caas_vm": "lifecycle-0"})
    hint = cloud.attach_disk(vm_cid, disk_cid)
    assert hint
    assert cloud.get_disks(vm_cid) == [disk_cid]
    harness.write_marker(vm_cid, disk_cid, "data written before the VM was lost")
    cloud.detach_disk(vm_cid, disk_cid)
    assert cloud.get_disks(vm_cid) == []
    with pytest.raises(DiskNotAttached):
        cloud.detach_disk(vm_cid, disk_cid)

    # The VM dies with its disk attached: the disk must survive.
    cloud.attach_disk(vm_cid, disk_cid)
    cloud.delete_vm(vm_cid)
    assert not cloud.has_vm(vm_cid)
    assert cloud.has_disk(disk_cid)
    with pytest.raises(VMNotFound):
        cloud.delete_vm(vm_cid)

    new_vm_cid, _ = cloud.create_vm("agent-lifecycle", harness.stemcell_cid, {"cpu": 1, "ram": 512},
                                    harness.networks(0), [disk_cid], {"bosh": {"tags": tags}})
    cloud.attach_disk(new_vm_cid, disk_cid)
    assert harness.read_marker(new_vm_cid, disk_cid) == "data written before the VM was lost"

    cloud.resize_disk(disk_cid, 128)
    assert cloud.disk_record(disk_cid)["size_mb"] == 128
    assert harness.read_marker(new_vm_cid, disk_cid) == "data written before the VM was lost"

    snapshot_cid = cloud.snapshot_disk(disk_cid, {"caas_name": "lifecycle-snap"})
    assert [s["cid"] for s in cloud.list_snapshots(disk_cid)] == [snapshot_cid]
    cloud.delete_snapshot(snapshot_cid)
    assert cloud.list_snapshots(disk_cid) == []

    cloud.reboot_vm(new_vm_cid)
    assert cloud.get_disks(new_vm_cid) == [disk_cid]
    assert harness.read_marker(new_vm_cid, disk_cid) == "data written before the VM was lost"

    cloud.delete_vm(new_vm_cid)
    cloud.delete_disk(disk_cid)
    assert not cloud.has_vm(new_vm_cid)
    assert not cloud.has_disk(disk_cid)
