# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The cluster IP plan: nodes, pod and service CIDRs per cluster, never overlapping across clusters.

Nothing is recorded on the controller: the nodes CIDR is the cluster's segment in the IaaS (or the first free one
of the pool), and the pod and service CIDRs follow from it (slot N of their pools for the Nth nodes subnet), unless
given explicitly. The other clusters' CIDRs come from the IaaS too (``others``), so every controller, and an AWX
execution environment, computes the same plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import re

KINDS = (("nodes", "nodes_cidr"), ("pods", "pod_cidr"), ("services", "service_cidr"))
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class PlanError(Exception):
    def __init__(self, message):
        super(PlanError, self).__init__(message)
        self.message = message


def segment_name(cluster):
    """Segment/bridge name: ``caas-<cluster>`` when it fits 15 characters, else a stable shortened form."""
    name = "caas-" + cluster
    if len(name) <= 15:
        return name
    return "caas-%s-%s" % (cluster[:4].rstrip("-"), hashlib.sha1(cluster.encode("utf-8")).hexdigest()[:5])


def _net(value, what):
    try:
        return ipaddress.ip_network(u"%s" % value, strict=True)
    except ValueError as e:
        raise PlanError("%s %r is not a network in CIDR form: %s" % (what, value, e))


def _slot(nodes, pool, prefix, kind):
    """The subnet of a kind's pool that belongs to a nodes CIDR: slot = nodes subnet number modulo the pool size."""
    subnets = list(pool.subnets(new_prefix=prefix)) if prefix >= pool.prefixlen else []
    if not subnets:
        raise PlanError("%s prefix /%s is larger than its pool %s" % (kind, prefix, pool))
    return subnets[(int(nodes.network_address) >> (nodes.max_prefixlen - nodes.prefixlen)) % len(subnets)]


def derive(entry, pools):
    """Complete ``{cluster, nodes_cidr[, pod_cidr, service_cidr]}`` with the derived CIDRs it lacks."""
    nodes = _net(entry["nodes_cidr"], "nodes_cidr of cluster %s" % entry.get("cluster"))
    full = dict(entry)
    for kind, key in KINDS[1:]:
        if not full.get(key):
            pool, prefix = pools[kind]
            full[key] = str(_slot(nodes, _net(pool, "%s pool" % kind), prefix, kind))
    return full


def compute(cluster, requested, pools, others, reserved=10):
    """Return the plan of ``cluster``.

    ``requested``: ``nodes_cidr`` (explicit, or the cluster's existing segment), ``pod_cidr``, ``service_cidr``,
    ``gateway`` (None = allocate or derive); ``pools``: ``{kind: (pool_cidr, prefix)}``; ``others``: the other
    clusters as the IaaS knows them (``cluster``, ``nodes_cidr`` and, when explicit, ``pod_cidr``/``service_cidr``)."""
    if not NAME_RE.match(cluster or ""):
        raise PlanError("cluster name %r must be 1-63 characters of a-z, 0-9 and -, starting and ending alphanumeric" % cluster)
    # Segment properties name the owner caas_cluster, as all metadata of this collection does.
    others = [derive(dict(o, cluster=o.get("cluster") or o.get("caas_cluster")), pools) for o in others
              if (o.get("cluster") or o.get("caas_cluster")) != cluster and o.get("nodes_cidr")]
    used = [(ipaddress.ip_network(o[key]), "%s %s of cluster %s" % (key, o[key], o["cluster"]))
            for o in others for _kind, key in KINDS]
    if requested.get("nodes_cidr"):
        nodes = _net(requested["nodes_cidr"], "nodes_cidr")
    else:
        pool, prefix = pools["nodes"]
        pool = _net(pool, "nodes pool")
        if prefix < pool.prefixlen:
            raise PlanError("nodes prefix /%s is larger than its pool %s" % (prefix, pool))
        nodes = next((s for s in pool.subnets(new_prefix=prefix) if not any(s.overlaps(o) for o, _w in used)), None)
        if nodes is None:
            raise PlanError("no free /%s left in the nodes pool %s (%d clusters use it)" % (prefix, pool, len(others)))
    plan = derive({"cluster": cluster, "nodes_cidr": str(nodes), "pod_cidr": requested.get("pod_cidr"),
                   "service_cidr": requested.get("service_cidr")}, pools)
    mine = []
    for _kind, key in KINDS:
        net = _net(plan[key], key)
        plan[key] = str(net)
        for other, owner in used + mine:
            if net.overlaps(other):
                hint = "" if requested.get(key) else "; give %s explicitly" % key
                raise PlanError("%s %s of cluster %s overlaps %s; two clusters never share a subnet%s"
                                % (key, net, cluster, owner, hint))
        mine.append((net, "%s %s of cluster %s" % (key, net, cluster)))
    return finish(plan, requested.get("gateway"), reserved)


def finish(plan, gateway, reserved):
    nodes = ipaddress.ip_network(plan["nodes_cidr"])
    hosts = list(nodes.hosts())
    if len(hosts) < reserved + 1:
        raise PlanError("nodes CIDR %s is too small: %d reserved addresses leave no node address" % (nodes, reserved))
    gw = ipaddress.ip_address(u"%s" % gateway) if gateway else hosts[0]
    if gw not in nodes or gw in (nodes.network_address, nodes.broadcast_address):
        raise PlanError("gateway %s is not a host address of %s" % (gw, nodes))
    services = list(ipaddress.ip_network(plan["service_cidr"]).hosts())
    free = [str(h) for h in hosts[reserved:] if h != gw]
    plan.update(segment_name=segment_name(plan["cluster"]), gateway=str(gw), netmask=str(nodes.netmask),
                prefix=nodes.prefixlen, gateway_cidr="%s/%d" % (gw, nodes.prefixlen),
                reserved_ips=[str(h) for h in hosts[:reserved] if h != gw], node_ips=free,
                kubernetes_service_ip=str(services[0]), dns_service_ip=str(services[min(9, len(services) - 1)]))
    return plan
