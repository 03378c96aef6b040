#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nsxt_ip_pool
short_description: Manage an NSX-T IP pool holding one subnet allocated from an IP block
description:
  - Manages C(/infra/ip-pools/{id}) and its block subnet C(/infra/ip-pools/{id}/ip-subnets/{subnet_id})
    (C(IpAddressPoolBlockSubnet)); NSX-T allocates O(subnet_size) addresses from the block, for example one /24
    per cluster from the nodes block, as PKS did.
  - Returns the allocation (CIDR, gateway, netmask) once NSX-T has realized it.
  - O(state=absent) deletes the subnet, which releases the allocation, then the pool; never the block.
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.nsxt
  - ondemand.caas.nsxt.OBJECT
  - ondemand.caas.nsxt.REALIZATION
options:
  subnet_id:
    description: Id of the block subnet inside the pool.
    type: str
    default: nodes
  ip_block_id:
    description: Id of the IP block to allocate from. Required with O(state=present).
    type: str
  subnet_size:
    description: Number of addresses to allocate, a power of two (256 is one /24).
    type: int
    default: 256
  start_ip:
    description:
      - Ask for the subnet starting at this address; it must lie in the block (checked before any request).
    type: str
  auto_assign_gateway:
    description: Let NSX-T assign the first address of the subnet as its gateway.
    type: bool
  wait_for_realization:
    description: Wait until the allocation is realized, so that RV(allocation) is filled in.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: One /24 for cluster c1 from the nodes block
  ondemand.caas.nsxt_ip_pool:
    id: caas-c1
    cluster: c1
    ip_block_id: caas-nodes
    subnet_size: 256
  register: pool

- name: Use it
  ansible.builtin.debug:
    msg: "{{ pool.allocation.cidr }} via {{ pool.allocation.gateway }}"
'''

RETURN = r'''
path:
  description: Policy path of the pool.
  returned: always
  type: str
  sample: /infra/ip-pools/caas-c1
subnet_path:
  description: Policy path of the block subnet.
  returned: always
  type: str
  sample: /infra/ip-pools/caas-c1/ip-subnets/nodes
pool:
  description: The pool as NSX-T returned it; empty when absent.
  returned: always
  type: dict
subnet:
  description: The block subnet as NSX-T returned it; empty when absent.
  returned: always
  type: dict
allocation:
  description: The allocated subnet; empty until realized or when absent.
  returned: always
  type: dict
  contains:
    cidr:
      description: Allocated CIDR.
      type: str
      sample: 10.100.0.0/24
    gateway:
      description: Gateway address (without prefix).
      type: str
      sample: 10.100.0.1
    gateway_cidr:
      description: Gateway address with prefix, as a segment subnet wants it.
      type: str
      sample: 10.100.0.1/24
    netmask:
      description: Netmask.
      type: str
      sample: 255.255.255.0
    prefix:
      description: Prefix length.
      type: int
      sample: 24
    network_address:
      description: Network address.
      type: str
      sample: 10.100.0.0
revision:
  description: C(_revision) of the pool; null when absent.
  returned: always
  type: int
diff:
  description: C(before) and C(after) of the pool and its subnet.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import args, runner
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError


def argument_spec():
    spec = args.connection_spec()
    spec.update(args.object_spec())
    spec.update(args.realization_spec(default_wait=True))
    spec.update(
        subnet_id=dict(type="str", default="nodes"),
        ip_block_id=dict(type="str"),
        subnet_size=dict(type="int", default=256),
        start_ip=dict(type="str"),
        auto_assign_gateway=dict(type="bool"),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[("state", "present", ("ip_block_id",))])
    try:
        result = runner.run_pool(client_from_params(module.params), module.params, module.check_mode)
    except NsxtError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
