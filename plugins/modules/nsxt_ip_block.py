#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nsxt_ip_block
short_description: Manage an NSX-T Policy IP address block (C(/infra/ip-blocks/{id}))
description:
  - Creates, updates or deletes an IP block, for example the nodes block each cluster gets one /24 from
    (the allocation itself is an IP pool subnet, see M(ondemand.caas.nsxt_ip_pool)).
  - GET first, PATCH with only the fields set here, C(changed) only when one of them differs.
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.nsxt
  - ondemand.caas.nsxt.OBJECT
options:
  cidrs:
    description: CIDRs of the block (the field C(cidrs); the deprecated C(cidr) is never sent).
    type: list
    elements: str
  visibility:
    description: Visibility of the block; immutable once set.
    type: str
    choices: [PRIVATE, EXTERNAL]
'''

EXAMPLES = r'''
- name: Nodes block shared by every cluster of this controller
  ondemand.caas.nsxt_ip_block:
    id: caas-nodes
    cidrs: [10.100.0.0/16]
'''

RETURN = r'''
path:
  description: Policy path of the block.
  returned: always
  type: str
  sample: /infra/ip-blocks/caas-nodes
ip_block:
  description: The block as NSX-T returned it after the change; empty when absent.
  returned: always
  type: dict
revision:
  description: C(_revision) after the change; null when absent.
  returned: always
  type: int
diff:
  description: C(before) and C(after) of the block's fields.
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
    spec.update(
        cidrs=dict(type="list", elements="str"),
        visibility=dict(type="str", choices=["PRIVATE", "EXTERNAL"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = runner.run(client_from_params(module.params), "IpAddressBlock", module.params,
                            objects.ip_block_body, module.check_mode, result_key="ip_block")
    except NsxtError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
