# -*- coding: utf-8 -*-
"""resize_cluster and heal_cluster on real LXC VMs: cids, IPs and persistent-disk data as the user sees them."""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from test_cluster_playbooks import ip_of, playbook, recap, ssh, vm_records as vms

CLUSTER = ["-e", "caas_cluster_name=lc", "-e", "caas_nodes_cidr=10.239.0.0/24"]
pytestmark = [pytest.mark.lxc, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster():
    state_dir = tempfile.mkdtemp(prefix="caas-lifecycle-test-")
    rc, out = playbook(state_dir, "create_cluster.yml", *CLUSTER)
    assert rc == 0, out[-3000:]
    yield state_dir
    playbook(state_dir, "delete_cluster.yml", *CLUSTER)
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


def test_heal_a_worker_deleted_out_of_band(cluster):
    worker = vms(cluster)["lc-worker-1"]
    stop_hard(cluster, worker["cid"])
    shutil.rmtree(os.path.join(cluster, "vms", worker["cid"]))
    rc, out = playbook(cluster, "heal_cluster.yml", *CLUSTER)
    assert rc == 0, out[-3000:]
    assert "lc-worker-1 (the VM is gone from the IaaS)" in out
    healed = vms(cluster)["lc-worker-1"]
    assert ip_of(healed) == ip_of(worker) and healed["disks"] == worker["disks"]
    assert ssh(ip_of(healed), "mountpoint -q /var/vcap/store").returncode == 0


def test_meltdown_guard_heals_nothing(cluster):
    before = vms(cluster)
    for name in ("lc-worker-0", "lc-worker-1"):
        stop_hard(cluster, before[name]["cid"])
    guard = ["-e", "caas_meltdown_min_count=2", "-e", "caas_meltdown_min_percent=50"]
    rc, out = playbook(cluster, "heal_cluster.yml", *(CLUSTER + guard))
    assert rc != 0 and re.search(r"MELTDOWN: 2 of 3 VMs of cluster lc went down", out), out[-3000:]
    assert dict((n, r["cid"]) for n, r in vms(cluster).items()) == dict((n, r["cid"]) for n, r in before.items())
    rc, out = playbook(cluster, "heal_cluster.yml", *CLUSTER)   # default guard (5 VMs): heals both
    assert rc == 0, out[-3000:]
    assert all(ssh(ip_of(r), "true").returncode == 0 for r in vms(cluster).values())


@pytest.mark.parametrize("name, args, message", [
    ("resize_cluster.yml", ["-e", "caas_cluster_name=nosuch", "-e", "caas_workers=2"], "cluster nosuch must exist"),
    ("resize_cluster.yml", ["-e", "caas_workers=0"] + CLUSTER, "caas_workers"),
    ("resize_cluster.yml", ["-e", "caas_workers=2", "-e", "caas_plan=medium"] + CLUSTER, "never changes the master count"),
    ("heal_cluster.yml", ["-e", "caas_cluster_name=nosuch"], "cluster nosuch has no VMs"),
])
def test_bad_requests(cluster, name, args, message):
    before = dict((n, r["cid"]) for n, r in vms(cluster).items())
    rc, out = playbook(cluster, name, *args)
    assert rc != 0 and message in out, out[-3000:]
    assert dict((n, r["cid"]) for n, r in vms(cluster).items()) == before
