# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The cluster's pod network: a /24 of the pod CIDR per worker, at the worker's index.

One plan for every flow that sets up nodes (kubernetes_nodes through the k8s_plan filter, upgrade_plan). The routes
between workers are not planned here: each worker's caas-pod-routes follows the Node objects (roles/worker).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress


def pod_network_plan(entries, pod_cidr):
    """Etcd members, and per worker its IP and /24 of the pod CIDR.

    ``entries``: [{name, ip, role, index}]; ``pod_cidr`` may have host bits set (they are ignored).
    """
    start = int(ipaddress.ip_network(u"%s" % pod_cidr, strict=False).network_address)
    out = {"masters": [], "workers": {}}
    for entry in entries:
        if entry["role"] == "master":
            out["masters"].append({"name": entry["name"], "ip": entry["ip"]})
        elif entry["role"] == "worker":
            cidr = "%s/24" % ipaddress.ip_address(start + entry["index"] * 256)
            out["workers"][entry["name"]] = {"ip": entry["ip"], "pod_cidr": cidr}
    return out
