# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The issue's proof of a stemcell roll on real LXC VMs: a 3 masters + 3 workers cluster with Kubernetes is rolled
onto a second node stemcell (the same Debian, version 2, with a visible difference: /etc/caas-stemcell-release) while
a Deployment behind a PodDisruptionBudget serves pollers (one per worker, every 100 ms) that count every failed
request. Afterwards every VM runs on the new stemcell, every persistent disk is the same disk with its data, and every
etcd member holds all the keys written before the roll.

Gated by CAAS_LONG_TESTS (a 3+3 create and roll take 15-30 min on a shared 2-core machine). Private LXC state dir and
PKI dir, nodes CIDR 10.221.0.0/24; everything is deleted afterwards, even on failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

import pytest

from integration.cluster_env import NODE_STEMCELL
from integration.paths import CACHE
from integration.rolling_workload import STEMCELL, RollingCluster, poller, second_stemcell, web

NAME, CIDR = "up6", "10.221.0.0/24"
PLAN = json.dumps({"caas_plan": "up6", "caas_plans": {"up6": {
    "masters": 3, "workers": 3, "master_vm": {"cpu": 2, "ram": 2048}, "worker_vm": {"cpu": 2, "ram": 2048},
    "persistent_disk_mb": 256}}})
ARGS = ["-e", "caas_kubernetes=true", "-e", PLAN] + NODE_STEMCELL
KEYS = 200

pytestmark = [pytest.mark.lxc, pytest.mark.slow,
              pytest.mark.skipif(not os.environ.get("CAAS_LONG_TESTS"),
                                 reason="a 3+3 cluster and its stemcell roll take 15-30 min; set CAAS_LONG_TESTS=1")]


class Proof(RollingCluster):
    def __init__(self):
        super(Proof, self).__init__("caas-upgrade-3m3w-test-", NAME, CIDR, ARGS)

    def etcd_keys(self, name):
        """The proof keys one master's own etcd member holds (a serializable read: that member's data alone)."""
        out = self.on(name, "set -a; . /etc/kubernetes/etcdctl.env; ETCDCTL_ENDPOINTS=https://127.0.0.1:2379 "
                            "/usr/local/bin/etcdctl get /caas-proof/ --prefix --keys-only --consistency=s")
        return set(line for line in out.split() if line.startswith("/caas-proof/"))


@pytest.fixture(scope="module")
def proof():
    if not os.access(os.path.join(CACHE, "k8s", "v1.34.4", "bin", "kubelet"), os.X_OK):
        pytest.skip("Kubernetes v1.34.4 must be in the cache (scripts/build-k8s.sh)")
    made = Proof()
    try:
        rc, out, seconds = made.run("create_cluster.yml", timeout=3600)
        assert rc == 0, out[-5000:]
        made.results["create_3m3w_s"] = seconds
        yield made
    finally:
        made.destroy([NAME])
        print("\nupgrade_3m3w results: %s" % json.dumps(made.results, sort_keys=True))


def test_stemcell_roll_3m3w_keeps_disks_etcd_and_service(proof, tmp_path):
    image = second_stemcell(str(tmp_path))
    masters = proof.role("master")
    # data on every persistent disk, keys in etcd (written through one member, read back from each), a workload
    for name in proof.nodes():
        proof.on(name, "echo kept-%s > /var/vcap/store/proof" % name)
    proof.on(masters[0], "set -a; . /etc/kubernetes/etcdctl.env; for i in $(seq 1 %d); do "
                         "/usr/local/bin/etcdctl put /caas-proof/key-$i value-$i >/dev/null || exit 1; done" % KEYS)
    keys = proof.etcd_keys(masters[0])
    assert len(keys) == KEYS
    picture = proof.busybox()
    proof.k("apply", "-f", "-", stdin=web(picture, replicas=3))
    proof.k("rollout", "status", "deploy/web", "--timeout=300s", timeout=320)
    proof.k("apply", "-f", "-", stdin=poller(picture))
    proof.k("rollout", "status", "ds/poller", "--timeout=300s", timeout=320)
    deadline = time.time() + 120
    while proof.poller_counts()[0] < 30:
        assert time.time() < deadline, "the pollers get no answers: %r" % (proof.poller_counts(),)
        time.sleep(2)
    before = proof.nodes()
    disks = dict((n, d["cid"]) for n, d in proof.disks(NAME).items() if n in before)
    answered_before, failed_before = proof.poller_counts()

    rc, out, seconds = proof.run("upgrade_cluster.yml", "-e", "stemcell_version=2", "-e", "stemcell_image_path=" + image,
                                 timeout=3600)
    answered, failed = proof.poller_counts()
    failures = proof.failure_times()
    proof.results.update({"stemcell_roll_3m3w_s": seconds, "requests": answered - answered_before,
                          "failed_requests": failed - failed_before, "failed_at": failures,
                          "load_average": [round(x, 1) for x in os.getloadavg()]})
    assert rc == 0, out[-8000:]

    after = proof.nodes()
    assert sorted(after) == sorted(before) and len(after) == 6
    new_stemcell = set(vm["stemcell_cid"] for vm in after.values())
    assert len(new_stemcell) == 1 and new_stemcell.isdisjoint(vm["stemcell_cid"] for vm in before.values())
    for name in before:
        assert after[name]["cid"] != before[name]["cid"], name                     # recreated
        assert after[name]["ips"] == before[name]["ips"], name                     # same IP
        assert proof.on(name, "cat /etc/caas-stemcell-release").strip() == "%s 2" % STEMCELL, name
        assert proof.on(name, "cat /var/vcap/store/proof").strip() == "kept-" + name, name
    assert dict((n, d["cid"]) for n, d in proof.disks(NAME).items() if n in before) == disks
    for name in masters:
        assert proof.etcd_keys(name) == keys, name
    nodes = json.loads(proof.k("get", "nodes", "-o", "json"))["items"]
    assert all(not n["spec"].get("unschedulable") for n in nodes)
    assert all(c["status"] == "True" for n in nodes for c in n["status"]["conditions"] if c["type"] == "Ready")
    assert answered - answered_before > seconds * 2, proof.results          # the pollers ran through the whole roll
    assert failed == failed_before == 0, proof.results
