# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The fast worker path for real on LXC VMs: kubernetes_nodes (imported by create_cluster, so the VMs and
Kubernetes come in one run) with the registry deployed in the background, the worker role's files in one round trip with restarts of only what changed (a second run changes nothing), and pod
routes that follow the Node objects, so after resize_cluster adds a worker, pods on the old and the new workers
reach each other.

Everything runs in a private LXC state dir and PKI dir on the nodes CIDR 10.228.0.0/24 and is deleted afterwards.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from integration.cluster_env import NODE_STEMCELL, ClusterEnv, recaps, require_lxc_and_kubernetes, ssh
from integration.polling import wait_for

CLUSTER = "wfast"
MASTER = "10.228.0.10"
WORKERS = {"wfast-worker-0": "10.228.0.20", "wfast-worker-1": "10.228.0.21", "wfast-worker-2": "10.228.0.22"}
BUSYBOX = "10.228.0.5:5000/library/busybox:1.35.0"
ANNOTATION = "caas.ondemand.io/pod-cidr"

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


def plan(workers):
    return json.dumps({"caas_plan": "wfast", "caas_plans": {"wfast": {
        "masters": 1, "workers": workers, "master_vm": {"cpu": 2, "ram": 2048},
        "worker_vm": {"cpu": 2, "ram": 2048}, "persistent_disk_mb": 256}}})


@pytest.fixture(scope="module")
def env():
    require_lxc_and_kubernetes()
    environment = ClusterEnv("caas-worker-fast-", "10.228.0.0/24")
    yield environment
    environment.destroy((CLUSTER,))
    print("\nworker fast results: %s" % json.dumps(environment.results, sort_keys=True))


def pod(name, node):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "wfast"}},
            "spec": {"nodeName": node, "containers": [{
                "name": "web", "image": BUSYBOX,
                "command": ["sh", "-c", 'while true; do printf "HTTP/1.0 200 OK\\r\\n\\r\\nhello from $(hostname)\\n" '
                            "| nc -l -p 8080; done"]}]}}


def routes(ip):
    return ssh(ip, "ip -4 route show proto 77").stdout


def test_nodes_ready_registry_in_background_idempotent(env):
    rc, out, seconds = env.playbook("create_cluster.yml", CLUSTER, "-e", plan(2), "-e", "caas_kubernetes=true", *NODE_STEMCELL)
    assert rc == 0, out[-5000:]
    env.results["create_with_kubernetes_s"] = seconds
    assert re.search(r"caas-smoke ok in caas-smoke-\S+ \(%s\)" % re.escape(BUSYBOX), out), out[-3000:]
    # The registry ran as its own playbook in the background and the node play did not wait for it.
    started = out.index("Start it (tasks_from background_wait waits for it)")
    assert started < out.index("PLAY [Wait until every worker is Ready]") < out.index("Wait until the background run ended"), out[-3000:]

    # Every worker file in one node_files call; the units all running.
    for ip in list(WORKERS.values())[:2]:
        units = ssh(ip, "systemctl is-active containerd kubelet kube-proxy caas-apiserver-proxy caas-pod-routes")
        assert units.stdout.split() == ["active"] * 5, (ip, units.stdout)
        modes = ssh(ip, "stat -c '%a %n' /etc/containerd/certs.d/10.228.0.5:5000/hosts.toml /etc/kubernetes/kubelet-config.yaml")
        assert "600 /etc/containerd/certs.d" in modes.stdout and "644 /etc/kubernetes/kubelet-config.yaml" in modes.stdout

    # Pod subnets published on the Nodes and routed between the workers (protocol 77).
    nodes = json.loads(env.kubectl(CLUSTER, MASTER, "get", "nodes", "-o", "json"))["items"]
    cidrs = dict((n["metadata"]["name"], n["metadata"]["annotations"].get(ANNOTATION)) for n in nodes)
    assert cidrs == {"wfast-worker-0": "10.200.0.0/24", "wfast-worker-1": "10.200.1.0/24"}, cidrs
    wait_for(lambda: "10.200.1.0/24 via 10.228.0.21" in routes("10.228.0.20"), 30, "route 10.200.1.0/24 via 10.228.0.21 on 10.228.0.20")
    assert "10.200.0.0/24" not in routes("10.228.0.20")

    # Second run, kubernetes_nodes alone: nothing changes anywhere, nothing restarts.
    restarted_before = ssh("10.228.0.20", "systemctl show -p NRestarts,ActiveEnterTimestamp kubelet containerd").stdout
    rc, out, seconds = env.playbook("kubernetes_nodes.yml", CLUSTER)
    assert rc == 0, out[-5000:]
    env.results["kubernetes_nodes_second_run_s"] = seconds
    changed = dict((host, r["changed"]) for host, r in recaps(out).items())
    assert set(changed.values()) == {0}, changed
    assert ssh("10.228.0.20", "systemctl show -p NRestarts,ActiveEnterTimestamp kubelet containerd").stdout == restarted_before


def test_pods_reach_each_other_after_resize_up(env):
    rc, out, seconds = env.playbook("resize_cluster.yml", CLUSTER, "-e", plan(2), "-e", "caas_workers=3",
                                    "-e", "caas_kubernetes=true", *NODE_STEMCELL)
    assert rc == 0, out[-5000:]
    env.results["resize_up_s"] = seconds
    # The existing workers were not touched by the playbook, yet they route to the new worker's pods.
    wait_for(lambda: "10.200.2.0/24 via 10.228.0.22" in routes("10.228.0.20"), 30, "route 10.200.2.0/24 via 10.228.0.22 on 10.228.0.20")
    wait_for(lambda: "10.200.0.0/24 via 10.228.0.20" in routes("10.228.0.22"), 30, "route 10.200.0.0/24 via 10.228.0.20 on 10.228.0.22")

    for name, node in (("wfast-a", "wfast-worker-0"), ("wfast-c", "wfast-worker-2")):
        env.kubectl(CLUSTER, MASTER, "apply", "-f", "-", stdin=json.dumps(pod(name, node)))
    env.kubectl(CLUSTER, MASTER, "wait", "pod", "-l", "app=wfast", "--for=condition=Ready", "--timeout=180s", timeout=200)
    ips = dict((p["metadata"]["name"], p["status"]["podIP"]) for p in
               json.loads(env.kubectl(CLUSTER, MASTER, "get", "pods", "-l", "app=wfast", "-o", "json"))["items"])
    assert ips["wfast-a"].startswith("10.200.0.") and ips["wfast-c"].startswith("10.200.2."), ips
    for client, server in (("wfast-a", "wfast-c"), ("wfast-c", "wfast-a")):
        out = env.kubectl(CLUSTER, MASTER, "exec", client, "--", "sh", "-c", "echo | nc -w 5 %s 8080" % ips[server])
        assert "hello from %s" % server in out, (client, server, out)

    # A Node that leaves loses its route within seconds (its kubelet registers it again right after).
    env.kubectl(CLUSTER, MASTER, "delete", "pod", "wfast-c", "--wait=false")
    ssh("10.228.0.22", "systemctl stop kubelet caas-pod-routes")
    env.kubectl(CLUSTER, MASTER, "delete", "node", "wfast-worker-2")
    wait_for(lambda: "10.200.2.0/24" not in routes("10.228.0.20"), 30, "no route 10.200.2.0/24 on 10.228.0.20")
    ssh("10.228.0.22", "systemctl start kubelet caas-pod-routes")
    wait_for(lambda: "10.200.2.0/24 via 10.228.0.22" in routes("10.228.0.20"), 60, "route 10.200.2.0/24 via 10.228.0.22 on 10.228.0.20")
