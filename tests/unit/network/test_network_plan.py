# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The cluster IP plan (plugins/module_utils/network/plan.py)."""

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.network.plan import PlanError, ensure, segment_name

POOLS = {"nodes": ("10.100.0.0/23", 24), "pods": ("10.128.0.0/15", 16), "services": ("10.64.0.0/19", 20)}


def test_two_clusters_get_disjoint_subnets_and_are_stable(tmp_path):
    a = ensure(str(tmp_path), "c1", "present", {}, POOLS)
    b = ensure(str(tmp_path), "c2", "present", {}, POOLS)
    assert a["changed"] and b["changed"]
    assert (a["plan"]["nodes_cidr"], b["plan"]["nodes_cidr"]) == ("10.100.0.0/24", "10.100.1.0/24")
    assert (a["plan"]["pod_cidr"], b["plan"]["pod_cidr"]) == ("10.128.0.0/16", "10.129.0.0/16")
    assert a["plan"]["gateway"] == "10.100.0.1" and a["plan"]["netmask"] == "255.255.255.0"
    assert a["plan"]["node_ips"][0] == "10.100.0.11" and len(a["plan"]["node_ips"]) == 244
    assert a["plan"]["kubernetes_service_ip"] == "10.64.0.1" and a["plan"]["dns_service_ip"] == "10.64.0.10"
    again = ensure(str(tmp_path), "c1", "present", {}, POOLS)
    assert not again["changed"] and again["plan"] == a["plan"]


def test_overlap_is_a_clear_error(tmp_path):
    ensure(str(tmp_path), "c1", "present", {}, POOLS)
    with pytest.raises(PlanError, match=r"nodes_cidr 10.100.0.128/25 of cluster c2 overlaps nodes_cidr "
                                        r"10.100.0.0/24 of cluster c1; two clusters never share a subnet"):
        ensure(str(tmp_path), "c2", "present", {"nodes_cidr": "10.100.0.128/25"}, POOLS)
    with pytest.raises(PlanError, match="pod_cidr 10.100.0.0/16 of cluster c3 overlaps nodes_cidr"):
        ensure(str(tmp_path), "c3", "present", {"pod_cidr": "10.100.0.0/16"}, POOLS)
    with pytest.raises(PlanError, match="overlaps nodes_cidr 10.200.0.0/24 of cluster ext"):
        ensure(str(tmp_path), "c4", "present", {"nodes_cidr": "10.200.0.0/24"}, POOLS,
               others=[{"cluster": "ext", "nodes_cidr": "10.200.0.0/24"}])


def test_pool_exhausted_and_release(tmp_path):
    ensure(str(tmp_path), "c1", "present", {}, POOLS)
    ensure(str(tmp_path), "c2", "present", {}, POOLS)
    with pytest.raises(PlanError, match="no free /24 left in the nodes pool"):
        ensure(str(tmp_path), "c3", "present", {}, POOLS)
    assert ensure(str(tmp_path), "c1", "absent", {}, POOLS)["changed"]
    assert ensure(str(tmp_path), "c3", "present", {}, POOLS)["plan"]["nodes_cidr"] == "10.100.0.0/24"


def test_check_mode_writes_nothing_and_moves_are_refused(tmp_path):
    r = ensure(str(tmp_path), "c1", "present", {}, POOLS, check_mode=True)
    assert r["changed"] and ensure(str(tmp_path), "c1", "query", {}, POOLS)["plan"] == {}
    ensure(str(tmp_path), "c1", "present", {}, POOLS)
    with pytest.raises(PlanError, match="cannot move"):
        ensure(str(tmp_path), "c1", "present", {"nodes_cidr": "10.100.1.0/24"}, POOLS)


def test_bad_input(tmp_path):
    with pytest.raises(PlanError, match="not a network in CIDR form"):
        ensure(str(tmp_path), "c1", "present", {"nodes_cidr": "10.100.0.1/24"}, POOLS)
    with pytest.raises(PlanError, match="cluster name"):
        ensure(str(tmp_path), "Bad_Name", "present", {}, POOLS)
    with pytest.raises(PlanError, match="gateway 10.9.0.1 is not a host address"):
        ensure(str(tmp_path), "c1", "present", {"gateway": "10.9.0.1"}, POOLS)


def test_segment_names_fit_a_bridge():
    assert segment_name("c1") == "caas-c1"
    long = segment_name("production-cluster-42")
    assert len(long) <= 15 and long != segment_name("production-cluster-43")
