#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: node_files
short_description: Place a node's files (certificates, keys, kubeconfigs, units, configuration) in one round trip
version_added: "0.1.0"
description:
  - Writes every file of O(files) on the managed node in one module run, so placing a node's whole PKI, or all of a
    role's units and configuration files, costs one SSH round trip instead of one per file.
  - Any file works, secret or not; the default mode (V(0600)) is the safe one for keys and credentials.
  - Formerly C(ondemand.caas.cert_place), which still redirects here.
  - The action plugin of the same name reads each O(files[].src) on the controller and hands the contents to the
    module; the module writes each file atomically (a temporary file in the same directory, owner and mode set
    before the content is written, then renamed over the destination) and creates the files' directories.
  - A file whose content, owner, group and mode already match is left alone. RV(changed_files) lists exactly the
    files written or fixed, so a caller restarts only the services that read them.
  - File contents are never returned, logged or shown in a diff, secret or not; the diff names the files that
    change with their modes and owners.
author:
  - ondemand.caas developers (@ondemand)
attributes:
  action:
    support: full
    description: The action plugin reads O(files[].src) on the controller.
  check_mode:
    support: full
    description: Reports what would change and writes nothing.
  diff_mode:
    support: full
    description: Paths, modes and owners before and after; never contents.
options:
  files:
    description: The files to place.
    type: list
    elements: dict
    required: true
    suboptions:
      src:
        description:
          - File on the controller to place, read by the action plugin. A relative path is looked up like
            M(ansible.builtin.copy) looks up its O(ansible.builtin.copy#module:src).
          - Exactly one of O(files[].src) and O(files[].content) is needed.
        type: path
      content:
        description:
          - The file's content, base64-encoded. The action plugin fills it in from O(files[].src).
        type: str
      dest:
        description: Absolute path on the node.
        type: path
        required: true
      owner:
        description: Owner of the file.
        type: str
        default: root
      group:
        description: Group of the file.
        type: str
        default: root
      mode:
        description: Mode of the file, octal as a string.
        type: raw
        default: "0600"
  directory_owner:
    description: Owner of the directories holding the files (created when missing).
    type: str
    default: root
  directory_group:
    description: Group of the directories holding the files.
    type: str
    default: root
  directory_mode:
    description: Mode of the directories holding the files.
    type: raw
    default: "0755"
seealso:
  - module: ondemand.caas.cert_seed
"""

EXAMPLES = r"""
- name: Place this master's etcd certificate and key
  ondemand.caas.node_files:
    files:
      - {src: "{{ caas_pki_dir }}/demo/nodes/demo-master-0/etcd-server.crt", dest: /etc/kubernetes/pki/etcd/server.crt,
         mode: "0644"}
      - {src: "{{ caas_pki_dir }}/demo/nodes/demo-master-0/etcd-server.key", dest: /etc/kubernetes/pki/etcd/server.key,
         mode: "0600"}
  register: placed

- name: Restart etcd only when one of its files changed
  ansible.builtin.systemd_service:
    name: etcd
    state: restarted
  when: placed.changed_files | length > 0

- name: A unit and its environment file, written from templates rendered on the controller
  ondemand.caas.node_files:
    files:
      - {content: "{{ lookup('ansible.builtin.template', 'etcd.service.j2') | b64encode }}",
         dest: /etc/systemd/system/etcd.service, mode: "0644"}
      - {content: "{{ lookup('ansible.builtin.template', 'etcdctl.env.j2') | b64encode }}",
         dest: /etc/kubernetes/etcdctl.env, mode: "0600"}
"""

RETURN = r"""
changed_files:
  description: Destinations written, or whose owner or mode was fixed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [/etc/kubernetes/pki/etcd/server.key]
changed_directories:
  description: Directories created, or whose owner or mode was fixed.
  returned: always
  type: list
  elements: str
  sample: [/etc/kubernetes/pki/etcd]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ondemand.caas.plugins.module_utils.cluster.node_files import NodeFilesError, place


def argument_spec():
    return dict(
        files=dict(type="list", elements="dict", required=True, options=dict(
            src=dict(type="path"), content=dict(type="str", no_log=True), dest=dict(type="path", required=True),
            owner=dict(type="str", default="root"), group=dict(type="str", default="root"),
            mode=dict(type="raw", default="0600")),
            mutually_exclusive=[("src", "content")], required_one_of=[("src", "content")]),
        directory_owner=dict(type="str", default="root"),
        directory_group=dict(type="str", default="root"),
        directory_mode=dict(type="raw", default="0755"),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    missing = [f["dest"] for f in p["files"] if f["content"] is None]
    if missing:
        module.fail_json(msg="no content for %s: src is read on the controller by the node_files action plugin"
                         % ", ".join(missing))
    try:
        result = place(p["files"], p["directory_owner"], p["directory_group"], p["directory_mode"],
                       check_mode=module.check_mode)
    except NodeFilesError as exc:
        module.fail_json(msg=exc.message, path=exc.path)
    except Exception as exc:  # pylint: disable=broad-except  # one report, with the trace, for the unexpected
        module.fail_json(msg="node_files failed unexpectedly: %s" % exc, exception=traceback.format_exc())
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
