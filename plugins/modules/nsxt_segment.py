#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nsxt_segment
short_description: Manage an NSX-T Policy segment (C(/infra/segments/{id}))
description:
  - Creates, updates or deletes an overlay or VLAN segment through the NSX-T Policy API.
  - Reads the segment first (404 means create), sends PATCH with only the fields set here, and reports
    C(changed) only when one of them differs from what NSX-T holds.
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.nsxt
  - ondemand.caas.nsxt.OBJECT
  - ondemand.caas.nsxt.REALIZATION
options:
  tier1_id:
    description:
      - Id of the tier-1 gateway to connect the segment to (sets C(connectivity_path) to C(/infra/tier-1s/<id>)).
      - Mutually exclusive with O(connectivity_path).
    type: str
  connectivity_path:
    description:
      - Policy path of the tier-0 or tier-1 gateway the segment connects to.
    type: str
  transport_zone_path:
    description:
      - Policy path of the transport zone (required by NSX-T for VLAN segments).
    type: str
  subnets:
    description:
      - The segment's subnet (NSX-T allows one).
    type: list
    elements: dict
    suboptions:
      gateway_address:
        description: Gateway address with prefix length, for example C(10.100.1.1/24).
        type: str
        required: true
      dhcp_ranges:
        description: DHCP ranges; NSX-T only lets you append to them.
        type: list
        elements: str
  admin_state:
    description: Administrative state.
    type: str
    choices: [UP, DOWN]
  replication_mode:
    description: BUM replication mode.
    type: str
    choices: [MTEP, SOURCE]
  vlan_ids:
    description: VLAN ids or ranges (C(100), C(100-200)) of a VLAN segment.
    type: list
    elements: str
  domain_name:
    description: DNS domain name of the segment.
    type: str
  wait_for_realization:
    description:
      - After creating or updating, wait until NSX-T reports the segment REALIZED.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Segment of cluster c1 on its tier-1, gateway .1 of its /24
  ondemand.caas.nsxt_segment:
    id: caas-c1
    cluster: c1
    tier1_id: caas-c1
    subnets:
      - gateway_address: 10.100.1.1/24
    wait_for_realization: true

- name: Delete it (only if tagged for cluster c1)
  ondemand.caas.nsxt_segment:
    id: caas-c1
    cluster: c1
    state: absent
'''

RETURN = r'''
path:
  description: Policy path of the segment.
  returned: always
  type: str
  sample: /infra/segments/caas-c1
segment:
  description: The segment as NSX-T returned it after the change (read-only bookkeeping fields removed); empty when absent.
  returned: always
  type: dict
revision:
  description: C(_revision) of the segment after the change; null when absent.
  returned: always
  type: int
diff:
  description: C(before) and C(after) of the segment's fields.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import args, objects, runner
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError


def argument_spec():
    spec = args.connection_spec()
    spec.update(args.object_spec())
    spec.update(args.realization_spec(default_wait=False))
    spec.update(
        tier1_id=dict(type="str"),
        connectivity_path=dict(type="str"),
        transport_zone_path=dict(type="str"),
        subnets=dict(type="list", elements="dict", options=dict(
            gateway_address=dict(type="str", required=True),
            dhcp_ranges=dict(type="list", elements="str"))),
        admin_state=dict(type="str", choices=["UP", "DOWN"]),
        replication_mode=dict(type="str", choices=["MTEP", "SOURCE"]),
        vlan_ids=dict(type="list", elements="str"),
        domain_name=dict(type="str"),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[("tier1_id", "connectivity_path")])
    try:
        result = runner.run(client_from_params(module.params), "Segment", module.params, objects.segment_body,
                            module.check_mode, result_key="segment")
    except NsxtError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
