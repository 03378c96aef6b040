#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_network
short_description: Create or delete a segment (a Linux bridge with NAT on the embedded default)
version_added: 0.1.0
description:
  - BOSH CPI v2 C(create_network) and C(delete_network), idempotent.
  - For the LXC provider a segment is a Linux bridge holding the gateway address, NATed out through the host and
    kept from reaching other private networks (other clusters' segments included), as an NSX-T tier-1 would.
  - Re-applying an existing segment restores its bridge and NAT rules if the host lost them, and reports no change.
  - A segment that still has VMs is not deleted.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  name:
    description: Segment name (for LXC, the bridge name; 1-15 characters of a-z, 0-9 and -).
    type: str
    required: true
  range:
    description: The segment's subnet in CIDR form. Required to create.
    type: str
  gateway:
    description: The gateway address in O(range); defaults to its first address.
    type: str
  cloud_properties:
    description: Provider-specific properties.
    type: dict
    default: {}
  state:
    description: Desired state of the segment.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The demo cluster's segment
  ondemand.caas.cpi_network:
    name: caas-demo
    range: 10.244.0.0/24
    gateway: 10.244.0.1
'''

RETURN = r'''
network:
  description: The segment (null when absent).
  returned: always
  type: dict
  contains:
    cid: {description: Cloud id of the segment., type: str, returned: success}
    name: {description: Segment name., type: str, returned: success}
    range: {description: Subnet., type: str, returned: success}
    gateway: {description: Gateway address., type: str, returned: success}
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import network
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    module = cpi_module(dict(
        name=dict(type="str", required=True),
        range=dict(type="str"),
        gateway=dict(type="str"),
        cloud_properties=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ), required_if=[("state", "present", ("range",))])
    run_module(module, network)


if __name__ == "__main__":
    main()
