# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Desired state of a Harbor robot account (``/robots``, API v2.0).

Harbor shows a robot's secret only when it is created (``RobotCreated``) or refreshed (``RefreshSec``), so
the secret is returned only then; an existing robot's secret cannot be read or compared.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError, HarborInvalidInput
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.project import BY_NAME, check_name
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import quote_segment

ROBOT_NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def full_name(params):
    """The name Harbor lists: ``<prefix><project>+<name>`` at project level, ``<prefix><name>`` at system level."""
    if params["level"] == "project":
        return "%s%s+%s" % (params["name_prefix"], params["project"], params["name"])
    return params["name_prefix"] + params["name"]


def desired_permissions(params):
    if params.get("permissions"):
        return params["permissions"]
    if params["level"] != "project":
        raise HarborInvalidInput("a system-level robot needs explicit permissions")
    return [{"kind": "project", "namespace": params["project"],
             "access": [{"resource": "repository", "action": action, "effect": "allow"}
                        for action in params["actions"]]}]


def _norm_permissions(permissions):
    out = []
    for perm in permissions or []:
        access = sorted((a.get("resource"), a.get("action"), a.get("effect") or "allow")
                        for a in perm.get("access") or [])
        out.append((perm.get("kind"), perm.get("namespace"), tuple(access)))
    return sorted(out)


def _clean_access(access):
    fields = (("resource", access.get("resource")), ("action", access.get("action")),
              ("effect", access.get("effect") or "allow"))
    return dict((k, v) for k, v in fields if v is not None)


def _clean_permissions(permissions):
    """The permissions as the request body wants them (no None fields)."""
    return [{"kind": p.get("kind"), "namespace": p.get("namespace"),
             "access": [_clean_access(a) for a in p.get("access") or []]}
            for p in permissions]


def view(robot):
    if not robot:
        return {}
    return {"name": robot.get("name"), "level": robot.get("level"), "description": robot.get("description") or "",
            "disable": bool(robot.get("disable")), "duration": robot.get("duration"),
            "permissions": _clean_permissions(robot.get("permissions") or [])}


def validate(params):
    if not ROBOT_NAME_RE.match(params["name"] or "") or len(params["name"]) > 255:
        raise HarborInvalidInput("invalid robot name %r: lower-case letters and digits, separated by single "
                                 "'.', '_' or '-'" % (params["name"],))
    if params["level"] == "project":
        if not params.get("project"):
            raise HarborInvalidInput("level=project needs the project option")
        check_name(params["project"])
    if params["state"] == "present":
        desired_permissions(params)
    if params["duration"] != -1 and params["duration"] < 1:
        raise HarborInvalidInput("duration must be -1 (never expires) or a positive number of days")


def find(client, name):
    for robot in client.list("/robots"):
        if robot.get("name") == name:
            return robot
    return None


def run_robot(client, params, check_mode):
    validate(params)
    name = full_name(params)
    current = find(client, name)
    before = view(current)
    result = {"changed": False, "robot": before, "name": name}

    if params["state"] == "absent":
        if current:
            result["changed"] = True
            if not check_mode:
                client.delete("/robots/%d" % current["id"])
        result.update(robot={}, diff={"before": before, "after": {}})
        return result

    if params["level"] == "project" and not check_mode and not current:
        if client.get_or_none("/projects/" + quote_segment(params["project"]), headers=BY_NAME) is None:
            raise HarborError("project %s does not exist; create it first (ondemand.caas.harbor_project)"
                              % params["project"])

    permissions = _clean_permissions(desired_permissions(params))
    wanted = {"name": name, "level": params["level"], "description": params.get("description") or "",
              "disable": params["disable"], "duration": params["duration"], "permissions": permissions}

    if not current:
        result.update(changed=True, robot=wanted, diff={"before": {}, "after": wanted})
        if not check_mode:
            body = {"name": params["name"], "description": wanted["description"], "level": params["level"],
                    "disable": params["disable"], "duration": params["duration"], "permissions": permissions}
            if params.get("secret"):
                body["secret"] = params["secret"]
            created, _headers = client.post("/robots", body)
            created = created or {}
            result["secret"] = created.get("secret") or params.get("secret")
            result["robot"] = view(client.get("/robots/%d" % created["id"])) if created.get("id") else wanted
            result["robot"]["id"] = created.get("id")
        return result

    drift = [k for k in ("description", "disable", "duration") if before.get(k) != wanted[k]]
    if _norm_permissions(before["permissions"]) != _norm_permissions(permissions):
        drift.append("permissions")
    if before["level"] != params["level"]:
        raise HarborInvalidInput("robot %s exists at level %s; Harbor cannot change a robot's level (delete it "
                                 "first)" % (name, before["level"]))
    after = dict(before, **dict((k, wanted[k]) for k in drift))
    result.update(robot=dict(after, id=current["id"]), diff={"before": before, "after": after})
    if drift:
        result["changed"] = True
        if not check_mode:
            body = dict(current, description=wanted["description"], disable=wanted["disable"],
                        duration=wanted["duration"], permissions=permissions)
            body.pop("secret", None)
            client.put("/robots/%d" % current["id"], body)
    if params["regenerate_secret"]:
        result["changed"] = True
        if not check_mode:
            sec = client.patch("/robots/%d" % current["id"], {"secret": params["secret"]} if params.get("secret")
                               else {}) or {}
            result["secret"] = sec.get("secret") or params.get("secret")
    return result
