#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_disk_info
short_description: Find persistent disks by cid, name, VM or metadata
version_added: 0.1.0
description:
  - Lists the persistent disks the provider manages that match every given filter.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  cid:
    description: A disk's cloud id.
    type: str
  name:
    description: A disk's name (C(caas_name) metadata).
    type: str
  vm_cid:
    description: Only disks attached to this VM.
    type: str
  metadata:
    description: "Metadata every returned disk carries, for example C({caas_cluster: demo})."
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Disks of the demo cluster that no VM uses
  ondemand.caas.cpi_disk_info:
    metadata: {caas_cluster: demo}
  register: demo_disks
'''

RETURN = r'''
disks:
  description: Matching disks, with cid, size_mb, vm_cid, hint, metadata and snapshots.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import disk_info
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    run_module(cpi_module(dict(
        cid=dict(type="str"),
        name=dict(type="str"),
        vm_cid=dict(type="str"),
        metadata=dict(type="dict", default={}),
    )), disk_info)


if __name__ == "__main__":
    main()
