#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: nsxt_realization_info
short_description: Read, or wait for, the realized state of an NSX-T Policy object
description:
  - Reads C(/infra/realized-state/realized-entities?intent_path=<path>) and, with O(wait=true), polls it until
    every realized entity is REALIZED, failing with the last state seen after O(timeout) seconds, or at once
    if NSX-T reports ERROR.
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.nsxt
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    platforms: posix
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  intent_path:
    description: Policy path of the object, for example C(/infra/segments/caas-c1).
    type: str
    required: true
  wait:
    description: Wait until the object is realized.
    type: bool
    default: true
  timeout:
    description: Seconds to wait when O(wait=true).
    type: int
    default: 300
  interval:
    description: Seconds between two polls.
    type: float
    default: 1.0
'''

EXAMPLES = r'''
- name: Wait (at most 2 minutes) until the cluster's segment is realized
  ondemand.caas.nsxt_realization_info:
    intent_path: /infra/segments/caas-c1
    timeout: 120
'''

RETURN = r'''
state:
  description: REALIZED, ERROR, UNREALIZED (no realized entity yet) or the first pending state reported.
  returned: always
  type: str
  sample: REALIZED
realized:
  description: True when RV(state) is REALIZED.
  returned: always
  type: bool
entities:
  description: The realized entities as NSX-T returned them.
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import args, realization
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError


def main():
    spec = args.connection_spec()
    spec.update(intent_path=dict(type="str", required=True), wait=dict(type="bool", default=True),
                timeout=dict(type="int", default=300), interval=dict(type="float", default=1.0))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    try:
        client = client_from_params(p)
        if p["wait"]:
            entities = realization.wait_realized(client, p["intent_path"], p["timeout"], p["interval"])
        else:
            entities = realization.realized_entities(client, p["intent_path"])
    except NsxtError as e:
        module.fail_json(msg=e.message, **e.details)
    state = realization.summarize(entities)
    module.exit_json(changed=False, state=state, realized=state == "REALIZED", entities=entities)


if __name__ == "__main__":
    main()
