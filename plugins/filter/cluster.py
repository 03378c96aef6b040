# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Filters for cluster playbooks: ``node_plan`` (the VMs a cluster should have) and ``vm_table`` (a summary)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible.errors import AnsibleFilterError


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
        return {"node_plan": node_plan, "vm_table": vm_table}
