# -*- coding: utf-8 -*-
"""resize_cluster and heal_cluster on real LXC VMs without Kubernetes (caas_kubernetes=false): cids, IPs and
persistent-disk data as the user sees them. The Kubernetes path, the meltdown guard, VMs deleted out of band and
bad requests are in tests/integration/lifecycle_k8s."""

import os
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from integration.cluster_env import ip_of, recap, ssh, vm_playbook as playbook, vm_records as vms

CLUSTER = ["-e", "caas_cluster_name=lc", "-e", "caas_nodes_cidr=10.239.0.0/24"]
pytestmark = [pytest.mark.lxc, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster():
    state_dir = tempfile.mkdtemp(prefix="caas-lifecycle-test-")
    try:
        rc, out = playbook(state_dir, "create_cluster.yml", *CLUSTER)
        assert rc == 0, out[-3000:]
        yield state_dir
    finally:
        playbook(state_dir, "delete_cluster.yml", *CLUSTER)
        Cloud("lxc", {"lxc_state_dir": state_dir}).delete_everything()
        shutil.rmtree(state_dir, ignore_errors=True)


def stop_hard(state_dir, cid):
    subprocess.run(["lxc-stop", "-P", os.path.join(state_dir, "vms"), "-n", cid, "-k"], check=True)


def test_resize_up_then_down_keeps_existing_vms_and_the_removed_disk(cluster):
    before = vms(cluster)
    rc, out = playbook(cluster, "resize_cluster.yml", "-e", "caas_workers=3", *CLUSTER)
    assert rc == 0, out[-3000:]
    after = vms(cluster)
    assert set(after) == set(before) | {"lc-worker-2"} and ip_of(after["lc-worker-2"]) == "10.239.0.22"
    assert all(after[name]["cid"] == before[name]["cid"] for name in before)
    rc, out = playbook(cluster, "resize_cluster.yml", "-e", "caas_workers=3", *CLUSTER)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]

    rc, out = playbook(cluster, "resize_cluster.yml", "-e", "caas_workers=2", *CLUSTER)
    assert rc == 0, out[-3000:]
    assert set(vms(cluster)) == set(before)
    assert "Kept persistent disks of removed workers: lc-worker-2-store" in out
    assert any(name.endswith(".img") for name in os.listdir(os.path.join(cluster, "disks")))


def test_heal_a_killed_worker_keeps_ip_and_disk_data(cluster):
    worker = vms(cluster)["lc-worker-0"]
    ip = ip_of(worker)
    assert ssh(ip, "echo precious > /var/vcap/store/data && sync").returncode == 0
    stop_hard(cluster, worker["cid"])
    rc, out = playbook(cluster, "heal_cluster.yml", *CLUSTER)
    assert rc == 0, out[-3000:]
    assert "lc-worker-0 (the VM is stopped)" in out
    healed = vms(cluster)["lc-worker-0"]
    assert healed["cid"] != worker["cid"] and ip_of(healed) == ip and healed["disks"] == worker["disks"]
    assert ssh(ip, "cat /var/vcap/store/data").stdout.strip() == "precious"
    rc, out = playbook(cluster, "heal_cluster.yml", *CLUSTER)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]
