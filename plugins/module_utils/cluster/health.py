# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""A cluster's health as the IaaS and the network see it, and BOSH's meltdown guard.

Each VM is classified ``healthy``, ``unresponsive`` (exists but stopped, no SSH, or its node not Ready) or
``missing`` (recorded, gone from the IaaS). The moment a VM is first seen down is written into its own
metadata (``caas_down_since``), so the meltdown window survives controllers and execution environments.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import re
import shutil
import socket
import ssl
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import CLUSTER_KEY, DOWN_SINCE_KEY, NAME_KEY
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import InvalidArgument, VMNotFound


def ssh_answers(ip, port, timeout):
    try:
        with socket.create_connection((ip, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            return conn.recv(4).startswith(b"SSH-")
    except (OSError, socket.timeout):
        return False


def _kubeconfig_secrets(path):
    """CA bundle, client certificate and key (PEM) of a kubeconfig with embedded data, as cert_seed writes it."""
    with open(path) as handle:
        text = handle.read()
    found = {}
    for field in ("certificate-authority-data", "client-certificate-data", "client-key-data"):
        match = re.search(r"%s:\s*\"?([A-Za-z0-9+/=]+)" % field, text)
        if not match:
            raise InvalidArgument("kubeconfig %s has no %s (embedded credentials are needed)" % (path, field))
        found[field] = base64.b64decode(match.group(1))
    return found


def ready_nodes_from_api(kubeconfig, master_ips, port=6443, timeout=5.0):
    """Names of the Ready nodes, asked of the first master whose apiserver answers; None when none does (or the
    cluster has no kubeconfig yet)."""
    if not os.path.exists(kubeconfig):
        return None
    secrets = _kubeconfig_secrets(kubeconfig)
    scratch = tempfile.mkdtemp(prefix="caas-health-")
    try:
        cert, key = os.path.join(scratch, "client.crt"), os.path.join(scratch, "client.key")
        for path, field in ((cert, "client-certificate-data"), (key, "client-key-data")):
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as handle:
                handle.write(secrets[field])
        context = ssl.create_default_context(cadata=secrets["certificate-authority-data"].decode("ascii"))
        context.load_cert_chain(cert, key)
        for ip in master_ips:
            try:
                with socket.create_connection((ip, port), timeout=timeout) as raw:
                    with context.wrap_socket(raw, server_hostname=ip) as conn:
                        conn.sendall(b"GET /api/v1/nodes HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\n\r\n"
                                     % ip.encode("ascii"))
                        data = b""
                        while True:
                            chunk = conn.recv(65536)
                            if not chunk:
                                break
                            data += chunk
                head, _sep, body = data.partition(b"\r\n\r\n")
                if b" 200 " not in head.split(b"\r\n", 1)[0]:
                    continue
                nodes = json.loads(body.decode("utf-8"))["items"]
            except (OSError, ValueError, KeyError):
                continue
            return set(n["metadata"]["name"] for n in nodes
                       if any(c.get("type") == "Ready" and c.get("status") == "True"
                              for c in n.get("status", {}).get("conditions", [])))
        return None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def classify(vm, ssh_ok, ready_nodes):
    if vm["state"] == "missing":
        return "missing", "the VM is gone from the IaaS"
    if vm["state"] != "running":
        return "unresponsive", "the VM is %s" % vm["state"]
    if not ssh_ok:
        return "unresponsive", "no SSH answer"
    # Only workers run a kubelet; masters and the registry are judged by the IaaS and SSH.
    role = (vm.get("metadata") or {}).get("caas_role")
    if ready_nodes is not None and role == "worker" and vm["name"] not in ready_nodes:
        return "unresponsive", "its Kubernetes node is not Ready"
    return "healthy", ""


def meltdown(vms, now, min_count, min_percent, window):
    """BOSH's guard: refuse to heal when at least min_count and min_percent of the VMs went down within window."""
    recent = [v for v in vms if v["health"] != "healthy" and v["down_since"] and now - v["down_since"] <= window]
    total = len(vms)
    tripped = total > 0 and len(recent) >= min_count and len(recent) * 100 >= min_percent * total
    return tripped, len(recent)


def _mark(cloud, vm_cid, value):
    try:
        cloud.set_vm_metadata(vm_cid, {DOWN_SINCE_KEY: value})
    except VMNotFound:
        pass  # a missing VM keeps no metadata on every IaaS; its loss then counts from this probe


def probe(cloud, params, check_mode):
    cluster = params["cluster"]
    vms = [v for v in cloud.list_vms() if (v.get("metadata") or {}).get(CLUSTER_KEY) == cluster]
    if not vms and params["fail_if_absent"]:
        raise InvalidArgument("cluster %s has no VMs in this IaaS (is the name right, and the provider?)" % cluster)
    with ThreadPoolExecutor(max_workers=max(1, min(16, len(vms)))) as pool:
        answers = list(pool.map(lambda v: bool(v["ips"]) and v["state"] == "running"
                                and ssh_answers(v["ips"][0], params["ssh_port"], params["probe_timeout"]), vms))
    ready_nodes = params.get("ready_nodes")
    api_note = ""
    if ready_nodes is None and params.get("kubeconfig"):
        masters = [v["ips"][0] for v, ok in zip(vms, answers)
                   if ok and (v.get("metadata") or {}).get("caas_role") == "master"]
        ready_nodes = ready_nodes_from_api(params["kubeconfig"], masters, timeout=params["probe_timeout"])
        if ready_nodes is None:
            api_note = " (no apiserver answered: nodes judged by the IaaS and SSH alone)"
    now = time.time()
    changed = False
    report = []
    for vm, ssh_ok in zip(vms, answers):
        health, reason = classify(vm, ssh_ok, ready_nodes)
        metadata = vm.get("metadata") or {}
        recorded = metadata.get(DOWN_SINCE_KEY) or ""
        down_since = float(recorded) if recorded else None
        if health != "healthy" and down_since is None:
            down_since = now
            changed = True
            if not check_mode:
                _mark(cloud, vm["cid"], "%.3f" % now)
        elif health == "healthy" and recorded:
            changed = True
            down_since = None
            if not check_mode:
                _mark(cloud, vm["cid"], "")
        report.append({"name": metadata.get(NAME_KEY, vm["name"]), "cid": vm["cid"], "state": vm["state"],
                       "health": health, "reason": reason, "ip": (vm["ips"] or [None])[0],
                       "role": metadata.get("caas_role"), "index": metadata.get("caas_index"),
                       "disks": vm.get("disks") or [], "down_since": down_since})
    tripped, recent = meltdown(report, now, params["meltdown_min_count"], params["meltdown_min_percent"],
                               params["meltdown_window"])
    unhealthy = [v["name"] for v in report if v["health"] != "healthy"]
    if tripped:
        message = ("MELTDOWN: %d of %d VMs of cluster %s went down within %ss (guard: >= %d and >= %d%%); healing "
                   "nothing. Find the common cause (host, network, storage) first." % (
                       recent, len(report), cluster, params["meltdown_window"], params["meltdown_min_count"],
                       params["meltdown_min_percent"]))
    elif unhealthy:
        message = "cluster %s: %d of %d VMs need healing: %s" % (cluster, len(unhealthy), len(report), ", ".join(
            "%s (%s)" % (v["name"], v["reason"]) for v in report if v["health"] != "healthy"))
    else:
        message = "cluster %s: all %d VMs healthy" % (cluster, len(report))
    message += api_note
    return {"changed": changed, "vms": sorted(report, key=lambda v: v["name"]), "unhealthy": sorted(unhealthy),
            "meltdown": tripped, "message": message}
