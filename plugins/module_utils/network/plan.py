# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The cluster IP plan: nodes, pod and service CIDRs per cluster, never overlapping across the clusters of a controller.

Plans are kept in a registry directory (one JSON file per cluster) under a lock, so two clusters created at the
same time on one controller cannot pick the same subnet. Pure functions (``compute``) do the arithmetic;
``Registry`` does the file work.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import hashlib
import ipaddress
import json
import os
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


def _used(others):
    """(network, owner description) for every CIDR of every other cluster."""
    used = []
    for other in others:
        for _kind, key in KINDS:
            if other.get(key):
                used.append((ipaddress.ip_network(other[key]), "%s %s of cluster %s" % (key, other[key], other.get("cluster"))))
    return used


def compute(cluster, requested, pools, others, current=None, reserved=10):
    """Return the plan of ``cluster``.

    ``requested``: explicit ``nodes_cidr``/``pod_cidr``/``service_cidr`` (None = allocate);
    ``pools``: ``{kind: (pool_cidr, prefix)}``; ``others``: plans of the other clusters;
    ``current``: this cluster's recorded plan (kept stable)."""
    if not NAME_RE.match(cluster or ""):
        raise PlanError("cluster name %r must be 1-63 characters of a-z, 0-9 and -, starting and ending alphanumeric" % cluster)
    used = _used([o for o in others if o.get("cluster") != cluster])
    plan = {"cluster": cluster}
    for kind, key in KINDS:
        want = requested.get(key)
        have = (current or {}).get(key)
        if want and have and _net(want, key) != ipaddress.ip_network(have):
            raise PlanError("cluster %s already has %s %s; it cannot move to %s without deleting its network first"
                            % (cluster, key, have, want))
        if want or have:
            net = _net(want or have, key)
            for other, owner in used:
                if net.overlaps(other):
                    raise PlanError("%s %s of cluster %s overlaps %s; two clusters never share a subnet"
                                    % (key, net, cluster, owner))
        else:
            pool, prefix = pools[kind]
            pool = _net(pool, "%s pool" % kind)
            if prefix < pool.prefixlen:
                raise PlanError("%s prefix /%s is larger than its pool %s" % (kind, prefix, pool))
            net = next((s for s in pool.subnets(new_prefix=prefix) if not any(s.overlaps(o) for o, _w in used)), None)
            if net is None:
                raise PlanError("no free /%s left in the %s pool %s (%d clusters use it)" % (prefix, kind, pool, len(others)))
        used.append((net, "%s %s of cluster %s" % (key, net, cluster)))
        plan[key] = str(net)
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


def _record(plan):
    return dict((k, plan[k]) for k in ("cluster", "nodes_cidr", "pod_cidr", "service_cidr", "gateway"))


class Registry(object):
    """``<directory>/<cluster>.json`` for every cluster of this controller, changed under ``<directory>/.lock``."""

    def __init__(self, directory):
        self.directory = directory

    def __enter__(self):
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, 0o700)
        self._lock = open(os.path.join(self.directory, ".lock"), "a")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

    def all(self):
        out = []
        for name in sorted(os.listdir(self.directory)) if os.path.isdir(self.directory) else []:
            if name.endswith(".json"):
                with open(os.path.join(self.directory, name)) as f:
                    out.append(json.load(f))
        return out

    def get(self, cluster):
        return next((p for p in self.all() if p.get("cluster") == cluster), None)

    def put(self, plan):
        path = os.path.join(self.directory, "%s.json" % plan["cluster"])
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(_record(plan), f, sort_keys=True)
        os.rename(tmp, path)

    def delete(self, cluster):
        path = os.path.join(self.directory, "%s.json" % cluster)
        if os.path.exists(path):
            os.unlink(path)


def ensure(registry_dir, cluster, state, requested, pools, others=(), reserved=10, check_mode=False):
    """Desired state of one cluster's plan; returns ``{changed, plan}``."""
    if not NAME_RE.match(cluster or ""):
        raise PlanError("cluster name %r must be 1-63 characters of a-z, 0-9 and -, starting and ending alphanumeric" % cluster)
    with Registry(registry_dir) as reg:
        current = reg.get(cluster)
        if state == "query":
            plan = finish(dict(current), current.get("gateway"), reserved) if current else {}
            return {"changed": False, "plan": plan, "segment_name": segment_name(cluster)}
        if state == "absent":
            if current and not check_mode:
                reg.delete(cluster)
            plan = finish(dict(current), current.get("gateway"), reserved) if current else {}
            return {"changed": current is not None, "plan": plan, "segment_name": segment_name(cluster)}
        if current and not requested.get("gateway"):
            requested = dict(requested, gateway=current.get("gateway"))
        plan = compute(cluster, requested, pools, list(reg.all()) + list(others), current, reserved)
        changed = current != _record(plan)
        if changed and not check_mode:
            reg.put(plan)
        return {"changed": changed, "plan": plan, "segment_name": plan["segment_name"]}
