# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The k8s_plan filter: what kubernetes_nodes.yml checks and plans before anything changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.ondemand.caas.plugins.filter.cluster import FilterModule, k8s_plan

CIDRS = {"nodes_cidr": "10.244.0.0/24", "pod_cidr": "10.200.0.0/16", "service_cidr": "10.96.0.0/12"}


def vm(role, index):
    name = "demo-%s-%d" % (role, index)
    ip = "10.244.0.%d" % ((10 if role == "master" else 20) + index)
    return {"name": name, "cid": "vm-" + name, "ips": [ip],
            "metadata": {"caas_name": name, "caas_role": role, "caas_index": str(index), "caas_ip": ip}}


def cluster(masters, workers):
    # Unsorted on purpose: the IaaS lists VMs in any order.
    return [vm("worker", i) for i in reversed(range(workers))] + [vm("master", i) for i in range(masters)]


def refused(vms, **kwargs):
    with pytest.raises(AnsibleFilterError) as info:
        k8s_plan(vms, **dict(CIDRS, **kwargs))
    return str(info.value)


def test_registered_as_a_filter():
    assert FilterModule().filters()["k8s_plan"] is k8s_plan


@pytest.mark.parametrize("masters", [1, 3, 5])
def test_one_three_or_five_masters_are_etcd_members_in_index_order(masters):
    plan = k8s_plan(cluster(masters, 2), k8s_version="v1.34.4", **CIDRS)
    assert plan["masters"] == [{"name": "demo-master-%d" % i, "ip": "10.244.0.%d" % (10 + i)} for i in range(masters)]
    assert [n["name"] for n in plan["nodes"]] == (["demo-master-%d" % i for i in range(masters)]
                                                  + ["demo-worker-0", "demo-worker-1"])
    assert plan["nodes"][0] == {"name": "demo-master-0", "role": "master", "index": 0, "ip": "10.244.0.10"}


@pytest.mark.parametrize("masters", [2, 4, 6])
def test_even_or_too_many_masters_are_refused(masters):
    assert "it has %d masters; etcd needs 1, 3 or 5" % masters in refused(cluster(masters, 1))


def test_a_24_per_worker_at_its_index():
    vms = [vm("master", 0), vm("worker", 0), vm("worker", 3)]  # index 1 and 2 gone (scaled in, or healing)
    plan = k8s_plan(vms, **CIDRS)
    assert plan["workers"] == {"demo-worker-0": {"ip": "10.244.0.20", "pod_cidr": "10.200.0.0/24"},
                               "demo-worker-3": {"ip": "10.244.0.23", "pod_cidr": "10.200.3.0/24"}}


def test_pod_cidr_with_host_bits_is_taken_from_its_network():
    plan = k8s_plan(cluster(1, 2), nodes_cidr="10.244.0.0/24", pod_cidr="10.200.7.1/16", service_cidr="10.96.0.0/12")
    assert plan["workers"]["demo-worker-1"]["pod_cidr"] == "10.200.1.0/24"


def test_pod_cidr_must_hold_a_24_for_the_highest_worker_index():
    plan = k8s_plan(cluster(1, 4), nodes_cidr="10.244.0.0/24", pod_cidr="10.200.0.0/22", service_cidr="10.96.0.0/12")
    assert plan["workers"]["demo-worker-3"]["pod_cidr"] == "10.200.3.0/24"
    message = refused(cluster(1, 5), pod_cidr="10.200.0.0/22")
    assert "the pod CIDR 10.200.0.0/22 holds 4 /24s, too few for worker index 4" in message
    assert "must be a /24 or larger" in refused(cluster(1, 1), pod_cidr="10.200.0.0/25")


@pytest.mark.parametrize("kwargs, pair", [
    ({"pod_cidr": "10.244.0.0/16"}, "the nodes CIDR 10.244.0.0/24 and the pod CIDR 10.244.0.0/16 must not overlap"),
    ({"service_cidr": "10.244.0.128/25"},
     "the nodes CIDR 10.244.0.0/24 and the service CIDR 10.244.0.128/25 must not overlap"),
    ({"service_cidr": "10.200.128.0/17"},
     "the pod CIDR 10.200.0.0/16 and the service CIDR 10.200.128.0/17 must not overlap"),
])
def test_overlapping_cidrs_are_refused(kwargs, pair):
    assert pair in refused(cluster(1, 2), **kwargs)


def test_adjacent_cidrs_do_not_overlap():
    plan = k8s_plan(cluster(1, 1), nodes_cidr="10.0.0.0/24", pod_cidr="10.0.1.0/24", service_cidr="10.0.2.0/24")
    assert plan["workers"]["demo-worker-0"]["pod_cidr"] == "10.0.1.0/24"


@pytest.mark.parametrize("bad", ["10.200.0.0", "10.200.0.0/33", "300.1.1.1/16", "fd00::/64", "pods", ""])
def test_bad_cidrs_are_named(bad):
    assert "the pod CIDR %r is not an IPv4 CIDR like 10.200.0.0/16" % bad in refused(cluster(1, 1), pod_cidr=bad)


def test_every_problem_is_named_at_once():
    message = refused(cluster(2, 0), nodes_cidr="10.0.0.0/8", k8s_version="1.34")
    assert message.startswith("Refusing to set up Kubernetes: ")
    for part in ("it has 2 masters", "it has no workers", "caas_k8s_version 1.34 is not a version like v1.34.4",
                 "the nodes CIDR 10.0.0.0/8 and the pod CIDR 10.200.0.0/16 must not overlap"):
        assert part in message


def test_no_vms():
    assert "it has no master or worker VMs (run create_cluster first)" in refused([])


def test_other_vms_of_the_cluster_are_not_nodes():
    registry = {"name": "demo-registry", "cid": "vm-demo-registry", "ips": ["10.244.0.5"],
                "metadata": {"caas_role": "registry"}}
    plan = k8s_plan(cluster(1, 1) + [registry], **CIDRS)
    assert [n["name"] for n in plan["nodes"]] == ["demo-master-0", "demo-worker-0"]


def test_vm_without_index_is_named():
    broken = vm("worker", 0)
    del broken["metadata"]["caas_index"]
    assert "VM demo-worker-0 has no caas_index" in refused([vm("master", 0), broken])
