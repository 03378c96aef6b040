# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: cpi
short_description: Cluster VMs read from the IaaS through the CPI
version_added: 0.1.0
description:
  - Builds the inventory of every ondemand.caas cluster from the IaaS itself (the IaaS is the source of truth);
    it lists the VMs through the CPI (C(list_vms)) and keeps those that carry C(caas_cluster) metadata.
  - "Groups: C(cluster_<name>) for each cluster, C(<name>_masters), C(<name>_workers) and C(<name>_registry) by
    C(caas_role). A C(-) in a cluster name becomes C(_) in group names (C(my-k8s) gives C(cluster_my_k8s))."
  - "Host variables: C(ansible_host) (the first IP), C(ansible_user), C(caas_cluster), C(caas_role), C(caas_index)
    (an integer), C(caas_name), C(caas_ip), C(caas_vm_cid), C(caas_vm_state) (C(running), C(stopped) or C(missing)),
    C(caas_disks) (the attached persistent disks as C({cid, size_mb, name}))."
  - The file must end in C(cpi.yml) or C(cpi.yaml) and set O(plugin=ondemand.caas.cpi).
  - Provider options set in the file win over environment variables, which win over defaults, as for the C(cpi_*)
    modules; an AWX credential type injects the environment variables (C(VMWARE_*)).
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - constructed
options:
  plugin:
    description: Marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [ondemand.caas.cpi]
  clusters:
    description: Only these clusters (all when empty).
    type: list
    elements: str
    default: []
  ssh_user:
    description: C(ansible_user) of every VM (the CPI puts the SSH keys of O(ssh_user) in the VMs it creates).
    type: str
    default: root
  ssh_private_key_file:
    description: C(ansible_ssh_private_key_file) of every VM; unset leaves SSH to its own defaults.
    type: path
'''

EXAMPLES = r'''
# inventories/local/cpi.yml holds every cluster on this machine's LXC provider with one line:
#   plugin: ondemand.caas.cpi
# inventories/vsphere/cpi.yml: one cluster in vCenter; credentials come from VMWARE_HOST/USER/PASSWORD
plugin: ondemand.caas.cpi
provider: vsphere
vsphere_datacenter: DC0
vsphere_folder: caas
clusters: [prod]
keyed_groups:
  - key: caas_vm_state
    prefix: state
'''

import os

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CpiError
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.providers import all_settings, settings_from_environment

ROLES = ("master", "worker", "registry")
ROLE_GROUPS = {"master": "masters", "worker": "workers", "registry": "registry"}


def group_name(text):
    return text.replace("-", "_").replace(".", "_")


def provider_settings(config, environ=None):
    """Provider and settings: an option in the file, else its environment variable, else the default."""
    environ = os.environ if environ is None else environ
    settings = settings_from_environment(environ)
    for setting in all_settings():
        if config.get(setting.name) is not None:
            settings[setting.name] = config[setting.name]
    provider = config.get("provider") or environ.get("CAAS_PROVIDER") or "lxc"
    return provider, settings


def cluster_hosts(vms, disks, clusters=()):
    """Inventory entries ``(name, hostvars)`` of the VMs that belong to a cluster, sorted by cluster, role, index."""
    disks_by_cid = dict((d["cid"], d) for d in disks)
    hosts = []
    for vm in vms:
        metadata = vm.get("metadata") or {}
        cluster = metadata.get("caas_cluster")
        if not cluster or (clusters and cluster not in clusters):
            continue
        name = metadata.get("caas_name") or vm.get("name") or vm["cid"]
        ips = list(vm.get("ips") or [])
        ip = metadata.get("caas_ip") or (ips[0] if ips else None)
        try:
            index = int(metadata.get("caas_index", 0))
        except (TypeError, ValueError):
            index = 0
        attached = []
        for cid in vm.get("disks") or []:
            disk = disks_by_cid.get(cid, {})
            attached.append({"cid": cid, "size_mb": disk.get("size_mb"),
                             "name": (disk.get("metadata") or {}).get("caas_name")})
        hosts.append((name, {
            "ansible_host": ips[0] if ips else ip,
            "caas_cluster": cluster,
            "caas_role": metadata.get("caas_role"),
            "caas_index": index,
            "caas_name": name,
            "caas_ip": ip,
            "caas_vm_cid": vm["cid"],
            "caas_vm_state": vm.get("state"),
            "caas_disks": attached,
        }))
    hosts.sort(key=lambda h: (h[1]["caas_cluster"], str(h[1]["caas_role"]), h[1]["caas_index"], h[0]))
    return hosts


class InventoryModule(BaseInventoryPlugin, Constructable):

    NAME = "ondemand.caas.cpi"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(("cpi.yml", "cpi.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        provider, settings = provider_settings(config)
        cloud = None
        try:
            cloud = Cloud(provider, settings)
            vms = cloud.list_vms()
            disks = cloud.list_disks() if any(vm.get("disks") for vm in vms) else []
        except CpiError as exc:
            raise AnsibleParserError("ondemand.caas.cpi: cannot list the VMs of provider %s: %s" % (provider, exc.message))
        except Exception as exc:
            raise AnsibleParserError("ondemand.caas.cpi: cannot list the VMs of provider %s: %s" % (provider, to_native(exc)))
        finally:
            if cloud:
                cloud.close()
        self._populate(cluster_hosts(vms, disks, self.get_option("clusters") or ()))

    def _populate(self, hosts):
        strict = self.get_option("strict")
        for name, hostvars in hosts:
            cluster = group_name(hostvars["caas_cluster"])
            self.inventory.add_host(name)
            self.inventory.add_group("cluster_%s" % cluster)
            self.inventory.add_host(name, group="cluster_%s" % cluster)
            if hostvars["caas_role"] in ROLE_GROUPS:
                role_group = "%s_%s" % (cluster, ROLE_GROUPS[hostvars["caas_role"]])
                self.inventory.add_group(role_group)
                self.inventory.add_host(name, group=role_group)
            hostvars = dict(hostvars, ansible_user=self.get_option("ssh_user"))
            if self.get_option("ssh_private_key_file"):
                hostvars["ansible_ssh_private_key_file"] = self.get_option("ssh_private_key_file")
            for key, value in hostvars.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)
