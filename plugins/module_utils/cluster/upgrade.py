# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The rolling-upgrade plan: which VMs, in which batches, from what to what, and the version rules.

BOSH's order: canaries first, then batches of at most ``max_in_flight``; masters one at a time before any
worker (etcd keeps quorum, the control plane is upgraded before the nodes). VMs already on the target are
skipped, so re-running after a failure resumes where it stopped.

A node's Kubernetes version is its ``caas_k8s_version`` metadata (the roll writes it); a node without it (made
before the metadata existed) is judged by the version its binaries report (``running_versions``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.pod_network import pod_network_plan

VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


class UpgradeError(Exception):
    def __init__(self, message):
        super(UpgradeError, self).__init__(message)
        self.message = message


def parse_version(text, what):
    match = VERSION.match(str(text or ""))
    if not match:
        raise UpgradeError("%s %r is not a Kubernetes version like v1.34.4" % (what, text))
    return tuple(int(x) for x in match.groups())


def check_versions(control_plane, nodes, target):
    """The Kubernetes version skew rules, checked before anything changes.

    ``control_plane``: the apiserver version now; ``nodes``: kubelet versions now; ``target``: the version asked.
    """
    current = parse_version(control_plane, "control plane version")
    wanted = parse_version(target, "target version")
    if wanted[:2] < current[:2]:
        raise UpgradeError("downgrading Kubernetes from %s to %s is not supported" % (control_plane, target))
    if wanted[0] != current[0] or wanted[1] - current[1] > 1:
        raise UpgradeError("Kubernetes upgrades go one minor version at a time: %s -> %s skips %d minor version(s)"
                           % (control_plane, target, wanted[1] - current[1] - 1))
    for node in nodes:
        if parse_version(node, "kubelet version") > current:
            raise UpgradeError("a kubelet (%s) is newer than the apiserver (%s); upgrade the control plane first"
                               % (node, control_plane))
    return wanted != current


def in_flight(value, total):
    """``max_in_flight`` as a count: a number, or a percentage of ``total`` (at least 1)."""
    text = str(value).strip()
    try:
        if text.endswith("%"):
            return max(1, int(math.floor(total * float(text[:-1]) / 100.0)))
        count = int(text)
    except ValueError:
        raise UpgradeError("max_in_flight %r must be a number or a percentage like 25%%" % value)
    if count < 1:
        raise UpgradeError("max_in_flight must be at least 1 (got %s)" % value)
    return count


def _entry(vm, running_versions):
    metadata = vm.get("metadata") or {}
    network = next(iter((vm.get("networks") or {}).values()), {})
    return {"name": vm["name"], "segment": (network.get("cloud_properties") or {}).get("name"), "cid": vm["cid"],
            "role": metadata.get("caas_role"), "index": int(metadata.get("caas_index") or 0),
            "ip": (vm.get("ips") or [None])[0], "stemcell_cid": vm.get("stemcell_cid"),
            "k8s_version": metadata.get("caas_k8s_version") or running_versions.get(vm["name"]) or None,
            "disks": vm.get("disks") or [], "metadata": metadata}


def plan(vms, target_stemcell_cid, target_k8s_version=None, canaries=1, masters_in_flight=1, workers_in_flight="25%",
         running_versions=None, pod_cidr=None):
    """Batches of VMs to roll. A VM is due when its stemcell or its Kubernetes version differs from the target.

    Each entry says ``recreate`` (its stemcell differs: a new VM) or not (the version alone: binaries in place).
    """
    if not target_stemcell_cid and not target_k8s_version:
        raise UpgradeError("nothing to upgrade to: give a stemcell, a Kubernetes version, or both")
    if int(canaries) < 0:
        raise UpgradeError("canaries must be 0 or more (got %s)" % canaries)
    entries = sorted((_entry(v, running_versions or {}) for v in vms),
                     key=lambda e: (e["role"] != "master", e["role"] or "", e["index"]))
    if not entries:
        raise UpgradeError("the cluster has no VMs")
    if target_k8s_version:
        masters_now = [e["k8s_version"] for e in entries if e["role"] == "master" and e["k8s_version"]]
        nodes_now = [e["k8s_version"] for e in entries if e["role"] != "master" and e["k8s_version"]]
        if masters_now:
            check_versions(min(masters_now, key=lambda v: parse_version(v, "version")), nodes_now, target_k8s_version)

    for entry in entries:
        entry["recreate"] = bool(target_stemcell_cid and entry["stemcell_cid"] != target_stemcell_cid)

    def due(entry):
        return entry["recreate"] or bool(target_k8s_version and entry["k8s_version"] != target_k8s_version)

    todo = [e for e in entries if due(e)]
    done = [e["name"] for e in entries if not due(e)]
    masters = [e for e in todo if e["role"] == "master"]
    others = [e for e in todo if e["role"] != "master"]
    batches = []
    first = masters or others
    for entry in first[:int(canaries)]:
        batches.append({"kind": "canary", "vms": [entry]})
    rest_masters = [e for e in masters if e not in first[:int(canaries)]]
    rest_others = [e for e in others if e not in first[:int(canaries)]]
    step = in_flight(masters_in_flight, len(masters) or 1)
    if step != 1 and masters:
        raise UpgradeError("masters are upgraded one at a time (etcd quorum); max_in_flight for masters must be 1")
    for entry in rest_masters:
        batches.append({"kind": "masters", "vms": [entry]})
    step = in_flight(workers_in_flight, len(others) or 1)
    for start in range(0, len(rest_others), step):
        batches.append({"kind": "workers", "vms": rest_others[start:start + step]})
    return {"batches": batches, "up_to_date": done,
            "serial": [len(b["vms"]) for b in batches] or [1],
            "k8s_plan": pod_network_plan(entries, pod_cidr) if pod_cidr else {},
            "summary": ["%d. %s: %s" % (i + 1, b["kind"], ", ".join(_describe(e, target_k8s_version) for e in b["vms"]))
                        for i, b in enumerate(batches)]}


def _describe(entry, target_k8s_version):
    """``name`` for a stemcell roll; ``name (v1.33.13 -> v1.34.4, in place)`` when Kubernetes changes too."""
    if not target_k8s_version or entry["k8s_version"] == target_k8s_version:
        return entry["name"]
    return "%s (%s -> %s%s)" % (entry["name"], entry["k8s_version"] or "unknown", target_k8s_version,
                                ", new VM" if entry["recreate"] else ", in place")
