# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Kubernetes for real on VMs made by the LXC CPI: create_cluster, then kubernetes_nodes (pki -> registry -> etcd
-> master -> worker -> smoke test), then workloads, every image pulled from the cluster's registry (nothing
side-loaded). 1 master + 2 workers, then 3 masters + 2 workers with one master killed.

Everything runs in a private LXC state dir and PKI dir on the nodes CIDR 10.243.0.0/24 and is deleted afterwards.
Needs the cached binaries (scripts/build-k8s.sh) and the node stemcell (built into the cache on first use).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers
from integration.paths import CACHE, PLAYBOOK_BIN, ROOT
from integration.polling import wait_for

VERSION = "v1.34.4"
KUBECTL = os.path.join(CACHE, "k8s", VERSION, "bin", "kubectl")
NODES_CIDR = "10.243.0.0/24"
REGISTRY = "10.243.0.5:5000"
PAUSE = REGISTRY + "/library/pause:3.10.1"
BUSYBOX = REGISTRY + "/library/busybox:1.35.0"
STEMCELL = ["-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
RESULTS = os.environ.get("CAAS_K8S_RESULTS", "")

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


def plan(masters, workers):
    return json.dumps({"caas_plan": "k8stest", "caas_plans": {"k8stest": {
        "masters": masters, "workers": workers, "master_vm": {"cpu": 2, "ram": 2048},
        "worker_vm": {"cpu": 2, "ram": 2048}, "persistent_disk_mb": 256}}})


class Env:
    def __init__(self, root):
        self.root = root
        self.state_dir = os.path.join(root, "lxc")
        self.pki_dir = os.path.join(root, "pki")
        os.makedirs(self.pki_dir)
        self.results = {}

    def playbook(self, name, cluster, *args):
        env = dict(os.environ, CAAS_LXC_STATE_DIR=self.state_dir, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                   ANSIBLE_FORCE_COLOR="0")
        argv = [PLAYBOOK_BIN, os.path.join(ROOT, "playbooks", name), "-e", "caas_cluster_name=" + cluster,
                "-e", "caas_nodes_cidr=" + NODES_CIDR, "-e", "caas_pki_dir=" + self.pki_dir] + list(args)
        started = time.time()
        proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=1800)
        return proc.returncode, proc.stdout, time.time() - started

    def kubectl(self, cluster, master_ip, *args, check=True, timeout=120):
        proc = subprocess.run([KUBECTL, "--kubeconfig", os.path.join(self.pki_dir, cluster, "admin.conf"),
                               "--server", "https://%s:6443" % master_ip, "--request-timeout=20s"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=timeout)
        if check:
            assert proc.returncode == 0, proc.stdout
        return proc.stdout

    def vms(self, cluster):
        cloud = Cloud("lxc", {"lxc_state_dir": self.state_dir})
        return [vm for vm in cloud.list_vms() if vm.get("metadata", {}).get("caas_cluster") == cluster]

    def ssh(self, ip, command):
        return subprocess.run(["ssh", "-i", os.path.expanduser("~/.ssh/id_ed25519"), "-o", "StrictHostKeyChecking=no",
                               "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
                               "root@" + ip, command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=120)

    def memory_mb(self, cluster):
        """Idle memory per VM from its memory cgroup on the host: anonymous (rss) and working set (usage - inactive file)."""
        out = {}
        for vm in self.vms(cluster):
            base = "/sys/fs/cgroup/memory/lxc.payload.%s" % vm["cid"]
            if not os.path.isdir(base):
                continue
            with open(os.path.join(base, "memory.stat")) as handle:
                stat = dict((k, int(v)) for k, v in (line.split() for line in handle))
            with open(os.path.join(base, "memory.usage_in_bytes")) as handle:
                usage = int(handle.read())
            out[vm["name"]] = {"rss_mb": stat["total_rss"] // 2 ** 20,
                               "working_set_mb": (usage - stat["total_inactive_file"]) // 2 ** 20}
        return out


@pytest.fixture(scope="module")
def env():
    if os.geteuid() != 0 or not shutil.which("lxc-start"):
        pytest.fail("needs root and LXC")
    if not os.access(KUBECTL, os.X_OK):
        pytest.skip("Kubernetes %s is not in the cache (run scripts/build-k8s.sh)" % VERSION)
    root = tempfile.mkdtemp(prefix="caas-k8s-test-")
    environment = Env(root)
    yield environment
    for cluster in ("k8sa", "k8sb"):
        environment.playbook("delete_cluster.yml", cluster)
    Cloud("lxc", {"lxc_state_dir": environment.state_dir}).delete_everything()
    shutil.rmtree(root, ignore_errors=True)
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
    rc, out, _ = env.playbook("create_cluster.yml", cluster, "-e", plan(1, 2), *STEMCELL)
    assert rc == 0, out[-3000:]

    # Bad input: refused before anything changes (no PKI directory is made for the cluster).
    for args, message in (
        (["-e", "caas_pod_cidr=10.243.0.0/16"], "must not overlap"),
        (["-e", "caas_service_cidr=10.243.0.128/25"], "must not overlap"),
        (["-e", "caas_k8s_version=v1.99.0"], "v1.99"),
        (["-e", "caas_k8s_version=1.34"], "is not a version like"),
    ):
        rc, out, _ = env.playbook("kubernetes_nodes.yml", cluster, *args)
        assert rc != 0 and message in out, (args, out[-3000:])
        assert not os.path.exists(os.path.join(env.pki_dir, cluster)), args

    rc, out, seconds = env.playbook("kubernetes_nodes.yml", cluster)
    assert rc == 0, out[-5000:]
    env.results["1m2w_vms_up_to_all_ready_s"] = round(seconds, 1)
    # The smoke test at the end of the playbook ran a pod from the registry's busybox (and removed it).
    assert re.search(r"caas-smoke ok in caas-smoke-\S+ \(%s\)" % re.escape(BUSYBOX), out), out[-3000:]
    assert "caas-smoke" not in env.kubectl(cluster, master, "get", "jobs,pods", "-A", "--no-headers")

    nodes = env.kubectl(cluster, master, "get", "nodes", "--no-headers")
    assert len(re.findall(r"^k8sa-worker-\d+\s+Ready\s", nodes, re.M)) == 2, nodes
    assert VERSION in nodes

    proc = subprocess.run([KUBECTL, "--kubeconfig", os.path.join(env.pki_dir, cluster, "admin.conf"),
                           "--server", "https://%s:6443" % master, "apply", "-f", "-"], input=WEB,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stdout
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
    answers = set()
    for _ in range(8):
        out = env.kubectl(cluster, master, "exec", client["metadata"]["name"], "--", "sh", "-c",
                          "echo | nc -w 3 %s 80" % service_ip, check=False)
        answers.update(re.findall(r"hello from (\S+)", out))
    assert any(name.startswith("web-") and name in [p["metadata"]["name"] for p in by_node["k8sa-worker-1"]]
               for name in answers), answers
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
        listeners = env.ssh(ip, "ss -ltnH").stdout.split("\n")
        exposed = set()
        for line in filter(None, listeners):
            address = line.split()[3]
            host, port = address.rsplit(":", 1)
            if host not in ("127.0.0.1", "[::1]"):
                exposed.add(int(port))
        assert exposed == allowed, (ip, listeners)
    # Nothing side-loaded: each worker holds pause and busybox under the registry's names only, containerd pulled
    # them (its CRI log), and the registry served their manifests to that worker's containerd as an authorized user.
    served = env.ssh(REGISTRY.split(":")[0], "journalctl -u docker-registry --no-pager -o cat").stdout
    for ip in ("10.243.0.20", "10.243.0.21"):
        images = [ref for ref in env.ssh(ip, "ctr -n k8s.io images ls -q").stdout.split() if not ref.startswith("sha256:")]
        assert {PAUSE, BUSYBOX} <= set(images) and all(ref.startswith(REGISTRY + "/library/") for ref in images), (ip, images)
        assert 'PullImage \\"%s\\" returns image reference' % BUSYBOX in env.ssh(ip, "journalctl -u containerd --no-pager -o cat").stdout
        for name in ("pause", "busybox"):
            assert re.search(r'^%s - - \[[^]]+\] "GET /v2/library/%s/manifests/\S+ HTTP/1.1" 200 .*"containerd/'
                             % (re.escape(ip), name), served, re.M), (ip, name, served[-2000:])
    node = env.ssh("10.243.0.20", "cat /etc/containerd/certs.d/%s/hosts.toml; stat -c %%a /etc/containerd/certs.d/%s/hosts.toml; "
                                  "grep sandbox_image /etc/containerd/config.toml" % (REGISTRY, REGISTRY)).stdout
    assert 'ca = "/etc/kubernetes/pki/ca-bundle.crt"' in node and 'Authorization = "Basic ' in node, node
    assert "\n600\n" in node and 'sandbox_image = "%s"' % PAUSE in node, node

    units = env.ssh("10.243.0.20", "systemctl is-active containerd kubelet kube-proxy caas-apiserver-proxy caas-pod-routes")
    assert units.stdout.split() == ["active"] * 5, units.stdout
    modes = env.ssh("10.243.0.20", "stat -c '%a %n' /etc/kubernetes/kubelet.conf /var/lib/kubelet/pki/kubelet.key "
                                   "/etc/kubernetes/kubelet-config.yaml; ls /etc/kubernetes/pki")
    assert "600 /etc/kubernetes/kubelet.conf" in modes.stdout and "600 /var/lib/kubelet/pki/kubelet.key" in modes.stdout
    assert "ca.key" not in modes.stdout, modes.stdout

    time.sleep(20)
    memory = env.memory_mb(cluster)
    env.results["1m2w_idle_memory_mb"] = memory
    assert memory

    rc, out, _ = env.playbook("delete_cluster.yml", cluster)
    assert rc == 0, out[-3000:]
    # The registry VM and its disk go with the cluster (found by their caas_cluster metadata like the nodes).
    cloud = Cloud("lxc", {"lxc_state_dir": env.state_dir})
    assert env.vms(cluster) == []
    assert [d for d in cloud.list_disks() if (d.get("metadata") or {}).get("caas_cluster") == cluster] == []


def test_three_masters_survive_losing_one(env):
    cluster = "k8sb"
    rc, out, _ = env.playbook("create_cluster.yml", cluster, "-e", plan(2, 2), *STEMCELL)
    assert rc == 0, out[-3000:]
    rc, out, _ = env.playbook("kubernetes_nodes.yml", cluster)
    assert rc != 0 and "it has 2 masters; etcd needs 1, 3 or 5" in out, out[-3000:]
    assert not os.path.exists(os.path.join(env.pki_dir, cluster))

    rc, out, _ = env.playbook("create_cluster.yml", cluster, "-e", plan(3, 2), *STEMCELL)
    assert rc == 0, out[-3000:]
    rc, out, seconds = env.playbook("kubernetes_nodes.yml", cluster)
    assert rc == 0, out[-5000:]
    env.results["3m2w_vms_up_to_all_ready_s"] = round(seconds, 1)

    health = env.ssh("10.243.0.10", "set -a; . /etc/kubernetes/etcdctl.env; etcdctl endpoint health --cluster")
    assert health.returncode == 0 and health.stdout.count("is healthy") == 3, health.stdout

    env.results["3m2w_idle_memory_mb"] = env.memory_mb(cluster)

    # Kill master 0 (no clean shutdown); the API keeps serving, writes reach the etcd quorum, and the workers'
    # local endpoint moves to the other masters, so new pods are scheduled and started.
    victim = [vm for vm in env.vms(cluster) if vm["name"] == "k8sb-master-0"][0]
    Containers(os.path.join(env.state_dir, "vms")).stop(victim["cid"], kill=True)
    killed = time.time()
    # If master 0 led etcd, writes wait for the new leader's election (about a second, longer on a loaded host).
    wait_for(lambda: re.search(r"created|already exists", env.kubectl(
        cluster, "10.243.0.11", "create", "configmap", "after-kill", "--from-literal=a=b", check=False)),
             90, "a write through the apiserver after losing master 0")
    env.results["3m2w_write_recovered_after_kill_s"] = round(time.time() - killed, 1)
    env.kubectl(cluster, "10.243.0.12", "get", "configmap", "after-kill")
    env.kubectl(cluster, "10.243.0.11", "create", "deployment", "after-kill", "--image=" + BUSYBOX,
                "--replicas=2", "--", "sleep", "3600")
    env.kubectl(cluster, "10.243.0.11", "rollout", "status", "deploy/after-kill", "--timeout=180s", timeout=200)
    wait_for(lambda: len(re.findall(r"\sReady\s", env.kubectl(cluster, "10.243.0.12", "get", "nodes", "--no-headers"))) == 2,
             60, "both workers Ready after losing master 0")
    health = env.ssh("10.243.0.11", "set -a; . /etc/kubernetes/etcdctl.env; etcdctl endpoint health --cluster")
    assert health.stdout.count("is healthy") == 2, health.stdout
