# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The cluster's pod network: a /24 of the pod CIDR per worker, at the worker's index, and the routes to them.

One plan for every flow that sets up nodes (kubernetes_nodes through the k8s_plan filter, upgrade_plan).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress


def pod_network_plan(entries, pod_cidr):
    """Etcd members, and per worker its /24 of the pod CIDR plus the routes to every worker's /24.

    ``entries``: [{name, ip, role, index}]; ``pod_cidr`` may have host bits set (they are ignored).
    """
    start = int(ipaddress.ip_network(u"%s" % pod_cidr, strict=False).network_address)
    out = {"masters": [], "workers": {}, "routes": []}
    for entry in entries:
        if entry["role"] == "master":
            out["masters"].append({"name": entry["name"], "ip": entry["ip"]})
        elif entry["role"] == "worker":
            cidr = "%s/24" % ipaddress.ip_address(start + entry["index"] * 256)
            out["workers"][entry["name"]] = {"ip": entry["ip"], "pod_cidr": cidr}
            out["routes"].append({"name": entry["name"], "via": entry["ip"], "cidr": cidr})
    return out
