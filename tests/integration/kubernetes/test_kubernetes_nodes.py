# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Kubernetes for real on VMs made by the LXC CPI: create_cluster, then kubernetes_nodes (pki -> registry -> etcd
-> master -> worker -> smoke test), then workloads, every image pulled from the cluster's registry (nothing
side-loaded). 1 master + 2 workers at v1.34 (k8sa, 10.243.0.0/24), then 3 masters + 2 workers at v1.33 (k8sb,
10.243.1.0/24) with one master killed, both clusters running side by side, then both deleted.
Bad requests are refused before anything changes, every problem of one request named at once (one run for the
problems the plan finds, one for a version that cannot be had), which also keeps the number of runs down.

Everything runs in a private LXC state dir and PKI dir and is deleted afterwards, also when a test fails.
Needs the cached binaries (scripts/build-k8s.sh) and the node stemcell (built into the cache on first use).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import time

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers
from integration.cluster_env import NODE_STEMCELL, ClusterEnv, flat, kubectl_bin, ssh
from integration.polling import wait_for

VERSION = "v1.34.4"
OLDER = "v1.33.13"
REGISTRY = "10.243.0.5:5000"
PAUSE = REGISTRY + "/library/pause:3.10.1"
BUSYBOX = REGISTRY + "/library/busybox:1.35.0"
BUSYBOX_K8SB = "10.243.1.5:5000/library/busybox:1.35.0"
RESULTS = os.environ.get("CAAS_K8S_RESULTS", "")

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


def plan(masters, workers):
    return json.dumps({"caas_plan": "k8stest", "caas_plans": {"k8stest": {
        "masters": masters, "workers": workers, "master_vm": {"cpu": 2, "ram": 2048},
        "worker_vm": {"cpu": 2, "ram": 2048}, "persistent_disk_mb": 256}}})


@pytest.fixture(scope="module")
def env():
    if os.geteuid() != 0 or not shutil.which("lxc-start"):
        pytest.fail("needs root and LXC")
    for version in (VERSION, OLDER):
        if not os.access(kubectl_bin(version), os.X_OK):
            pytest.skip("Kubernetes %s is not in the cache (run scripts/build-k8s.sh)" % version)
    # k8sa (v1.34) on 10.243.0.0/24, k8sb (v1.33) on 10.243.1.0/24: both run at once.
    environment = ClusterEnv("caas-k8s-test-", "10.243.0.0/24")
    environment.deleted = set()  # clusters the last test deleted already: no second delete_cluster run in teardown
    yield environment
    environment.destroy(tuple(c for c in ("k8sa", "k8sb") if c not in environment.deleted))
    if RESULTS:
        with open(RESULTS, "w") as handle:
            json.dump(environment.results, handle, indent=2, sort_keys=True)
    print("\nkubernetes results: %s" % json.dumps(environment.results, sort_keys=True))


WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
           labelSelector: {matchLabels: {app: web}}}
      containers:
        - name: web
          image: %s
          command: [sh, -c, 'echo started on $(hostname); while true; do printf "HTTP/1.0 200 OK\\r\\n\\r\\nhello from $(hostname)\\n" | nc -l -p 8080; done']
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
""" % BUSYBOX


def test_one_master_two_workers(env):
    cluster, master = "k8sa", "10.243.0.10"
    rc, out, _ = env.playbook("create_cluster.yml", cluster, "-e", plan(1, 2), *NODE_STEMCELL)
    assert rc == 0, out[-3000:]

    # A version that cannot be had: refused before anything changes (no PKI directory is made for the cluster).
    # (Overlapping CIDRs and a malformed version are refused on k8sb, with its even master count, in one run.)
    rc, out, _ = env.playbook("kubernetes_nodes.yml", cluster, "-e", "caas_k8s_version=v1.99.0")
    assert rc != 0 and "v1.99" in out, out[-3000:]
    assert not os.path.exists(os.path.join(env.pki_dir, cluster))

    rc, out, seconds = env.playbook("kubernetes_nodes.yml", cluster)
    assert rc == 0, out[-5000:]
    env.results["1m2w_vms_up_to_all_ready_s"] = round(seconds, 1)
    # The smoke test at the end of the playbook ran a pod from the registry's busybox (and removed it).
    assert re.search(r"caas-smoke ok in caas-smoke-\S+ \(%s\)" % re.escape(BUSYBOX), out), out[-3000:]
    assert "caas-smoke" not in env.kubectl(cluster, master, "get", "jobs,pods", "-A", "--no-headers")

    nodes = env.kubectl(cluster, master, "get", "nodes", "--no-headers")
    assert len(re.findall(r"^k8sa-worker-\d+\s+Ready\s", nodes, re.M)) == 2, nodes
    assert VERSION in nodes

    env.kubectl(cluster, master, "apply", "-f", "-", stdin=WEB)
    env.kubectl(cluster, master, "rollout", "status", "deploy/web", "--timeout=180s", timeout=200)
    pods = json.loads(env.kubectl(cluster, master, "get", "pods", "-l", "app=web", "-o", "json"))["items"]
    by_node = {}
    for pod in pods:
        by_node.setdefault(pod["spec"]["nodeName"], []).append(pod)
    assert sorted(by_node) == ["k8sa-worker-0", "k8sa-worker-1"], by_node.keys()

    # A ClusterIP service answers from a pod on the other worker; pod IPs route between workers.
    client = by_node["k8sa-worker-0"][0]
    remote = by_node["k8sa-worker-1"][0]
    service_ip = env.kubectl(cluster, master, "get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}").strip()
    remote_names = [p["metadata"]["name"] for p in by_node["k8sa-worker-1"]]
    answers = set()
    for _ in range(8):  # until a pod on the other worker answered (kube-proxy picks a backend at random)
        out = env.kubectl(cluster, master, "exec", client["metadata"]["name"], "--", "sh", "-c",
                          "echo | nc -w 3 %s 80" % service_ip, check=False)
        answers.update(re.findall(r"hello from (\S+)", out))
        if answers & set(remote_names):
            break
    assert answers & set(remote_names), answers
    out = env.kubectl(cluster, master, "exec", client["metadata"]["name"], "--", "sh", "-c",
                      "echo | nc -w 3 %s 8080" % remote["status"]["podIP"])
    assert "hello from %s" % remote["metadata"]["name"] in out

    # logs and exec (apiserver -> kubelet with client certificates; kubelet refuses anonymous requests).
    assert "started on %s" % remote["metadata"]["name"] in env.kubectl(cluster, master, "logs", remote["metadata"]["name"])
    assert env.kubectl(cluster, master, "exec", remote["metadata"]["name"], "--", "hostname").strip() == remote["metadata"]["name"]
    anonymous = subprocess.run(["python3", "-c", "import ssl,urllib.request,sys\n"
                                "c=ssl._create_unverified_context()\n"
                                "try:\n urllib.request.urlopen('https://10.243.0.20:10250/pods', context=c, timeout=5)\n"
                                "except Exception as e: print(getattr(e, 'code', e))"],
                               stdout=subprocess.PIPE, universal_newlines=True, timeout=30).stdout.strip()
    assert anonymous == "401", anonymous

    # Ports: only these listen beyond loopback (sshd, kubelet; apiserver and etcd on masters).
    for ip, allowed in (("10.243.0.10", {22, 6443, 2379, 2380}), ("10.243.0.20", {22, 10250})):
        listeners = ssh(ip, "ss -ltnH").stdout.split("\n")
        exposed = set()
        for line in filter(None, listeners):
            address = line.split()[3]
            host, port = address.rsplit(":", 1)
            if host not in ("127.0.0.1", "[::1]"):
                exposed.add(int(port))
        assert exposed == allowed, (ip, listeners)
    # Nothing side-loaded: each worker holds pause and busybox under the registry's names only, containerd pulled
    # them (its CRI log), and the registry served their manifests to that worker's containerd as an authorized user.
    served = ssh(REGISTRY.split(":")[0], "journalctl -u docker-registry --no-pager -o cat").stdout
    for ip in ("10.243.0.20", "10.243.0.21"):
        images = [ref for ref in ssh(ip, "ctr -n k8s.io images ls -q").stdout.split() if not ref.startswith("sha256:")]
        assert {PAUSE, BUSYBOX} <= set(images) and all(ref.startswith(REGISTRY + "/library/") for ref in images), (ip, images)
        assert 'PullImage \\"%s\\" returns image reference' % BUSYBOX in ssh(ip, "journalctl -u containerd --no-pager -o cat").stdout
        for name in ("pause", "busybox"):
            assert re.search(r'^%s - - \[[^]]+\] "GET /v2/library/%s/manifests/\S+ HTTP/1.1" 200 .*"containerd/'
                             % (re.escape(ip), name), served, re.M), (ip, name, served[-2000:])
    node = ssh("10.243.0.20", "cat /etc/containerd/certs.d/%s/hosts.toml; stat -c %%a /etc/containerd/certs.d/%s/hosts.toml; "
                                  "grep sandbox_image /etc/containerd/config.toml" % (REGISTRY, REGISTRY)).stdout
    assert 'ca = "/etc/kubernetes/pki/ca-bundle.crt"' in node and 'Authorization = "Basic ' in node, node
    assert "\n600\n" in node and 'sandbox_image = "%s"' % PAUSE in node, node

    units = ssh("10.243.0.20", "systemctl is-active containerd kubelet kube-proxy caas-apiserver-proxy caas-pod-routes")
    assert units.stdout.split() == ["active"] * 5, units.stdout
    modes = ssh("10.243.0.20", "stat -c '%a %n' /etc/kubernetes/kubelet.conf /var/lib/kubelet/pki/kubelet.key "
                                   "/etc/kubernetes/kubelet-config.yaml; ls /etc/kubernetes/pki")
    assert "600 /etc/kubernetes/kubelet.conf" in modes.stdout and "600 /var/lib/kubelet/pki/kubelet.key" in modes.stdout
    assert "ca.key" not in modes.stdout, modes.stdout
    # Its idle memory is read in the last test, after it idled through the next one (no sleep here).


def test_three_masters_survive_losing_one(env):
    # The older minor version, on its own segment, while k8sa (VERSION) keeps running: two versions side by side.
    cluster, cidr, version = "k8sb", "10.243.1.0/24", ["-e", "caas_k8s_version=" + OLDER]
    rc, out, _ = env.playbook("create_cluster.yml", cluster, "-e", plan(2, 2), *NODE_STEMCELL, nodes_cidr=cidr)
    assert rc == 0, out[-3000:]
    # Every problem of a bad request named at once, before anything changes (no PKI directory for the cluster):
    # an even master count, pod and service CIDRs overlapping the nodes', a malformed version.
    rc, out, _ = env.playbook("kubernetes_nodes.yml", cluster, "-e", "caas_pod_cidr=10.243.0.0/16",
                              "-e", "caas_service_cidr=10.243.1.128/25", "-e", "caas_k8s_version=1.34", nodes_cidr=cidr)
    refused = flat(out)
    assert rc != 0, out[-3000:]
    for message in ("it has 2 masters; etcd needs 1, 3 or 5", "the nodes CIDR 10.243.1.0/24 and the pod CIDR 10.243.0.0/16 must not overlap",
                    "the nodes CIDR 10.243.1.0/24 and the service CIDR 10.243.1.128/25 must not overlap",
                    "caas_k8s_version 1.34 is not a version like"):
        assert message in refused, (message, out[-3000:])
    assert not os.path.exists(os.path.join(env.pki_dir, cluster))

    rc, out, _ = env.playbook("create_cluster.yml", cluster, "-e", plan(3, 2), *NODE_STEMCELL, nodes_cidr=cidr)
    assert rc == 0, out[-3000:]
    rc, out, seconds = env.playbook("kubernetes_nodes.yml", cluster, *version, nodes_cidr=cidr)
    assert rc == 0, out[-5000:]
    env.results["3m2w_vms_up_to_all_ready_s"] = round(seconds, 1)

    health = ssh("10.243.1.10", "set -a; . /etc/kubernetes/etcdctl.env; etcdctl endpoint health --cluster")
    assert health.returncode == 0 and health.stdout.count("is healthy") == 3, health.stdout

    env.results["3m2w_idle_memory_mb"] = env.memory_mb(cluster)

    # Kill master 0 (no clean shutdown); the API keeps serving, writes reach the etcd quorum, and the workers'
    # local endpoint moves to the other masters, so new pods are scheduled and started.
    victim = env.vms(cluster)["k8sb-master-0"]
    Containers(os.path.join(env.state_dir, "vms")).stop(victim["cid"], kill=True)
    killed = time.time()
    # If master 0 led etcd, writes wait for the new leader's election (about a second, longer on a loaded host).
    wait_for(lambda: re.search(r"created|already exists", env.kubectl(
        cluster, "10.243.1.11", "create", "configmap", "after-kill", "--from-literal=a=b", check=False)),
             90, "a write through the apiserver after losing master 0")
    env.results["3m2w_write_recovered_after_kill_s"] = round(time.time() - killed, 1)
    env.kubectl(cluster, "10.243.1.12", "get", "configmap", "after-kill")
    env.kubectl(cluster, "10.243.1.11", "create", "deployment", "after-kill", "--image=" + BUSYBOX_K8SB,
                "--replicas=2", "--", "sleep", "3600")
    env.kubectl(cluster, "10.243.1.11", "rollout", "status", "deploy/after-kill", "--timeout=180s", timeout=200)
    wait_for(lambda: len(re.findall(r"\sReady\s", env.kubectl(cluster, "10.243.1.12", "get", "nodes", "--no-headers"))) == 2,
             60, "both workers Ready after losing master 0")
    health = ssh("10.243.1.11", "set -a; . /etc/kubernetes/etcdctl.env; etcdctl endpoint health --cluster")
    assert health.stdout.count("is healthy") == 2, health.stdout


def test_two_versions_side_by_side_then_deleted(env):
    """k8sa and k8sb run at once at two minor versions, each on its own segment with its own registry."""
    # k8sa has idled since the first test.
    memory = env.memory_mb("k8sa")
    env.results["1m2w_idle_memory_mb"] = memory
    assert memory
    for cluster, server, version in (("k8sa", "10.243.0.10", VERSION), ("k8sb", "10.243.1.11", OLDER)):
        assert json.loads(env.kubectl(cluster, server, "version", "-o", "json"))["serverVersion"]["gitVersion"] == version
        nodes = json.loads(env.kubectl(cluster, server, "get", "nodes", "-o", "json"))["items"]
        ready = [n["metadata"]["name"] for n in nodes if n["status"]["nodeInfo"]["kubeletVersion"] == version
                 and any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])]
        assert sorted(ready) == [cluster + "-worker-0", cluster + "-worker-1"], (cluster, nodes)

    for cluster in ("k8sa", "k8sb"):
        rc, out, _ = env.playbook("delete_cluster.yml", cluster)
        assert rc == 0, out[-3000:]
        # The registry VM and its disk go with the cluster (found by their caas_cluster metadata like the nodes).
        assert env.vms(cluster) == {} and env.disks(cluster) == {}
        env.deleted.add(cluster)
