# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The cluster lifecycle with Kubernetes, on real LXC VMs: create (its controller killed half-way, then re-run),
converge with nothing changed, a pod writing to a local PersistentVolume on a worker's persistent disk, the article's
case (the PV pod's VM destroyed, healed with its disk, the pod reading its data again), resize up (the existing
workers untouched, the new one from their stemcell, a second run changing nothing), resize down through a
PodDisruptionBudget, the meltdown guard, bad requests, delete.

One cluster (1 master, 2 workers) for the module, in a private LXC state dir and PKI dir on 10.235.0.0/24; the
tests run in file order and each builds on the one before. Needs the cached Kubernetes binaries.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import signal
import subprocess
import time

import pytest

from integration.cluster_env import NODE_STEMCELL, ClusterEnv, flat, ip_of, recaps, require_lxc_and_kubernetes, ssh
from integration.polling import wait_for

NAME = "lck"
MASTER = "10.235.0.10"

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


class Lifecycle(ClusterEnv):
    """ClusterEnv bound to cluster lck: every playbook told it runs Kubernetes from the node stemcell (as a user
    would, though resize and heal find both in the IaaS), kubectl against its master, its VMs and disks."""

    ARGS = ["-e", "caas_kubernetes=true"] + NODE_STEMCELL

    def run(self, name, *args):
        rc, out, seconds = self.playbook(name, NAME, *(self.ARGS + list(args)))
        self.results.setdefault(name, []).append(seconds)
        return rc, out

    def k(self, *args, **kwargs):
        return self.kubectl(NAME, MASTER, *args, **kwargs)

    def ip(self, node):
        return ip_of(self.vms(NAME)[node])


def create_killed_half_way(cluster):
    """create_cluster until the first change on a worker, then SIGKILL the controller (ansible-playbook and its forks)."""
    proc = cluster.start("create_cluster.yml", NAME, *cluster.ARGS)
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if re.match(r"changed: \[%s-worker-\d\]" % NAME, line):
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.stdout.close()
        rc = proc.wait(timeout=60)
    assert rc == -signal.SIGKILL, "".join(seen)[-3000:]


@pytest.fixture(scope="module")
def cluster():
    require_lxc_and_kubernetes()
    made = Lifecycle("caas-lifecycle-k8s-", "10.235.0.0/24")
    try:
        create_killed_half_way(made)
        rc, out = made.run("create_cluster.yml")
        assert rc == 0, out[-5000:]
        # The registry's busybox (registry.yml's summary), or the worker role's local image before the registry.
        image = re.search(r"[\w.:-]+/library/busybox:[\w.]+", out)
        made.image = image.group(0) if image else "caas.local/busybox:1.35"
        yield made
    finally:
        made.destroy([NAME])
        print("\nlifecycle_k8s playbook seconds: %s" % json.dumps(made.results, sort_keys=True))


STATEFUL = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: data}
spec:
  serviceName: data
  replicas: 1
  selector: {matchLabels: {app: data}}
  template:
    metadata: {labels: {app: data}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: data
          image: %s
          command: [sh, -c, '[ -f /data/hello ] || echo "written by $(hostname) at $(date +%%s%%N)" > /data/hello; sleep 36000']
          volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {storageClassName: local, accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Mi}}}
"""


def data_pod(cluster):
    out = cluster.k("get", "pod", "data-0", "-o", "json", "--ignore-not-found", check=False)
    try:
        pod = json.loads(out or "{}")
    except ValueError:   # the apiserver not answering for a moment (a master under load)
        return None
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in pod.get("status", {}).get("conditions", []))
    return pod if ready else None


def test_create_converges_after_a_killed_controller_and_again_changes_nothing(cluster):
    nodes = cluster.k("get", "nodes", "--no-headers")
    assert len(re.findall(r"^lck-worker-[01]\s+Ready\s", nodes, re.M)) == 2, nodes
    rc, out = cluster.run("create_cluster.yml")
    assert rc == 0, out[-3000:]
    assert all(r["changed"] == 0 for r in recaps(out).values()), recaps(out)


def test_local_volumes_and_a_pod_writing_to_one(cluster):
    assert "WaitForFirstConsumer" in cluster.k("get", "storageclass", "local", "--no-headers")
    for worker in ("lck-worker-0", "lck-worker-1"):
        pvs = cluster.k("get", "pv", "-l", "ondemand.caas/node=" + worker, "-o", "name").split()
        assert pvs == ["persistentvolume/%s-vol%d" % (worker, i) for i in range(3)], pvs
    cluster.k("apply", "-f", "-", stdin=STATEFUL % cluster.image)
    pod = wait_for(lambda: data_pod(cluster), 240, "pod data-0 Ready")
    node = pod["spec"]["nodeName"]
    written = cluster.k("exec", "data-0", "--", "cat", "/data/hello").strip()
    assert written.startswith("written by data-0"), written
    pv = cluster.k("get", "pvc", "data-data-0", "-o", "jsonpath={.spec.volumeName}")
    assert pv.startswith(node + "-vol"), (pv, node)
    ip = cluster.ip(node)
    on_disk = ssh(ip, "cat /var/vcap/store/local-volumes/%s/hello" % pv[len(node) + 1:]).stdout.strip()
    assert on_disk == written


def test_the_articles_case_heal_brings_back_the_pv_pod_with_its_data(cluster):
    written = cluster.k("exec", "data-0", "--", "cat", "/data/hello").strip()
    node = data_pod(cluster)["spec"]["nodeName"]
    vm = cluster.vms(NAME)[node]
    ip = ip_of(vm)
    cluster.lxc("lxc-stop", vm["cid"])
    cluster.lxc("lxc-destroy", vm["cid"])
    lost = time.time()
    rc, out = cluster.run("heal_cluster.yml")
    assert rc == 0, out[-5000:]
    assert "%s (the VM is gone from the IaaS)" % node in flat(out), out[-3000:]
    assert recaps(out).get("lck-worker-0" if node == "lck-worker-1" else "lck-worker-1", {}).get("ok", 0) == 0
    healed = cluster.vms(NAME)[node]
    assert healed["cid"] != vm["cid"] and ip_of(healed) == ip
    assert healed["disks"] == vm["disks"]
    assert re.search(r"^%s\s+Ready\s" % node, cluster.k("get", "nodes", "--no-headers"), re.M)
    pod = wait_for(lambda: data_pod(cluster), 240, "pod data-0 Ready again")
    cluster.results["heal_loss_to_pod_ready_s"] = round(time.time() - lost, 1)
    assert pod["spec"]["nodeName"] == node
    assert cluster.k("exec", "data-0", "--", "cat", "/data/hello").strip() == written

    rc, out = cluster.run("heal_cluster.yml")
    assert rc == 0 and recaps(out)["localhost"]["changed"] == 0, out[-3000:]


def kubelet_starts(cluster, names):
    return dict((n, ssh(cluster.ip(n),
                        "systemctl show -p MainPID -p ActiveEnterTimestampMonotonic kubelet").stdout) for n in names)


def test_resize_up_joins_only_the_new_worker(cluster):
    before = cluster.vms(NAME)
    kubelets = kubelet_starts(cluster, ["lck-worker-0", "lck-worker-1"])
    rc, out = cluster.run("resize_cluster.yml", "-e", "caas_workers=3")
    assert rc == 0, out[-5000:]
    after = cluster.vms(NAME)
    assert set(after) == set(before) | {"lck-worker-2"}
    assert all(after[n]["cid"] == before[n]["cid"] for n in before)
    recap = recaps(out)
    for worker in ("lck-worker-0", "lck-worker-1"):
        assert recap.get(worker, {"ok": 0, "changed": 0})["ok"] == 0 and recap.get(worker, {}).get("changed", 0) == 0, recap
    assert "lck-registry" not in recap, recap                 # it serves every image: asked, not logged in to
    assert kubelet_starts(cluster, ["lck-worker-0", "lck-worker-1"]) == kubelets
    assert after["lck-worker-2"]["stemcell_cid"] == before["lck-worker-0"]["stemcell_cid"]
    assert re.search(r"^lck-worker-2\s+Ready\s", cluster.k("get", "nodes", "--no-headers"), re.M)
    assert cluster.k("get", "pv", "-l", "ondemand.caas/node=lck-worker-2", "-o", "name").split() == [
        "persistentvolume/lck-worker-2-vol%d" % i for i in range(3)]
    rc, out = cluster.run("resize_cluster.yml", "-e", "caas_workers=3")
    assert rc == 0 and all(r["changed"] == 0 for r in recaps(out).values()), recaps(out) or out[-3000:]


PINNED = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: pinned}
spec:
  replicas: 1
  selector: {matchLabels: {app: pinned}}
  template:
    metadata: {labels: {app: pinned}}
    spec:
      terminationGracePeriodSeconds: 1
      nodeSelector: {kubernetes.io/hostname: lck-worker-2}
      containers: [{name: pinned, image: %s, command: [sleep, "36000"]}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pinned}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: pinned}}
"""


def test_resize_down_drains_through_the_pdb_and_keeps_the_disk(cluster):
    cluster.k("apply", "-f", "-", stdin=PINNED % cluster.image)
    cluster.k("rollout", "status", "deploy/pinned", "--timeout=180s")
    rc, out = cluster.run("resize_cluster.yml", "-e", "caas_workers=2", "-e", "caas_drain_timeout=15")
    assert rc != 0 and "Draining node lck-worker-2 did not finish within 15 s" in flat(out), out[-3000:]
    assert "Nothing was deleted" in flat(out)
    assert "lck-worker-2" in cluster.vms(NAME)
    assert "SchedulingDisabled" in cluster.k("get", "node", "lck-worker-2", "--no-headers")
    assert cluster.k("get", "pods", "-l", "app=pinned", "-o", "jsonpath={.items[*].spec.nodeName}") == "lck-worker-2"

    cluster.k("delete", "pdb", "pinned")
    rc, out = cluster.run("resize_cluster.yml", "-e", "caas_workers=2")
    assert rc == 0, out[-5000:]
    assert "lck-worker-2" not in cluster.vms(NAME)
    assert "lck-worker-2" not in cluster.k("get", "nodes", "--no-headers")
    assert "Kept persistent disks of removed workers: lck-worker-2-store" in flat(out)
    assert "lck-worker-2" in cluster.disks(NAME) and not cluster.disks(NAME)["lck-worker-2"].get("vm_cid")
    cluster.k("delete", "deploy", "pinned")


def test_meltdown_guard_heals_nothing_then_heals_both(cluster):
    before = cluster.vms(NAME)
    for name in ("lck-worker-0", "lck-worker-1"):
        cluster.lxc("lxc-stop", before[name]["cid"])
    guard = ["-e", "caas_meltdown_min_count=2", "-e", "caas_meltdown_min_percent=50"]
    rc, out = cluster.run("heal_cluster.yml", *guard)
    assert rc != 0 and re.search(r"MELTDOWN: 2 of \d VMs of cluster lck went down", flat(out)), out[-3000:]
    assert dict((n, r["cid"]) for n, r in cluster.vms(NAME).items()) == dict((n, r["cid"]) for n, r in before.items())
    rc, out = cluster.run("heal_cluster.yml")
    assert rc == 0, out[-5000:]
    assert "lck-worker-0 (the VM is stopped)" in flat(out) and "lck-worker-1 (the VM is stopped)" in flat(out)
    nodes = cluster.k("get", "nodes", "--no-headers")
    assert len(re.findall(r"^lck-worker-[01]\s+Ready\s", nodes, re.M)) == 2, nodes


@pytest.mark.parametrize("name, args, message", [
    ("resize_cluster.yml", ["-e", "caas_cluster_name=nosuch", "-e", "caas_workers=2"], "cluster nosuch must exist"),
    ("resize_cluster.yml", ["-e", "caas_workers=0"], "caas_workers"),
    ("resize_cluster.yml", ["-e", "caas_workers=2", "-e", "caas_plan=medium"], "never changes the master count"),
    ("heal_cluster.yml", ["-e", "caas_cluster_name=nosuch"], "cluster nosuch has no VMs"),
])
def test_bad_requests_change_nothing(cluster, name, args, message):
    before = dict((n, r["cid"]) for n, r in cluster.vms(NAME).items())
    rc, out = cluster.run(name, *args)
    assert rc != 0 and message in flat(out), out[-3000:]
    assert dict((n, r["cid"]) for n, r in cluster.vms(NAME).items()) == before


def test_delete_leaves_nothing(cluster):
    rc, out = cluster.run("delete_cluster.yml")
    assert rc == 0, out[-3000:]
    assert cluster.vms(NAME) == {} and cluster.disks(NAME) == {}
    assert not os.path.exists("/sys/class/net/caas-" + NAME)
    assert cluster.state_dir not in subprocess.run(["losetup", "-a"], stdout=subprocess.PIPE,
                                                   universal_newlines=True).stdout
    listed = subprocess.run(["lxc-ls", "-P", os.path.join(cluster.state_dir, "vms")], stdout=subprocess.PIPE,
                            universal_newlines=True).stdout
    assert listed.strip() == ""
