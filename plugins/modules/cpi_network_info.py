#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_network_info
short_description: List the segments a provider manages
version_added: 0.1.0
description:
  - Lists the segments (for LXC, bridges with NAT) the provider created, with their range, gateway and the cloud
    properties they were created with, so plans can be rebuilt from the IaaS on any controller.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  name:
    description: Only the segment of this name.
    type: str
'''

EXAMPLES = r'''
- name: Every segment of this controller's provider
  ondemand.caas.cpi_network_info:
  register: segments
'''

RETURN = r'''
networks:
  description: Segments with C(cid), C(name), C(range), C(gateway) and C(cloud_properties).
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import network_info
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    run_module(cpi_module(dict(name=dict(type="str"))), network_info)


if __name__ == "__main__":
    main()
