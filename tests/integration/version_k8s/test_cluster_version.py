# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The cluster's Kubernetes version lives in the IaaS, on real LXC VMs: a cluster created at v1.33.13 (not the
default) records it in every node VM's caas_k8s_version metadata; resize +1 worker and heal a lost worker, told
neither the version nor that the cluster runs Kubernetes nor its stemcell, install v1.33.13 again; a different caas_k8s_version is refused by resize, heal and
kubernetes_nodes before anything changes, pointing at upgrade_cluster.

Private LXC state dir and PKI dir, nodes CIDR 10.226.0.0/24; everything is deleted afterwards, even on failure.
Needs the cached Kubernetes v1.33.13 and v1.34.4 (scripts/build-k8s.sh) and the node stemcell.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess

import pytest

from integration.cluster_env import NODE_STEMCELL, ClusterEnv, flat, kubectl_bin
from integration.polling import wait_for

OLD, NEW = "v1.33.13", "v1.34.4"
NAME, MASTER = "vrs", "10.226.0.10"
PLAN = ["-e", json.dumps({"caas_plan": "vrs", "caas_plans": {"vrs": {
    "masters": 1, "workers": 1, "master_vm": {"cpu": 2, "ram": 2048}, "worker_vm": {"cpu": 2, "ram": 2048},
    "persistent_disk_mb": 256}}})]

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


class Cluster(ClusterEnv):
    def run(self, name, *args):
        """(rc, output) of a playbook on cluster vrs. Only create is told it is Kubernetes and which stemcell:
        resize and heal find both in the IaaS."""
        rc, out, seconds = self.playbook(name, NAME, *(PLAN + list(args)))
        self.results.setdefault(name, []).append(seconds)
        return rc, out

    def nodes(self):
        return dict((name, vm) for name, vm in self.vms(NAME).items() if vm["metadata"].get("caas_role") in ("master", "worker"))

    def recorded(self):
        return dict((name, vm["metadata"].get("caas_k8s_version")) for name, vm in self.nodes().items())

    def kubelets(self):
        nodes = json.loads(self.kubectl(NAME, MASTER, "get", "nodes", "-o", "json"))["items"]
        return dict((n["metadata"]["name"], n["status"]["nodeInfo"]["kubeletVersion"]) for n in nodes
                    if any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"]))


@pytest.fixture(scope="module")
def cluster():
    if not all(os.access(kubectl_bin(v), os.X_OK) for v in (OLD, NEW)):
        pytest.skip("Kubernetes %s and %s must be in the cache (scripts/build-k8s.sh)" % (OLD, NEW))
    made = Cluster("caas-version-k8s-test-", "10.226.0.0/24")
    try:
        rc, out = made.run("create_cluster.yml", "-e", "caas_kubernetes=true", "-e", "caas_k8s_version=" + OLD, *NODE_STEMCELL)
        assert rc == 0, out[-5000:]
        yield made
    finally:
        made.destroy([NAME])
        print("\nversion_k8s playbook seconds: %s" % json.dumps(made.results, sort_keys=True))


def test_a_new_cluster_records_the_version_it_got(cluster):
    assert cluster.recorded() == {"vrs-master-0": OLD, "vrs-worker-0": OLD}
    assert cluster.kubelets() == {"vrs-worker-0": OLD}
    assert json.loads(cluster.kubectl(NAME, MASTER, "version", "-o", "json"))["serverVersion"]["gitVersion"] == OLD


def test_resize_without_a_version_adds_a_worker_at_the_clusters_version(cluster):
    rc, out = cluster.run("resize_cluster.yml", "-e", "caas_workers=2")
    assert rc == 0, out[-5000:]
    assert "The Kubernetes version - %s (recorded)" % OLD in out, out[-5000:]
    assert cluster.kubelets() == {"vrs-worker-0": OLD, "vrs-worker-1": OLD}
    assert cluster.recorded() == {"vrs-master-0": OLD, "vrs-worker-0": OLD, "vrs-worker-1": OLD}
    # the BOSH way: made from the stemcell of the cluster's VMs (their records), not from a stemcell name
    nodes = cluster.nodes()
    assert nodes["vrs-worker-1"]["stemcell_cid"] == nodes["vrs-worker-0"]["stemcell_cid"], nodes


@pytest.mark.parametrize("name, args", [
    ("resize_cluster.yml", ["-e", "caas_workers=3"]),
    ("heal_cluster.yml", []),
    ("kubernetes_nodes.yml", []),
])
def test_another_version_is_refused_before_anything_changes(cluster, name, args):
    before = dict((n, vm["cid"]) for n, vm in cluster.nodes().items())
    rc, out = cluster.run(name, "-e", "caas_k8s_version=" + NEW, *args)
    assert rc != 0, out[-3000:]
    message = flat(out)
    assert "the cluster runs Kubernetes %s (the caas_k8s_version metadata of its VMs) and caas_k8s_version=%s" % (
        OLD, NEW) in message, out[-3000:]
    assert "ansible-playbook ondemand.caas.upgrade_cluster -e caas_kubernetes=true -e caas_k8s_version=%s" % NEW in message
    assert dict((n, vm["cid"]) for n, vm in cluster.nodes().items()) == before
    assert cluster.kubelets() == {"vrs-worker-0": OLD, "vrs-worker-1": OLD}


def test_heal_without_a_version_brings_a_lost_worker_back_at_the_clusters_version(cluster):
    victim = cluster.nodes()["vrs-worker-1"]
    subprocess.run(["lxc-stop", "-k", "-P", os.path.join(cluster.state_dir, "vms"), "-n", victim["cid"]], check=True,
                   timeout=120)
    subprocess.run(["lxc-destroy", "-P", os.path.join(cluster.state_dir, "vms"), "-n", victim["cid"]], check=True,
                   timeout=120)
    rc, out = cluster.run("heal_cluster.yml")
    assert rc == 0, out[-5000:]
    assert "The Kubernetes version - %s (recorded)" % OLD in out, out[-5000:]
    assert cluster.nodes()["vrs-worker-1"]["cid"] != victim["cid"]
    wait_for(lambda: cluster.kubelets() == {"vrs-worker-0": OLD, "vrs-worker-1": OLD}, 120, "both workers Ready at " + OLD)
    assert cluster.recorded()["vrs-worker-1"] == OLD
    assert re.search(r"^vrs-worker-1\s+Ready\s", cluster.kubectl(NAME, MASTER, "get", "nodes", "--no-headers"), re.M)
