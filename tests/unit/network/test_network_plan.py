# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The cluster IP plan (plugins/module_utils/network/plan.py): stateless, rebuilt from what the IaaS holds."""

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.network.plan import PlanError, compute, segment_name

POOLS = {"nodes": ("10.100.0.0/23", 24), "pods": ("10.128.0.0/15", 16), "services": ("10.64.0.0/19", 20)}


def seen_by_iaas(plan):
    """What the linux provider keeps in a segment's properties."""
    return {"caas_cluster": plan["cluster"], "nodes_cidr": plan["nodes_cidr"], "pod_cidr": plan["pod_cidr"],
            "service_cidr": plan["service_cidr"]}


def test_two_clusters_get_disjoint_subnets_and_the_same_plan_every_time():
    a = compute("c1", {}, POOLS, [])
    b = compute("c2", {}, POOLS, [seen_by_iaas(a)])
    assert (a["nodes_cidr"], b["nodes_cidr"]) == ("10.100.0.0/24", "10.100.1.0/24")
    assert (a["pod_cidr"], b["pod_cidr"]) == ("10.128.0.0/16", "10.129.0.0/16")
    assert (a["service_cidr"], b["service_cidr"]) == ("10.64.0.0/20", "10.64.16.0/20")
    assert a["gateway"] == "10.100.0.1" and a["netmask"] == "255.255.255.0"
    assert a["node_ips"][0] == "10.100.0.11" and len(a["node_ips"]) == 244
    assert a["kubernetes_service_ip"] == "10.64.0.1" and a["dns_service_ip"] == "10.64.0.10"
    # Another controller reading the same segments computes the same plan.
    assert compute("c1", {"nodes_cidr": a["nodes_cidr"]}, POOLS, [seen_by_iaas(b)]) == a


def test_overlap_is_a_clear_error():
    a = compute("c1", {}, POOLS, [])
    with pytest.raises(PlanError, match=r"nodes_cidr 10.100.0.128/25 of cluster c2 overlaps nodes_cidr "
                                        r"10.100.0.0/24 of cluster c1; two clusters never share a subnet"):
        compute("c2", {"nodes_cidr": "10.100.0.128/25"}, POOLS, [seen_by_iaas(a)])
    with pytest.raises(PlanError, match="pod_cidr 10.100.0.0/16 of cluster c3 overlaps nodes_cidr"):
        compute("c3", {"pod_cidr": "10.100.0.0/16"}, POOLS, [seen_by_iaas(a)])
    with pytest.raises(PlanError, match="overlaps nodes_cidr 10.200.0.0/24 of cluster ext"):
        compute("c4", {"nodes_cidr": "10.200.0.0/24"}, POOLS, [{"cluster": "ext", "nodes_cidr": "10.200.0.0/24"}])
    # Derived CIDRs that collide (slot wrap-around) name the fix.
    with pytest.raises(PlanError, match="give pod_cidr explicitly"):
        compute("c5", {"nodes_cidr": "10.100.2.0/24"}, POOLS, [seen_by_iaas(a)])


def test_pool_exhausted_and_freed_when_a_segment_goes():
    a = compute("c1", {}, POOLS, [])
    b = compute("c2", {}, POOLS, [seen_by_iaas(a)])
    with pytest.raises(PlanError, match="no free /24 left in the nodes pool"):
        compute("c3", {}, POOLS, [seen_by_iaas(a), seen_by_iaas(b)])
    assert compute("c3", {}, POOLS, [seen_by_iaas(b)])["nodes_cidr"] == "10.100.0.0/24"


def test_bad_input():
    with pytest.raises(PlanError, match="not a network in CIDR form"):
        compute("c1", {"nodes_cidr": "10.100.0.1/24"}, POOLS, [])
    with pytest.raises(PlanError, match="cluster name"):
        compute("Bad_Name", {}, POOLS, [])
    with pytest.raises(PlanError, match="gateway 10.9.0.1 is not a host address"):
        compute("c1", {"gateway": "10.9.0.1"}, POOLS, [])


def test_segment_names_fit_a_bridge():
    assert segment_name("c1") == "caas-c1"
    long = segment_name("production-cluster-42")
    assert len(long) <= 15 and long != segment_name("production-cluster-43")
