# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Which Kubernetes version a cluster's nodes get, with the IaaS as the source of truth.

Each node's VM carries the version installed on it (``caas_k8s_version`` metadata, written by kubernetes_nodes.yml
and by the upgrade roll). A cluster that records a version keeps it: a new or healed node gets that version, and a
different one asked for is refused (only upgrade_cluster changes it, node by node). A cluster that records none is
new and gets the version asked for, else the default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

VERSION = re.compile(r"^v1\.\d+\.\d+$")
NODE_ROLES = ("master", "worker")


class VersionError(Exception):
    def __init__(self, message):
        super(VersionError, self).__init__(message)
        self.message = message


def recorded_versions(vms, running=None):
    """{version: [node names]} of the cluster's nodes: each node's ``caas_k8s_version`` metadata, else the version
    ``running`` says its binaries report (nodes made before the metadata existed). Nodes with neither are left out."""
    found = {}
    for vm in vms or []:
        metadata = vm.get("metadata") or {}
        if metadata.get("caas_role") not in NODE_ROLES:
            continue
        name = metadata.get("caas_name") or vm.get("name")
        version = metadata.get("caas_k8s_version") or (running or {}).get(vm.get("name")) or (running or {}).get(name)
        if version:
            found.setdefault(str(version), []).append(name)
    return dict((version, sorted(names)) for version, names in found.items())


def _describe(found):
    return " and ".join("%s (%s)" % (version, ", ".join(names)) for version, names in sorted(found.items()))


def cluster_version(vms, requested=None, default=None, running=None):
    """``(version, source)``: the version the cluster's nodes get and where it comes from (``recorded``,
    ``requested`` or ``default``); ``(None, None)`` when the cluster records none and nothing is asked or defaulted.

    Raises VersionError when the nodes record several versions (an upgrade stopped half-way) or when ``requested``
    differs from the recorded one.
    """
    requested = str(requested) if requested else None
    found = recorded_versions(vms, running)
    if len(found) > 1:
        newest = max(found, key=_key)
        raise VersionError(
            "the nodes run %s: an upgrade stopped half-way. Finish it first: ansible-playbook "
            "ondemand.caas.upgrade_cluster -e caas_kubernetes=true -e caas_k8s_version=%s" % (_describe(found), newest))
    if found:
        version = next(iter(found))
        if requested and requested != version:
            raise VersionError(
                "the cluster runs Kubernetes %s (the caas_k8s_version metadata of its VMs) and caas_k8s_version=%s was "
                "asked: a node at another version is never added. Change the cluster's version with a rolling upgrade "
                "(ansible-playbook ondemand.caas.upgrade_cluster -e caas_kubernetes=true -e caas_k8s_version=%s), or "
                "leave caas_k8s_version out to keep %s" % (version, requested, requested, version))
        return version, "recorded"
    if requested:
        return requested, "requested"
    if default:
        return str(default), "default"
    return None, None


def _key(version):
    try:
        return tuple(int(part) for part in version.lstrip("v").split("."))
    except ValueError:
        return (0,)
