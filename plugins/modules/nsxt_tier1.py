#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nsxt_tier1
short_description: Manage an NSX-T Policy tier-1 gateway (C(/infra/tier-1s/{id}))
description:
  - Creates, updates or deletes a tier-1 gateway through the NSX-T Policy API, GET first and PATCH with only
    the fields set here; C(changed) only when one of them differs.
  - NSX-T refuses to delete a tier-1 that a segment still connects to; delete the segment first.
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.nsxt
  - ondemand.caas.nsxt.OBJECT
  - ondemand.caas.nsxt.REALIZATION
options:
  tier0_path:
    description: Policy path of the tier-0 gateway to connect to, for example C(/infra/tier-0s/t0).
    type: str
  failover_mode:
    description: Failover mode of the edge services.
    type: str
    choices: [PREEMPTIVE, NON_PREEMPTIVE]
  ha_mode:
    description: High-availability mode; leave unset for a distributed-only tier-1.
    type: str
    choices: [ACTIVE_STANDBY, ACTIVE_ACTIVE]
  pool_allocation:
    description: Edge node pool allocation size.
    type: str
    choices: [ROUTING, LB_SMALL, LB_MEDIUM, LB_LARGE, LB_XLARGE]
  route_advertisement_types:
    description: Routes advertised to the tier-0.
    type: list
    elements: str
    choices: [TIER1_STATIC_ROUTES, TIER1_CONNECTED, TIER1_NAT, TIER1_LB_VIP, TIER1_LB_SNAT,
              TIER1_DNS_FORWARDER_IP, TIER1_IPSEC_LOCAL_ENDPOINT]
  type:
    description: Informational gateway type.
    type: str
    choices: [ROUTED, ISOLATED, NATTED]
  wait_for_realization:
    description: After creating or updating, wait until NSX-T reports the tier-1 REALIZED.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Tier-1 of cluster c1 advertising its connected segment
  ondemand.caas.nsxt_tier1:
    id: caas-c1
    cluster: c1
    tier0_path: /infra/tier-0s/t0
    route_advertisement_types: [TIER1_CONNECTED, TIER1_NAT]
'''

RETURN = r'''
path:
  description: Policy path of the tier-1.
  returned: always
  type: str
  sample: /infra/tier-1s/caas-c1
tier1:
  description: The tier-1 as NSX-T returned it after the change; empty when absent.
  returned: always
  type: dict
revision:
  description: C(_revision) after the change; null when absent.
  returned: always
  type: int
diff:
  description: C(before) and C(after) of the tier-1's fields.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import args, objects, runner
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError

ROUTE_TYPES = ["TIER1_STATIC_ROUTES", "TIER1_CONNECTED", "TIER1_NAT", "TIER1_LB_VIP", "TIER1_LB_SNAT",
               "TIER1_DNS_FORWARDER_IP", "TIER1_IPSEC_LOCAL_ENDPOINT"]


def argument_spec():
    spec = args.connection_spec()
    spec.update(args.object_spec())
    spec.update(args.realization_spec(default_wait=False))
    spec.update(
        tier0_path=dict(type="str"),
        failover_mode=dict(type="str", choices=["PREEMPTIVE", "NON_PREEMPTIVE"]),
        ha_mode=dict(type="str", choices=["ACTIVE_STANDBY", "ACTIVE_ACTIVE"]),
        pool_allocation=dict(type="str", choices=["ROUTING", "LB_SMALL", "LB_MEDIUM", "LB_LARGE", "LB_XLARGE"]),
        route_advertisement_types=dict(type="list", elements="str", choices=ROUTE_TYPES),
        type=dict(type="str", choices=["ROUTED", "ISOLATED", "NATTED"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = runner.run(client_from_params(module.params), "Tier1", module.params, objects.tier1_body,
                            module.check_mode, result_key="tier1")
    except NsxtError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
