#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_project
short_description: Manage a Harbor project through the REST API v2.0
description:
  - Creates, updates or deletes a Harbor project (C(/api/v2.0/projects)), typically one per cluster.
  - Only the metadata given here is compared and changed, so a second identical run reports C(changed=false).
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.harbor
attributes:
  check_mode:
    support: full
    description: Reports what would be created, changed or deleted without sending a write.
  diff_mode:
    support: full
    description: C(before) and C(after) of the project's name and metadata.
options:
  name:
    description:
      - Project name, lower-case letters and digits separated by single C(.), C(_) or C(-) (checked before any request).
    type: str
    required: true
  public:
    description:
      - Whether anyone may pull from the project. A new project is private unless this is V(true).
    type: bool
  metadata:
    description:
      - Further project metadata (C(ProjectMetadata)), for example C(auto_scan) or C(severity). Values are sent as
        strings, booleans as V(true)/V(false).
    type: dict
  state:
    description:
      - V(present) creates or updates the project; V(absent) deletes it (Harbor refuses with 412 while it still holds
        repositories).
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: A project per cluster
  ondemand.caas.harbor_project:
    url: https://registry.example.com
    username: admin
    password: "{{ harbor_admin_password }}"
    ca_path: /etc/ondemand-caas/pki/demo/ca-bundle.crt
    name: demo
    public: false

- name: Delete it (HARBOR_URL, HARBOR_USERNAME, HARBOR_PASSWORD from the environment)
  ondemand.caas.harbor_project:
    name: demo
    state: absent
'''

RETURN = r'''
project:
  description: The project as Harbor returned it after the change (predicted in check mode); empty when absent.
  returned: always
  type: dict
  sample: {"name": "demo", "project_id": 3, "metadata": {"public": "false"}}
diff:
  description: C(before) and C(after) of the project's name and metadata.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.harbor import args
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.project import run_project


def argument_spec():
    spec = args.connection_spec()
    spec.update(
        name=dict(type="str", required=True),
        public=dict(type="bool"),
        metadata=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = run_project(client_from_params(module.params), module.params, module.check_mode)
    except HarborError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
