#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nsxt_tcp_lb
short_description: Manage an NSX-T Policy L4 TCP load balancer (LB service, pool and virtual server)
description:
  - Creates, updates or deletes, through the NSX-T Policy API, the three objects of an L4 TCP load balancer, all
    with the same I(id) - C(/infra/lb-services/{id}) attached to a tier-1 gateway, C(/infra/lb-pools/{id}) with
    the I(members) on I(member_port) and an active TCP monitor, and C(/infra/lb-virtual-servers/{id}) listening on
    I(vip):I(port) with a fast-TCP (L4) application profile, forwarding to the pool.
  - Each object is read first and patched with only the fields set here; C(changed) only when one differs.
  - C(state=present) creates them service, pool, virtual server; C(state=absent) deletes them virtual server,
    pool, service, waiting until each is gone (NSX-T refuses to delete a pool or a service a virtual server still
    refers to, and a tier-1 an LB service is attached to).
  - The tier-1 must be able to host an LB service (on an edge cluster); NSX-T reports otherwise at realization.
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.nsxt
  - ondemand.caas.nsxt.OBJECT
  - ondemand.caas.nsxt.REALIZATION
options:
  tier1_id:
    description: Id of the tier-1 gateway the LB service is attached to; required with C(state=present) unless I(connectivity_path).
    type: str
  connectivity_path:
    description: Policy path of the tier-1 gateway instead of I(tier1_id).
    type: str
  size:
    description: Size of the LB service.
    type: str
    choices: [SMALL, MEDIUM, LARGE, XLARGE]
    default: SMALL
  vip:
    description:
      - IP address of the virtual server (on the segment of the members, or routed to the tier-1).
      - With C(state=present), either I(vip) or I(vip_segment_id) is required.
    type: str
  vip_segment_id:
    description: Without I(vip), take the VIP from the subnet of this segment, at I(vip_offset) from its network address.
    type: str
  vip_offset:
    description: Offset of the VIP taken from I(vip_segment_id)'s subnet (4 = C(10.100.0.4) in C(10.100.0.0/24)).
    type: int
    default: 4
  port:
    description: TCP port of the virtual server.
    type: int
    default: 6443
  members:
    description: IP addresses of the pool members; required with C(state=present).
    type: list
    elements: str
    default: []
  member_port:
    description: TCP port of the members; defaults to I(port).
    type: int
  algorithm:
    description: How the pool spreads connections.
    type: str
    choices: [ROUND_ROBIN, WEIGHTED_ROUND_ROBIN, LEAST_CONNECTION, WEIGHTED_LEAST_CONNECTION, IP_HASH]
    default: ROUND_ROBIN
  monitor_path:
    description: Policy path of the active health monitor of the pool (a TCP monitor profile).
    type: str
    default: /infra/lb-monitor-profiles/default-tcp-lb-monitor
  application_profile_path:
    description: Policy path of the virtual server's application profile (an L4 fast-TCP profile).
    type: str
    default: /infra/lb-app-profiles/default-tcp-lb-app-profile
  snat:
    description:
      - Source NAT of the pool. C(AUTOMAP) (the LB's own address) is needed when clients sit on the members'
        segment, so that answers come back through the load balancer.
    type: str
    choices: [AUTOMAP, DISABLED]
    default: AUTOMAP
  wait_for_realization:
    description: After creating or updating, wait until NSX-T reports the virtual server REALIZED.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: A VIP for the apiservers of cluster c1, on its tier-1
  ondemand.caas.nsxt_tcp_lb:
    id: caas-c1-apiserver
    cluster: c1
    tier1_id: caas-c1
    vip_segment_id: caas-c1  # the VIP is the segment subnet's .4 (vip_offset)
    port: 6443
    members: [10.100.0.10, 10.100.0.11, 10.100.0.12]

- name: Remove it (virtual server, pool, service)
  ondemand.caas.nsxt_tcp_lb:
    id: caas-c1-apiserver
    cluster: c1
    state: absent
'''

RETURN = r'''
vip:
  description: The virtual server's IP address; null when absent.
  returned: always
  type: str
  sample: 10.100.0.4
port:
  description: The virtual server's port.
  returned: always
  type: int
paths:
  description: Policy paths of the C(service), C(pool) and C(virtual_server).
  returned: always
  type: dict
  sample: {service: /infra/lb-services/caas-c1-apiserver, pool: /infra/lb-pools/caas-c1-apiserver,
           virtual_server: /infra/lb-virtual-servers/caas-c1-apiserver}
service:
  description: The LB service as NSX-T returned it; empty when absent.
  returned: always
  type: dict
pool:
  description: The pool as NSX-T returned it; empty when absent.
  returned: always
  type: dict
virtual_server:
  description: The virtual server as NSX-T returned it; empty when absent.
  returned: always
  type: dict
diff:
  description: C(before) and C(after) of each object's fields.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import args, lb
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError


def argument_spec():
    spec = args.connection_spec()
    spec.update(args.object_spec())
    spec.update(args.realization_spec(default_wait=False))
    spec.update(
        tier1_id=dict(type="str"),
        connectivity_path=dict(type="str"),
        size=dict(type="str", default="SMALL", choices=["SMALL", "MEDIUM", "LARGE", "XLARGE"]),
        vip=dict(type="str"),
        vip_segment_id=dict(type="str"),
        vip_offset=dict(type="int", default=4),
        port=dict(type="int", default=6443),
        members=dict(type="list", elements="str", default=[]),
        member_port=dict(type="int"),
        algorithm=dict(type="str", default="ROUND_ROBIN", choices=["ROUND_ROBIN", "WEIGHTED_ROUND_ROBIN", "LEAST_CONNECTION",
                                                                   "WEIGHTED_LEAST_CONNECTION", "IP_HASH"]),
        monitor_path=dict(type="str", default=lb.DEFAULT_MONITOR),
        application_profile_path=dict(type="str", default=lb.DEFAULT_APP_PROFILE),
        snat=dict(type="str", default="AUTOMAP", choices=["AUTOMAP", "DISABLED"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[("tier1_id", "connectivity_path"), ("vip", "vip_segment_id")],
                           required_if=[("state", "present", ("vip", "vip_segment_id"), True)])
    try:
        result = lb.run(client_from_params(module.params), module.params, module.check_mode)
    except NsxtError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
