#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_vm
short_description: Create, delete and restart VMs through the CPI, keeping their persistent disks
version_added: 0.1.0
description:
  - Converges one VM, found by its O(name) (the C(caas_name) metadata, within C(caas_cluster) when given).
  - O(state=present) creates the VM from a stemcell on the given networks, attaches O(persistent_disks) and waits
    until SSH answers; on an existing VM it only merges metadata, attaches missing disks and starts it when it is
    stopped.
  - A VM that is still recorded but gone from the IaaS (deleted out of band, lost host) is recreated with the same
    IPs and disks.
  - O(state=absent) detaches every persistent disk, then deletes the VM. Disks are never deleted with a VM.
  - O(state=recreated) deletes the VM (detaching its disks) and creates it again with the same name, IPs,
    metadata and persistent disks, from O(stemcell_cid) when given (an upgrade) or from its own stemcell (a heal).
  - BOSH CPI v2 verbs used are C(create_vm), C(delete_vm), C(reboot_vm), C(set_vm_metadata), C(attach_disk).
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  name:
    description: The VM's name; also its hostname and its C(caas_name) metadata.
    type: str
    required: true
  state:
    description: Desired state of the VM.
    type: str
    choices: [present, absent, restarted, recreated]
    default: present
  stemcell_cid:
    description: The stemcell to create the VM from (see M(ondemand.caas.cpi_stemcell)). Required to create.
    type: str
  networks:
    description: NICs of the VM, in order; the first carries the default gateway.
    type: list
    elements: dict
    suboptions:
      name:
        description: The network's name in the VM's settings.
        type: str
        required: true
      segment:
        description: The segment (port group, NSX-T segment or Linux bridge) to connect to; defaults to O(networks[].name).
        type: str
      ip:
        description: Static IP; when omitted the provider picks a free one.
        type: str
  cloud_properties:
    description: Provider-specific VM properties, for example C(cpu) and C(ram) (MiB).
    type: dict
    default: {}
  metadata:
    description: Metadata merged into the VM's (C(caas_cluster), C(caas_role), C(caas_index), ...).
    type: dict
    default: {}
  persistent_disks:
    description: Cids of persistent disks that must be attached to the VM.
    type: list
    elements: str
    default: []
  ssh_authorized_keys:
    description: Public keys allowed to log in as root.
    type: list
    elements: str
    default: []
  environment:
    description: Extra settings handed to the VM (the BOSH C(env) hash).
    type: dict
    default: {}
  agent_id:
    description: Agent id written to the VM's settings; defaults to O(name).
    type: str
  delete_persistent_disks:
    description:
      - With O(state=absent), also delete the VM's persistent disks once they are detached from it.
      - Off by default, so a persistent disk is never deleted as a side effect of deleting a VM.
    type: bool
    default: false
  wait_for_ssh:
    description: Wait until the VM answers on SSH before returning.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for SSH.
    type: int
    default: 120
'''

EXAMPLES = r'''
- name: A worker VM with its persistent disk
  ondemand.caas.cpi_vm:
    name: demo-worker-0
    stemcell_cid: "{{ stemcell.stemcell.cid }}"
    networks:
      - name: default
        segment: caas-demo
        ip: 10.244.0.20
    cloud_properties: {cpu: 2, ram: 2048}
    metadata: {caas_cluster: demo, caas_role: worker, caas_index: "0"}
    persistent_disks: ["{{ disk.disk.cid }}"]
    ssh_authorized_keys: ["{{ lookup('file', '~/.ssh/id_ed25519.pub') }}"]

- name: Delete it; its persistent disk is detached and kept
  ondemand.caas.cpi_vm:
    name: demo-worker-0
    state: absent
'''

RETURN = r'''
vm:
  description: The VM after the change (null when absent).
  returned: always
  type: dict
  contains:
    cid: {description: Cloud id of the VM., type: str, returned: success}
    name: {description: Name of the VM., type: str, returned: success}
    state: {description: "Power state: running, stopped or missing.", type: str, returned: success}
    ips: {description: IP addresses., type: list, elements: str, returned: success}
    networks: {description: Networks as create_vm returned them., type: dict, returned: success}
    metadata: {description: Metadata of the VM., type: dict, returned: success}
    disks: {description: Cids of attached persistent disks., type: list, elements: str, returned: success}
disk_hints:
  description: Where the guest finds each newly attached disk, by disk cid.
  returned: when present
  type: dict
detached_disks:
  description: Persistent disks detached (and kept) when the VM was deleted.
  returned: when state is absent
  type: list
  elements: str
deleted_disks:
  description: Persistent disks deleted after the VM, when O(delete_persistent_disks) was set.
  returned: when state is absent
  type: list
  elements: str
replaced_cid:
  description: Cid of a recorded but missing VM that was recreated in its place.
  returned: when a VM was created
  type: str
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import vm
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    module = cpi_module(dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent", "restarted", "recreated"], default="present"),
        stemcell_cid=dict(type="str"),
        networks=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            segment=dict(type="str"),
            ip=dict(type="str"),
        )),
        cloud_properties=dict(type="dict", default={}),
        metadata=dict(type="dict", default={}),
        persistent_disks=dict(type="list", elements="str", default=[]),
        ssh_authorized_keys=dict(type="list", elements="str", default=[], no_log=False),
        environment=dict(type="dict", default={}),
        agent_id=dict(type="str"),
        delete_persistent_disks=dict(type="bool", default=False),
        wait_for_ssh=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
    ))
    run_module(module, vm)


if __name__ == "__main__":
    main()
