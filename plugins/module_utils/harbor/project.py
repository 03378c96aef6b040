# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Desired state of a Harbor project (``/projects``): compare, then create, update or delete."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import quote_segment
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError, HarborInvalidInput

# Harbor's rule for project names (src/common/utils/utils.go: lower case, digits, '.', '_', '-' between them).
NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
# A name made only of digits would be read as an id without this header.
BY_NAME = {"X-Is-Resource-Name": "true"}


def check_name(name):
    if not name or len(name) > 255 or not NAME_RE.match(name):
        raise HarborInvalidInput("invalid Harbor project name %r: lower-case letters and digits, separated by "
                                 "single '.', '_' or '-', at most 255 characters" % (name,))


def _as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def desired_metadata(params):
    wanted = dict((k, _as_text(v)) for k, v in (params.get("metadata") or {}).items())
    if params.get("public") is not None:
        wanted["public"] = _as_text(params["public"])
    return wanted


def view(project):
    """The part of a project this module manages, for diff and comparison."""
    if not project:
        return {}
    return {"name": project.get("name"), "metadata": dict(project.get("metadata") or {})}


def run_project(client, params, check_mode):
    name = params["name"]
    check_name(name)
    path = "/projects/" + quote_segment(name)
    current = client.get_or_none(path, headers=BY_NAME)
    before = view(current)
    result = {"changed": False, "project": current or {}}

    if params["state"] == "absent":
        if current:
            result["changed"] = True
            if not check_mode:
                client.delete(path, headers=BY_NAME)
            result["project"] = {}
        result["diff"] = {"before": before, "after": {}}
        return result

    wanted = desired_metadata(params)
    if not current:
        after = {"name": name, "metadata": dict(wanted)}
        after["metadata"].setdefault("public", "false")
        result.update(changed=True, diff={"before": {}, "after": after}, project=after)
        if not check_mode:
            client.post("/projects", {"project_name": name, "metadata": wanted})
            result["project"] = _read_back(client, path)
        return result

    drift = dict((k, v) for k, v in wanted.items() if before["metadata"].get(k) != v)
    after = {"name": name, "metadata": dict(before["metadata"], **drift)}
    result["diff"] = {"before": before, "after": after}
    if drift:
        result["changed"] = True
        if check_mode:
            result["project"] = dict(current, metadata=after["metadata"])
        else:
            client.put(path, {"metadata": drift}, headers=BY_NAME)
            result["project"] = _read_back(client, path)
    return result


def _read_back(client, path):
    project = client.get_or_none(path, headers=BY_NAME)
    if project is None:
        raise HarborError("Harbor accepted the request but %s cannot be read back" % path)
    return project
