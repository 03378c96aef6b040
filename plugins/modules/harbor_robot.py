#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_robot
short_description: Manage a Harbor robot account through the REST API v2.0
description:
  - Creates, updates or deletes a robot account (C(/api/v2.0/robots)), typically one per cluster with pull rights
    on the cluster's project; its secret goes to the cluster's nodes.
  - Harbor reveals a robot's secret only when the robot is created or its secret refreshed, so RV(secret) is
    returned only then. Register the result with C(no_log) on the task and keep the secret (for example in a vault).
  - Description, disable state, duration and permissions are compared; a second identical run reports C(changed=false).
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.harbor
attributes:
  check_mode:
    support: full
    description: Reports what would be created, changed or deleted without sending a write; no secret is returned.
  diff_mode:
    support: full
    description: C(before) and C(after) of the robot's name, level, description, disable, duration and permissions (never the secret).
options:
  name:
    description:
      - Short robot name (lower-case letters and digits separated by single C(.), C(_) or C(-)). Harbor lists it as
        C(<name_prefix><project>+<name>) at project level and C(<name_prefix><name>) at system level, see RV(name).
    type: str
    required: true
  project:
    description: Project the robot belongs to; required with O(level=project). It must exist.
    type: str
  level:
    description: V(project) for a robot of one project, V(system) for a system robot.
    type: str
    choices: [project, system]
    default: project
  description:
    description: Free text description.
    type: str
  actions:
    description:
      - Actions on the project's repositories when O(permissions) is not given (project level only).
        V(pull) is what a cluster's nodes need.
    type: list
    elements: str
    default: [pull]
  permissions:
    description:
      - Full permission list (C(RobotPermission)); replaces the one built from O(project) and O(actions).
    type: list
    elements: dict
    suboptions:
      kind:
        description: V(project) or V(system).
        type: str
        required: true
      namespace:
        description: Project name, or V(/) for system permissions.
        type: str
        required: true
      access:
        description: Access entries.
        type: list
        elements: dict
        required: true
        suboptions:
          resource:
            description: Resource, for example V(repository).
            type: str
            required: true
          action:
            description: Action, for example V(pull) or V(push).
            type: str
            required: true
          effect:
            description: Effect.
            type: str
            default: allow
  duration:
    description: Lifetime in days, V(-1) for never expiring.
    type: int
    default: -1
  disable:
    description: Disable the robot.
    type: bool
    default: false
  secret:
    description:
      - Secret to create the robot with (or to set with O(regenerate_secret)); Harbor generates one when omitted.
        Never compared, because Harbor does not reveal it.
    type: str
  regenerate_secret:
    description: Refresh the secret of an existing robot (always reports C(changed)); the new one is in RV(secret).
    type: bool
    default: false
  name_prefix:
    description: Harbor's robot name prefix (server setting C(robot_name_prefix)).
    type: str
    default: robot$
  state:
    description: V(present) creates or updates the robot; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: A pull-only robot for cluster demo
  ondemand.caas.harbor_robot:
    url: https://registry.example.com
    username: admin
    password: "{{ harbor_admin_password }}"
    ca_path: /etc/ondemand-caas/pki/demo/ca-bundle.crt
    project: demo
    name: nodes
  register: robot
  no_log: true

- name: Keep its secret (returned only when the robot was created)
  ansible.builtin.copy:
    content: "{{ robot.secret }}"
    dest: /etc/ondemand-caas/pki/demo/registry-robot.secret
    mode: "0600"
  when: robot.secret is defined
  no_log: true
'''

RETURN = r'''
name:
  description: The robot's full name, the user name for C(docker login) or containerd.
  returned: always
  type: str
  sample: robot$demo+nodes
secret:
  description: The robot's secret; only when the robot was created or O(regenerate_secret) refreshed it (not in check mode).
  returned: when created or regenerated
  type: str
robot:
  description: The robot's managed fields after the change (predicted in check mode); empty when absent.
  returned: always
  type: dict
  sample: {"name": "robot$demo+nodes", "level": "project", "duration": -1, "disable": false, "id": 4}
diff:
  description: C(before) and C(after) of the managed fields.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.harbor import args
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import client_from_params
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.robot import run_robot


def argument_spec():
    spec = args.connection_spec()
    spec.update(
        name=dict(type="str", required=True),
        project=dict(type="str"),
        level=dict(type="str", default="project", choices=["project", "system"]),
        description=dict(type="str"),
        actions=dict(type="list", elements="str", default=["pull"]),
        permissions=dict(type="list", elements="dict", options=dict(
            kind=dict(type="str", required=True),
            namespace=dict(type="str", required=True),
            access=dict(type="list", elements="dict", required=True, options=dict(
                resource=dict(type="str", required=True),
                action=dict(type="str", required=True),
                effect=dict(type="str", default="allow"))))),
        duration=dict(type="int", default=-1),
        disable=dict(type="bool", default=False),
        secret=dict(type="str", no_log=True),
        regenerate_secret=dict(type="bool", default=False, no_log=False),
        name_prefix=dict(type="str", default="robot$"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[("level", "project", ("project",))])
    try:
        result = run_robot(client_from_params(module.params), module.params, module.check_mode)
    except HarborError as e:
        module.fail_json(msg=e.message, **e.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
