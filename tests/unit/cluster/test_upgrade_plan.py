# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Rolling-upgrade planning and the Kubernetes version skew rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.upgrade import (
    UpgradeError, check_versions, in_flight, plan,
)
from ansible_collections.ondemand.caas.plugins.module_utils.cluster.pod_network import pod_network_plan


def vm(name, role, index, stemcell="sc-old", k8s=None):
    metadata = {"caas_role": role, "caas_index": str(index)}
    if k8s:
        metadata["caas_k8s_version"] = k8s
    return {"name": name, "cid": "vm-" + name, "stemcell_cid": stemcell, "ips": ["10.0.0.%d" % index],
            "metadata": metadata, "disks": ["disk-" + name],
            "networks": {"default": {"ip": "10.0.0.%d" % index, "cloud_properties": {"name": "caas-x"}}}}


CLUSTER = [vm("w%d" % i, "worker", i) for i in range(8)] + [vm("m%d" % i, "master", i) for i in range(3)]


def names(batch):
    return [e["name"] for e in batch["vms"]]


def test_canary_then_masters_one_at_a_time_then_worker_batches():
    result = plan(CLUSTER, "sc-new", canaries=1, workers_in_flight="25%")
    kinds = [b["kind"] for b in result["batches"]]
    assert kinds == ["canary", "masters", "masters", "workers", "workers", "workers", "workers"]
    assert names(result["batches"][0]) == ["m0"] and names(result["batches"][3]) == ["w0", "w1"]
    assert result["batches"][0]["vms"][0]["segment"] == "caas-x"


def test_resume_skips_vms_already_on_the_target():
    half = [dict(v, stemcell_cid="sc-new") if v["name"] in ("m0", "m1", "m2", "w0") else v for v in CLUSTER]
    result = plan(half, "sc-new", canaries=1, workers_in_flight="3")
    assert result["up_to_date"] == ["m0", "m1", "m2", "w0"]
    assert [names(b) for b in result["batches"]] == [["w1"], ["w2", "w3", "w4"], ["w5", "w6", "w7"]]
    assert plan([dict(v, stemcell_cid="sc-new") for v in CLUSTER], "sc-new")["batches"] == []


@pytest.mark.parametrize("value, total, count", [("25%", 8, 2), ("10%", 3, 1), ("3", 8, 3), (2, 5, 2)])
def test_in_flight(value, total, count):
    assert in_flight(value, total) == count


def test_bad_requests():
    with pytest.raises(UpgradeError, match="nothing to upgrade to"):
        plan(CLUSTER, None)
    with pytest.raises(UpgradeError, match="number or a percentage"):
        plan(CLUSTER, "sc-new", workers_in_flight="many")
    with pytest.raises(UpgradeError, match="masters are upgraded one at a time"):
        plan(CLUSTER, "sc-new", masters_in_flight="2")


def test_skew_rules():
    assert check_versions("v1.33.13", ["v1.33.13"], "v1.34.4") is True
    assert check_versions("v1.34.4", ["v1.34.4"], "v1.34.4") is False
    with pytest.raises(UpgradeError, match="one minor version at a time: v1.32.0 -> v1.34.4 skips 1"):
        check_versions("v1.32.0", [], "v1.34.4")
    with pytest.raises(UpgradeError, match="downgrading"):
        check_versions("v1.34.4", [], "v1.33.13")
    with pytest.raises(UpgradeError, match="kubelet .* is newer than the apiserver"):
        check_versions("v1.33.13", ["v1.34.4"], "v1.34.4")
    with pytest.raises(UpgradeError, match="not a Kubernetes version"):
        check_versions("v1.33.13", [], "latest")
    cluster = [vm("m0", "master", 0, k8s="v1.33.13"), vm("w0", "worker", 0, k8s="v1.33.13")]
    with pytest.raises(UpgradeError, match="skips"):
        plan(cluster, None, target_k8s_version="v1.35.1")


def k8s_cluster(version="v1.33.13", stemcell="sc-old"):
    return ([vm("m%d" % i, "master", i, stemcell, k8s=version) for i in range(3)]
            + [vm("w%d" % i, "worker", i, stemcell, k8s=version) for i in range(4)])


def test_a_version_change_alone_is_in_place_and_batches_give_the_serial_list():
    result = plan(k8s_cluster(), "sc-old", target_k8s_version="v1.34.4", workers_in_flight="50%")
    assert [names(b) for b in result["batches"]] == [["m0"], ["m1"], ["m2"], ["w0", "w1"], ["w2", "w3"]]
    assert result["serial"] == [1, 1, 1, 2, 2]
    assert not any(e["recreate"] for b in result["batches"] for e in b["vms"])
    assert result["summary"][0] == "1. canary: m0 (v1.33.13 -> v1.34.4, in place)"
    both = plan(k8s_cluster(), "sc-new", target_k8s_version="v1.34.4")
    assert all(e["recreate"] for b in both["batches"] for e in b["vms"])
    assert both["summary"][0] == "1. canary: m0 (v1.33.13 -> v1.34.4, new VM)"
    done = plan(k8s_cluster("v1.34.4"), "sc-old", target_k8s_version="v1.34.4")
    assert done["batches"] == [] and done["serial"] == [1] and len(done["up_to_date"]) == 7


def test_versions_without_metadata_come_from_the_nodes():
    bare = [vm("m0", "master", 0), vm("w0", "worker", 0), vm("w1", "worker", 1)]
    running = {"m0": "v1.34.4", "w0": "v1.34.4", "w1": "v1.33.13"}
    result = plan(bare, "sc-old", target_k8s_version="v1.34.4", running_versions=running)
    assert [names(b) for b in result["batches"]] == [["w1"]] and result["up_to_date"] == ["m0", "w0"]
    with pytest.raises(UpgradeError, match="kubelet .* is newer"):
        plan(bare, "sc-old", target_k8s_version="v1.34.4", running_versions={"m0": "v1.33.13", "w0": "v1.34.4"})
    # Metadata wins over what a node reports; a node that reports nothing is due.
    recorded = [vm("m0", "master", 0, k8s="v1.34.4"), vm("w0", "worker", 0)]
    result = plan(recorded, "sc-old", target_k8s_version="v1.34.4", running_versions={"m0": "v1.33.13"})
    assert [names(b) for b in result["batches"]] == [["w0"]]


def test_resume_after_the_control_plane_went_first():
    half = [dict(v, metadata=dict(v["metadata"], caas_k8s_version="v1.34.4")) if v["name"].startswith("m") else v
            for v in k8s_cluster()]
    result = plan(half, "sc-old", target_k8s_version="v1.34.4", workers_in_flight="4")
    assert [names(b) for b in result["batches"]] == [["w0"], ["w1", "w2", "w3"]]


def test_network_plan_matches_kubernetes_nodes():
    result = plan(k8s_cluster(), "sc-old", target_k8s_version="v1.34.4", pod_cidr="10.200.0.0/16")
    network = result["k8s_plan"]
    assert network["masters"] == [{"name": "m%d" % i, "ip": "10.0.0.%d" % i} for i in range(3)]
    assert network["workers"]["w2"] == {"ip": "10.0.0.2", "pod_cidr": "10.200.2.0/24"}
    assert network["workers"]["w3"] == {"ip": "10.0.0.3", "pod_cidr": "10.200.3.0/24"}
    assert pod_network_plan([], "10.201.7.9/16") == {"masters": [], "workers": {}}
    assert plan(k8s_cluster(), "sc-new")["k8s_plan"] == {}
