# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The hand path the collection is measured against: manual_install (1 master + 2 workers, nodes Ready, a pod
runs, the operator steps reported), then manual_resize (+1 worker) and manual_heal (a killed worker replaced,
its persistent disk's data read again by its pod). One cluster for the module, on 10.232.0.0/24, in its own LXC
state dir and work dir, all deleted afterwards.
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
import uuid

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from integration.cluster_env import kubectl, require_lxc_and_kubernetes, run_playbook, ssh

CLUSTER = "mhw"
NODES_CIDR = "10.232.0.0/24"

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


class Manual:
    def __init__(self, root):
        self.state_dir = os.path.join(root, "lxc")
        self.work_dir = os.path.join(root, "work")
        self.inventory = os.path.join(self.work_dir, "hosts.ini")

    def playbook(self, name, *args):
        rc, out, _ = run_playbook(name, args, self.state_dir, timeout=1200)
        assert rc == 0, out[-5000:]
        return out

    def vms(self, *args):
        """The IaaS part, made beforehand and not counted: VMs, disks, the static inventory."""
        return self.playbook("manual/vms.yml", "-e", "caas_cluster_name=" + CLUSTER, "-e", "caas_nodes_cidr=" + NODES_CIDR,
                             "-e", "manual_dir=" + self.work_dir, *args)

    def manual(self, name, *args):
        out = self.playbook(name, "-i", self.inventory, *args)
        match = re.search(r"%s: (\d+) operator steps" % name.split(".")[0], out)
        assert match, out[-3000:]
        return int(match.group(1)), out

    def kubectl(self, *args, **kwargs):
        return kubectl(os.path.join(self.work_dir, "admin.kubeconfig"), args, **kwargs)

    def ready_nodes(self):
        out = self.kubectl("get", "nodes", "--no-headers")
        return sorted(re.findall(r"^(\S+)\s+Ready\s", out, re.M))

    def vm(self, name):
        return [vm for vm in Cloud("lxc", {"lxc_state_dir": self.state_dir}).list_vms() if vm["name"] == name][0]


@pytest.fixture(scope="module")
def cluster():
    require_lxc_and_kubernetes()
    root = tempfile.mkdtemp(prefix="caas-manual-test-")
    manual = Manual(root)
    try:
        manual.vms()
        started = time.time()
        manual.install_steps, manual.install_out = manual.manual("manual_install.yml")
        manual.install_seconds = time.time() - started
        yield manual
    finally:
        Cloud("lxc", {"lxc_state_dir": manual.state_dir}).delete_everything()
        shutil.rmtree(root, ignore_errors=True)


def test_install_brings_up_ready_nodes_and_a_pod(cluster):
    print("\nmanual_install: %d operator steps, %.0f s" % (cluster.install_steps, cluster.install_seconds))
    assert cluster.ready_nodes() == ["mhw-worker-0", "mhw-worker-1"]
    pod = json.loads(cluster.kubectl("get", "pod", "manual-smoke", "-o", "json"))
    assert pod["status"]["phase"] == "Running", pod["status"]
    # Every Step reported its share, and the certificates alone are dozens of commands.
    assert "Step 2: the CA" in cluster.install_out and "Step 8: each worker" in cluster.install_out
    assert cluster.install_steps > 80, cluster.install_steps


def test_controller_steps_are_done_once(cluster):
    """Re-running the controller Steps (images, certificates, kubeconfigs) changes nothing: keys are not remade."""
    _, out = cluster.manual("manual_install.yml", "--tags", "step1,step2,step3")
    assert re.search(r"localhost\s+: ok=\d+\s+changed=0\s", out), out[-3000:]


def test_resize_adds_a_worker_by_hand(cluster):
    cluster.vms("-e", "caas_workers=3")
    steps, out = cluster.manual("manual_resize.yml", "-e", "manual_new_worker=mhw-worker-2")
    print("\nmanual_resize: %d operator steps" % steps)
    assert cluster.ready_nodes() == ["mhw-worker-0", "mhw-worker-1", "mhw-worker-2"]
    # The two existing workers each got a route to the new worker's pod subnet.
    assert "Step 3: on every other worker" in out
    assert steps > 20, steps


POD = """
apiVersion: v1
kind: Pod
metadata: {name: keeper}
spec:
  nodeName: mhw-worker-1
  # Stay bound to the node while it is gone (as a pod on a local PersistentVolume does).
  tolerations:
    - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}
    - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute}
  containers:
    - name: keeper
      image: manual.local/busybox:1.35.0
      command: [sh, -c, 'cat /data/token; exec sleep 86400']
      volumeMounts: [{name: data, mountPath: /data}]
  volumes:
    - {name: data, hostPath: {path: /var/vcap/store/keeper, type: Directory}}
"""


def test_heal_replaces_a_dead_worker_and_keeps_its_data(cluster):
    token = uuid.uuid4().hex
    worker_ip = "10.232.0.21"
    proc = ssh(worker_ip, "mkdir -p /var/vcap/store/keeper && echo %s > /var/vcap/store/keeper/token" % token)
    assert proc.returncode == 0, proc.stdout
    cluster.kubectl("apply", "-f", "-", stdin=POD)
    cluster.kubectl("wait", "--for=condition=Ready", "pod/keeper", "--timeout=300s", timeout=330)
    assert cluster.kubectl("exec", "keeper", "--", "cat", "/data/token").strip() == token

    dead = cluster.vm("mhw-worker-1")
    subprocess.run(["lxc-stop", "-P", os.path.join(cluster.state_dir, "vms"), "-n", dead["cid"], "-k"], check=True)
    cluster.vms("-e", "caas_workers=3", "-e", json.dumps({"manual_replace": ["mhw-worker-1"]}))
    assert cluster.vm("mhw-worker-1")["cid"] != dead["cid"]

    steps, _ = cluster.manual("manual_heal.yml", "-e", "manual_dead_worker=mhw-worker-1")
    print("\nmanual_heal: %d operator steps" % steps)
    assert "mhw-worker-1" in cluster.ready_nodes()
    cluster.kubectl("wait", "--for=condition=Ready", "pod/keeper", "--timeout=300s", timeout=330)
    pod = json.loads(cluster.kubectl("get", "pod", "keeper", "-o", "json"))
    assert pod["spec"]["nodeName"] == "mhw-worker-1"
    assert cluster.kubectl("exec", "keeper", "--", "cat", "/data/token").strip() == token
    assert steps > 20, steps
