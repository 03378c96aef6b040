# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Provider selection and the LXC provider's settings (mirrors plugins/module_utils/cpi/lxc.py settings_spec).
    DOCUMENTATION = r'''
options:
  provider:
    description:
      - The IaaS behind the CPI.
      - C(lxc) is the embedded default (LXC system containers on this machine); C(vsphere) drives vCenter.
      - Set it once for many tasks with C(module_defaults) on C(group/ondemand.caas.cpi).
      - If not set, the environment variable E(CAAS_PROVIDER) is used.
    type: str
    choices: [lxc, vsphere]
    default: lxc
  lxc_state_dir:
    description:
      - Where the LXC provider keeps its records, containers, stemcells and disk images.
      - If not set, the environment variable E(CAAS_LXC_STATE_DIR) is used.
    type: path
    default: /var/lib/ondemand-caas/lxc
notes:
  - The modules run on the controller (or an execution environment) and talk to the IaaS from there;
    use them in a play on C(localhost) or delegate them to it.
requirements:
  - LXC 5 and debootstrap on the controller for O(provider=lxc).
  - pyvmomi >= 8 for O(provider=vsphere).
'''

    # The vSphere provider's settings (mirrors plugins/module_utils/cpi/vsphere.py settings_spec).
    VSPHERE = r'''
options:
  vsphere_hostname:
    description:
      - vCenter or ESXi host name.
      - If not set, the environment variable E(VMWARE_HOST) is used.
    type: str
  vsphere_username:
    description:
      - vSphere user name.
      - If not set, the environment variable E(VMWARE_USER) is used.
    type: str
  vsphere_password:
    description:
      - vSphere password.
      - If not set, the environment variable E(VMWARE_PASSWORD) is used.
    type: str
  vsphere_port:
    description:
      - vSphere API port.
      - If not set, the environment variable E(VMWARE_PORT) is used.
    type: int
    default: 443
  vsphere_validate_certs:
    description:
      - Validate the vCenter TLS certificate.
      - If not set, the environment variable E(VMWARE_VALIDATE_CERTS) is used.
    type: bool
    default: true
  vsphere_datacenter:
    description:
      - Datacenter (the only one when unset).
      - If not set, the environment variable E(CAAS_VSPHERE_DATACENTER) is used.
    type: str
  vsphere_cluster:
    description:
      - Compute cluster (the first one when unset).
      - If not set, the environment variable E(CAAS_VSPHERE_CLUSTER) is used.
    type: str
  vsphere_datastore:
    description:
      - Datastore for VMs and persistent disks (the emptiest when unset).
      - If not set, the environment variable E(CAAS_VSPHERE_DATASTORE) is used.
    type: str
  vsphere_resource_pool:
    description:
      - Resource pool path under the cluster (its root pool when unset).
      - If not set, the environment variable E(CAAS_VSPHERE_RESOURCE_POOL) is used.
    type: str
  vsphere_folder:
    description:
      - VM folder (under the datacenter's vm folder) holding everything.
      - If not set, the environment variable E(CAAS_VSPHERE_FOLDER) is used.
    type: str
    default: caas
'''

    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the IaaS.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  action_group:
    description: Use C(group/ondemand.caas.cpi) in C(module_defaults) to set provider options once.
    support: full
    membership:
      - ondemand.caas.cpi
'''
