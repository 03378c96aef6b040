# -*- coding: utf-8 -*-
"""upgrade_cluster on real LXC VMs: a new stemcell rolled canary-first with every disk kept; a canary that cannot
boot stops the roll and leaves the cluster on its old stemcell; a re-run after the fix completes."""

import json
import shutil
import tarfile
import tempfile

import pytest

from integration.cluster_env import ip_of, recap, records, ssh as ssh_ip, vm_playbook as playbook, vm_records as vms

CLUSTER = ["-e", "caas_cluster_name=up", "-e", "caas_nodes_cidr=10.236.0.0/24"]
V2 = ["-e", "caas_stemcell_version=2", "-e",
      json.dumps({"caas_stemcell_cloud_properties": {"debootstrap": {"suite": "bookworm", "extra_packages": ["less"]}}})]

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


def ssh(record, command):
    return ssh_ip(ip_of(record), command)


@pytest.fixture(scope="module")
def cluster():
    state_dir = tempfile.mkdtemp(prefix="caas-upgrade-test-")
    rc, out = playbook(state_dir, "create_cluster.yml", *CLUSTER)
    assert rc == 0, out[-3000:]
    for record in vms(state_dir).values():
        assert ssh(record, "echo kept-%s > /var/vcap/store/marker" % record["name"]).returncode == 0
    yield state_dir
    playbook(state_dir, "delete_cluster.yml", *CLUSTER)
    shutil.rmtree(state_dir, ignore_errors=True)


def test_check_mode_prints_the_plan_and_changes_nothing(cluster):
    before = dict((n, r["cid"]) for n, r in vms(cluster).items())
    rc, out = playbook(cluster, "upgrade_cluster.yml", "--check", *(CLUSTER + V2))
    assert rc == 0, out[-3000:]
    assert "1. canary: up-master-0" in out and "2. workers: up-worker-0" in out
    assert dict((n, r["cid"]) for n, r in vms(cluster).items()) == before


def test_a_canary_that_cannot_boot_stops_the_roll(cluster, tmp_path):
    broken = tmp_path / "broken.tar"
    (tmp_path / "root" / "etc").mkdir(parents=True)
    with tarfile.open(str(broken), "w") as tar:
        tar.add(str(tmp_path / "root"), arcname=".")
    before = vms(cluster)
    rc, out = playbook(cluster, "upgrade_cluster.yml", "-e", "caas_stemcell_version=broken", "-e",
                       json.dumps({"caas_stemcell_cloud_properties": {}}), "-e",
                       "stemcell_image_path=%s" % broken, *CLUSTER)
    assert rc != 0 and "Upgrade stopped at batch 1 (canary: up-master-0)" in out, out[-3000:]
    after = vms(cluster)
    assert set(after) == set(before)
    assert all(after[n]["stemcell_cid"] == before[n]["stemcell_cid"] for n in before)
    assert after["up-worker-0"]["cid"] == before["up-worker-0"]["cid"]          # later batches untouched
    assert ssh(after["up-master-0"], "cat /var/vcap/store/marker").stdout.strip() == "kept-up-master-0"


def test_roll_to_a_new_stemcell_keeps_every_disk_and_resumes(cluster):
    rc, out = playbook(cluster, "upgrade_cluster.yml", *(CLUSTER + V2))
    assert rc == 0, out[-3000:]
    target = records(cluster, "stemcells", key="version")["2"]["cid"]
    for name, record in vms(cluster).items():
        assert record["stemcell_cid"] == target
        assert ssh(record, "cat /var/vcap/store/marker").stdout.strip() == "kept-%s" % name
        assert ssh(record, "command -v less").returncode == 0                   # the new stemcell's difference
    rc, out = playbook(cluster, "upgrade_cluster.yml", *(CLUSTER + V2))
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]
