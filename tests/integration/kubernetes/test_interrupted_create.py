# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""A create_cluster cancelled (its process group killed, as Ctrl-C or an AWX cancel does) after it started its
registry's background run, then delete_cluster at once: the background run outlives the create, and
delete_cluster waits for it (roles/harbor tasks_from background_stop) before it looks for the cluster's VMs, so
nothing is left or made again afterwards: no VM, no disk, no run of the cluster's registry playbook.

Private LXC state dir and PKI dir, nodes CIDR 10.219.0.0/24; everything is deleted afterwards, even on failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import threading
import time

import pytest

from integration.cluster_env import NODE_STEMCELL, ClusterEnv, require_lxc_and_kubernetes

CLUSTER = "intr"
PLAN = json.dumps({"caas_plan": "intr", "caas_plans": {"intr": {
    "masters": 1, "workers": 1, "master_vm": {"cpu": 2, "ram": 2048}, "worker_vm": {"cpu": 2, "ram": 2048},
    "persistent_disk_mb": 256}}})

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


@pytest.fixture(scope="module")
def env():
    require_lxc_and_kubernetes()
    environment = ClusterEnv("caas-interrupted-", "10.219.0.0/24")
    yield environment
    for pid in registry_runs(environment.state_dir):
        os.kill(pid, signal.SIGKILL)
    environment.destroy()


def registry_runs(state_dir):
    """Pids of the ansible-playbook runs of registry.yml working on this state dir."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                argv = handle.read().split(b"\0")
            with open("/proc/%s/environ" % pid, "rb") as handle:
                environ = handle.read().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"/registry.yml") for a in argv) and any(b"ansible-playbook" in a for a in argv) \
                and ("CAAS_LXC_STATE_DIR=" + state_dir).encode() in environ:
            pids.append(int(pid))
    return pids


def held(lock):
    return os.path.exists(lock) and subprocess.run(["flock", "--nonblock", lock, "true"]).returncode != 0


def test_delete_after_a_cancelled_create_leaves_nothing(env):
    lock = os.path.join(env.pki_dir, CLUSTER, "registry", "background.lock")
    create = env.start("create_cluster.yml", CLUSTER, "-e", "caas_kubernetes=true", "-e", PLAN, *NODE_STEMCELL)
    output = []
    reader = threading.Thread(target=lambda: output.extend(create.stdout), daemon=True)
    reader.start()
    deadline = time.time() + 900
    while not held(lock):
        assert create.poll() is None, "create_cluster ended before its registry's background run started:\n" + \
            "".join(output)[-5000:]
        assert time.time() < deadline, "".join(output)[-5000:]
        time.sleep(0.5)
    os.killpg(create.pid, signal.SIGKILL)
    create.wait(timeout=60)
    reader.join(timeout=60)
    assert registry_runs(env.state_dir), "the background run should outlive the cancelled create"

    rc, out, _ = env.playbook("delete_cluster.yml", CLUSTER, timeout=1200)
    assert rc == 0, out[-5000:]
    assert "A background run of the registry is still going" in out, out[-5000:]
    assert "it ended" in out or "stopped it" in out, out[-5000:]
    for _check in range(2):  # right after the delete, and once more a few seconds later
        assert registry_runs(env.state_dir) == [], out[-5000:]
        left = [vm["name"] for vm in env.cloud().list_vms()] + [d["cid"] for d in env.cloud().list_disks()]
        assert left == [], left
        time.sleep(5)
    assert not os.path.exists(os.path.join(env.pki_dir, CLUSTER))
