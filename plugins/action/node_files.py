# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Action plugin of ondemand.caas.node_files: read each file's src on the controller (vault-aware, looked up
like ansible.builtin.copy's src) and run the module once with every content, so a node's whole PKI, or a role's
units and configuration, is one round trip. Contents travel as a no_log module argument and never come back in
the result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("files", "directory_owner", "directory_group", "directory_mode"))

    def _read(self, src):
        path = self._find_needle("files", src)
        real = self._loader.get_real_file(path, decrypt=True)
        try:
            with open(real, "rb") as handle:
                return to_text(base64.b64encode(handle.read()))
        finally:
            self._loader.cleanup_tmp_file(real)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # not used: the module writes its own temporary files next to each destination
        args = dict(self._task.args)
        files = args.get("files")
        if not isinstance(files, list) or not all(isinstance(item, dict) for item in files):
            result.update(failed=True, msg="files must be a list of dicts with src or content, and dest")
            return result
        placed = []
        for item in files:
            item = dict(item)
            if item.get("src") is not None and item.get("content") is None:
                src = item.pop("src")
                try:
                    item["content"] = self._read(src)
                except AnsibleError as exc:
                    result.update(failed=True, msg="node_files: cannot read %s for %s: %s"
                                  % (src, item.get("dest"), to_text(exc)))
                    return result
            placed.append(item)
        args["files"] = placed
        result.update(self._execute_module(module_name="ondemand.caas.node_files", module_args=args,
                                           task_vars=task_vars))
        return result
