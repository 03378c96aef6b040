# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Filters for cluster playbooks: ``node_plan`` (the VMs a cluster should have), ``k8s_plan`` (Kubernetes on a
cluster's VMs, checked), ``k8s_cluster_version`` (the version its nodes run) and ``vm_table`` (a summary)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import text_type
from ansible_collections.ondemand.caas.plugins.module_utils.cluster.pod_network import pod_network_plan
from ansible_collections.ondemand.caas.plugins.module_utils.cluster.version import VersionError, cluster_version

MASTER_COUNTS = (1, 3, 5)
VERSION = re.compile(r"^v1\.\d+\.\d+$")


def node_plan(cluster, masters, workers, nodes_cidr, master_offset=10, worker_offset=20):
    network = ipaddress.ip_network(nodes_cidr, strict=True)
    masters, workers = int(masters), int(workers)
    if master_offset + masters > worker_offset:
        raise AnsibleFilterError("%d masters from offset %d run into the workers' offset %d"
                                 % (masters, master_offset, worker_offset))
    if worker_offset + workers >= network.num_addresses - 1:
        raise AnsibleFilterError("%d workers do not fit in %s from offset %d" % (workers, network, worker_offset))
    plan = []
    for role, count, offset in (("master", masters, master_offset), ("worker", workers, worker_offset)):
        for index in range(count):
            plan.append({"name": "%s-%s-%d" % (cluster, role, index), "role": role, "index": index,
                         "ip": str(network.network_address + offset + index)})
    return plan


def _network(name, cidr):
    network = None
    if "/" in text_type(cidr):  # a bare address would silently mean a /32
        try:
            # Host bits may be set (10.200.0.1/16 means 10.200.0.0/16), as the playbooks always accepted.
            network = ipaddress.ip_network(text_type(cidr), strict=False)
        except ValueError:
            pass
    if network is None or network.version != 4:
        raise ValueError("the %s CIDR %r is not an IPv4 CIDR like 10.200.0.0/16" % (name, cidr))
    return network


def _node(vm):
    meta = vm.get("metadata") or {}
    try:
        index = int(meta.get("caas_index"))
    except (TypeError, ValueError):
        raise AnsibleFilterError("VM %s has no caas_index in its metadata" % (vm.get("name") or vm.get("cid")))
    return {"name": meta.get("caas_name") or vm.get("name"), "role": meta.get("caas_role"), "index": index,
            "ip": meta.get("caas_ip") or (vm.get("ips") or [None])[0]}


def k8s_plan(vms, nodes_cidr, pod_cidr, service_cidr, k8s_version=None, default_version=None):
    """Kubernetes on a cluster's VMs (cpi_vm_info records): every check before anything changes, then the plan.

    Refuses, naming every problem at once: no master or worker VMs, a master count other than 1, 3 or 5, no workers, a CIDR that
    is not IPv4, overlapping nodes/pod/service CIDRs, a pod CIDR without a /24 for each worker index, a malformed
    version, a version other than the one the cluster's VMs record (or several recorded). Returns ``nodes``
    (masters then workers by index: name, role, index, ip), ``version`` and ``version_source`` (the recorded one,
    else ``k8s_version``, else ``default_version``: module_utils/cluster/version.py) and what the node roles take:
    ``masters`` ([{name, ip}], the etcd members), ``workers`` ({name: {ip, pod_cidr}}).
    """
    # Other VMs of the cluster (its registry) are not Kubernetes nodes.
    nodes = sorted((_node(vm) for vm in vms or [] if (vm.get("metadata") or {}).get("caas_role") in ("master", "worker")),
                   key=lambda n: (n["role"] != "master", n["index"]))
    masters = [n for n in nodes if n["role"] == "master"]
    workers = [n for n in nodes if n["role"] == "worker"]
    problems = []
    if not nodes:
        problems.append("it has no master or worker VMs (run create_cluster first)")
    else:
        if len(masters) not in MASTER_COUNTS:
            problems.append("it has %d masters; etcd needs 1, 3 or 5 (2 or 4 gain no fault tolerance over 1 or 3)"
                            % len(masters))
        if not workers:
            problems.append("it has no workers")
    if k8s_version is not None and not VERSION.match(text_type(k8s_version)):
        problems.append("caas_k8s_version %s is not a version like v1.34.4" % k8s_version)
    version = source = None
    try:
        version, source = cluster_version(vms, k8s_version, default_version)
    except VersionError as exc:
        problems.append(exc.message)
    networks = {}
    for name, cidr in (("nodes", nodes_cidr), ("pod", pod_cidr), ("service", service_cidr)):
        try:
            networks[name] = _network(name, cidr)
        except ValueError as exc:
            problems.append(text_type(exc))
    names = [n for n in ("nodes", "pod", "service") if n in networks]
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            if networks[first].overlaps(networks[second]):
                problems.append("the %s CIDR %s and the %s CIDR %s must not overlap"
                                % (first, networks[first], second, networks[second]))
    if "pod" in networks:
        pods = networks["pod"]
        if pods.prefixlen > 24:
            problems.append("the pod CIDR %s must be a /24 or larger (each worker gets a /24)" % pods)
        elif workers and workers[-1]["index"] >= pods.num_addresses // 256:
            problems.append("the pod CIDR %s holds %d /24s, too few for worker index %d (a /24 per worker index)"
                            % (pods, pods.num_addresses // 256, workers[-1]["index"]))
    if problems:
        raise AnsibleFilterError("Refusing to set up Kubernetes: %s." % "; ".join(problems))
    plan = pod_network_plan(nodes, text_type(networks["pod"]))
    plan["nodes"] = nodes
    plan["version"], plan["version_source"] = version, source
    return plan


def k8s_cluster_version(vms, requested=None, default=None, running=None):
    """The Kubernetes version a cluster's nodes run (their ``caas_k8s_version`` metadata, else ``running``: name ->
    version their binaries report), else ``requested``, else ``default``. Refuses several recorded versions and a
    ``requested`` one other than the recorded one."""
    try:
        version, _source = cluster_version(vms, requested, default, running)
    except VersionError as exc:
        raise AnsibleFilterError("Refusing: %s." % exc.message)
    if version is None:
        raise AnsibleFilterError("Refusing: no node of the cluster records or runs a Kubernetes version, and none was "
                                 "given (set caas_k8s_version)")
    return version


def vm_table(vms):
    """VM records as aligned text lines, one per VM, for a summary printed at the end of a play."""
    rows = [("NAME", "ROLE", "IP", "STATE", "CID")]
    for vm in sorted(vms, key=lambda v: v.get("name") or ""):
        rows.append((vm.get("name") or "", (vm.get("metadata") or {}).get("caas_role", ""),
                     ",".join(vm.get("ips") or []), vm.get("state") or "", vm.get("cid") or ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


class FilterModule(object):
    def filters(self):
        return {"node_plan": node_plan, "k8s_plan": k8s_plan, "k8s_cluster_version": k8s_cluster_version,
                "vm_table": vm_table}
