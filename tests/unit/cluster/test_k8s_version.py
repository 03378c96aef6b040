# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The Kubernetes version a cluster's nodes get: the one its VMs record, else the one asked, else the default."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.ondemand.caas.plugins.filter.cluster import FilterModule, k8s_cluster_version, k8s_plan
from ansible_collections.ondemand.caas.plugins.module_utils.cluster.version import (
    VersionError, cluster_version, recorded_versions,
)

CIDRS = {"nodes_cidr": "10.244.0.0/24", "pod_cidr": "10.200.0.0/16", "service_cidr": "10.96.0.0/12"}
OLD, NEW, DEFAULT = "v1.33.13", "v1.34.4", "v1.34.4"


def vm(role, index, version=None):
    name = "demo-%s-%d" % (role, index)
    ip = "10.244.0.%d" % ((10 if role == "master" else 20) + index)
    metadata = {"caas_name": name, "caas_role": role, "caas_index": str(index), "caas_ip": ip}
    if version:
        metadata["caas_k8s_version"] = version
    return {"name": name, "cid": "vm-" + name, "ips": [ip], "metadata": metadata}


def cluster(version, workers=2):
    return [vm("master", 0, version)] + [vm("worker", i, version) for i in range(workers)]


def test_registered_as_a_filter():
    assert FilterModule().filters()["k8s_cluster_version"] is k8s_cluster_version


def test_a_new_cluster_gets_the_version_asked_else_the_default():
    assert cluster_version(cluster(None), None, DEFAULT) == (DEFAULT, "default")
    assert cluster_version(cluster(None), OLD, DEFAULT) == (OLD, "requested")
    assert cluster_version([], OLD, DEFAULT) == (OLD, "requested")
    assert cluster_version(cluster(None)) == (None, None)


def test_a_cluster_keeps_its_recorded_version_for_new_and_healed_nodes():
    # resize: a new worker VM without metadata yet; heal: a recreated VM keeps its metadata.
    vms = cluster(OLD) + [vm("worker", 2)]
    assert cluster_version(vms, None, DEFAULT) == (OLD, "recorded")
    assert cluster_version(vms, "", DEFAULT) == (OLD, "recorded")
    assert cluster_version(vms, OLD, DEFAULT) == (OLD, "recorded")


def test_another_version_than_the_recorded_one_is_refused_pointing_at_upgrade_cluster():
    with pytest.raises(VersionError) as info:
        cluster_version(cluster(OLD), NEW, DEFAULT)
    assert "the cluster runs Kubernetes %s" % OLD in info.value.message
    assert "ansible-playbook ondemand.caas.upgrade_cluster -e caas_kubernetes=true -e caas_k8s_version=%s" % NEW \
        in info.value.message


def test_several_recorded_versions_mean_a_stopped_upgrade():
    vms = [vm("master", 0, NEW), vm("worker", 0, NEW), vm("worker", 1, OLD)]
    with pytest.raises(VersionError) as info:
        cluster_version(vms, None, DEFAULT)
    assert "%s (demo-worker-1) and %s (demo-master-0, demo-worker-0)" % (OLD, NEW) in info.value.message
    assert "-e caas_k8s_version=%s" % NEW in info.value.message
    # the newest by number, not by text
    with pytest.raises(VersionError, match="caas_k8s_version=v1.10.0"):
        cluster_version([vm("master", 0, "v1.9.3"), vm("worker", 0, "v1.10.0")])


def test_running_versions_stand_in_for_missing_metadata_and_other_vms_are_ignored():
    registry = {"name": "demo-registry", "metadata": {"caas_role": "registry", "caas_k8s_version": "v9.9.9"}}
    assert recorded_versions(cluster(None) + [registry], {"demo-master-0": OLD}) == {OLD: ["demo-master-0"]}
    assert k8s_cluster_version(cluster(None) + [registry], running={"demo-master-0": OLD}) == OLD


def test_the_filter_refuses_with_a_clear_message():
    with pytest.raises(AnsibleFilterError, match="^Refusing: the cluster runs Kubernetes v1.33.13"):
        k8s_cluster_version(cluster(OLD), requested=NEW, default=DEFAULT)
    with pytest.raises(AnsibleFilterError, match="set caas_k8s_version"):
        k8s_cluster_version(cluster(None))
    assert k8s_cluster_version(cluster(None), requested=None, default=DEFAULT) == DEFAULT


def test_k8s_plan_carries_the_version_and_names_a_conflict_with_the_other_problems():
    plan = k8s_plan(cluster(OLD) + [vm("worker", 2)], default_version=DEFAULT, **CIDRS)
    assert (plan["version"], plan["version_source"]) == (OLD, "recorded")
    plan = k8s_plan(cluster(None), k8s_version=OLD, default_version=DEFAULT, **CIDRS)
    assert (plan["version"], plan["version_source"]) == (OLD, "requested")
    assert k8s_plan(cluster(None), default_version=DEFAULT, **CIDRS)["version"] == DEFAULT
    with pytest.raises(AnsibleFilterError) as info:
        k8s_plan([vm("master", 0, OLD)], k8s_version=NEW, default_version=DEFAULT, **CIDRS)
    assert "it has no workers" in str(info.value) and "the cluster runs Kubernetes %s" % OLD in str(info.value)
