#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_vm_info
short_description: Find VMs by cid, name or metadata
version_added: 0.1.0
description:
  - Lists the VMs the provider manages that match every given filter, with their power state
    (C(running), C(stopped), or C(missing) when recorded but gone from the IaaS).
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  cid:
    description: A VM's cloud id.
    type: str
  name:
    description: A VM's name (C(caas_name) metadata).
    type: str
  metadata:
    description: "Metadata every returned VM carries, for example C({caas_cluster: demo})."
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Every VM of the demo cluster
  ondemand.caas.cpi_vm_info:
    metadata: {caas_cluster: demo}
  register: demo
'''

RETURN = r'''
vms:
  description: Matching VMs, with cid, name, state, ips, networks, metadata and disks.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import vm_info
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    run_module(cpi_module(dict(
        cid=dict(type="str"),
        name=dict(type="str"),
        metadata=dict(type="dict", default={}),
    )), vm_info)


if __name__ == "__main__":
    main()
