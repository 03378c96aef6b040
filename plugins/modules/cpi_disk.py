#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_disk
short_description: Persistent disks through the CPI - create, resize, attach, detach, snapshot, delete
version_added: 0.1.0
description:
  - Converges one persistent disk, found by O(cid) or by O(name) (its C(caas_name) metadata).
  - A disk attached to a VM is never deleted; detach it first with O(state=detached).
  - Growing O(size) resizes the disk and its file system, online when it is attached. Shrinking is refused.
  - O(snapshot_name) takes one snapshot per name, so asking again for the same name changes nothing.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  name:
    description: The disk's name (its C(caas_name) metadata). One of O(name) and O(cid) is required.
    type: str
  cid:
    description: The disk's cloud id.
    type: str
  state:
    description: Desired state of the disk.
    type: str
    choices: [present, absent, attached, detached]
    default: present
  size:
    description: Size in MiB. Required to create; a larger value grows the disk.
    type: int
  cloud_properties:
    description: Provider-specific disk properties (for LXC, C(mount_point), default C(/var/vcap/store)).
    type: dict
    default: {}
  metadata:
    description: Metadata merged into the disk's (C(caas_cluster), C(caas_vm), ...).
    type: dict
    default: {}
  vm_cid:
    description: The VM to attach to (O(state=attached)), or to detach from (O(state=detached)).
    type: str
  snapshot_name:
    description: Take a snapshot with this name unless one exists.
    type: str
'''

EXAMPLES = r'''
- name: A 2 GiB persistent disk attached to a worker
  ondemand.caas.cpi_disk:
    name: demo-worker-0-store
    size: 2048
    metadata: {caas_cluster: demo}
    state: attached
    vm_cid: "{{ worker.vm.cid }}"

- name: Grow it to 4 GiB, online
  ondemand.caas.cpi_disk:
    name: demo-worker-0-store
    size: 4096

- name: Keep a copy before an upgrade
  ondemand.caas.cpi_disk:
    name: demo-worker-0-store
    snapshot_name: before-upgrade
'''

RETURN = r'''
disk:
  description: The disk after the change (null when absent).
  returned: always
  type: dict
  contains:
    cid: {description: Cloud id of the disk., type: str, returned: success}
    size_mb: {description: Size in MiB., type: int, returned: success}
    vm_cid: {description: "The VM it is attached to, or null.", type: str, returned: success}
    hint: {description: Where the guest finds the disk when attached., type: dict, returned: success}
    metadata: {description: Metadata of the disk., type: dict, returned: success}
    snapshots: {description: Cids of the disk's snapshots., type: list, elements: str, returned: success}
hint:
  description: Disk hint returned by attach_disk.
  returned: when the disk was attached by this task
  type: dict
snapshot_cid:
  description: Cid of the snapshot named O(snapshot_name).
  returned: when snapshot_name is given
  type: str
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import disk
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    module = cpi_module(dict(
        name=dict(type="str"),
        cid=dict(type="str"),
        state=dict(type="str", choices=["present", "absent", "attached", "detached"], default="present"),
        size=dict(type="int"),
        cloud_properties=dict(type="dict", default={}),
        metadata=dict(type="dict", default={}),
        vm_cid=dict(type="str"),
        snapshot_name=dict(type="str"),
    ), required_one_of=[("name", "cid")], required_if=[("state", "attached", ("vm_cid",))])
    run_module(module, disk)


if __name__ == "__main__":
    main()
