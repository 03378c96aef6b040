# -*- coding: utf-8 -*-
"""create_cluster and delete_cluster through ansible-playbook, on real LXC VMs."""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from integration.cluster_env import recap, vm_playbook as playbook

CLUSTER = ["-e", "caas_cluster_name=pbt", "-e", "caas_nodes_cidr=10.247.0.0/24"]

pytestmark = pytest.mark.lxc


@pytest.fixture(scope="module")
def state_dir():
    path = tempfile.mkdtemp(prefix="caas-playbook-test-")
    yield path
    playbook(path, "delete_cluster.yml", *CLUSTER)
    shutil.rmtree(path, ignore_errors=True)


def test_create_converge_check_delete(state_dir):
    rc, out = playbook(state_dir, "create_cluster.yml", *CLUSTER)
    assert rc == 0, out[-3000:]
    assert re.search(r"pbt-master-0\s+master\s+10\.247\.0\.10\s+running", out)
    assert re.search(r"pbt-worker-1\s+worker\s+10\.247\.0\.21\s+running", out)
    assert "ansible-playbook ondemand.caas.delete_cluster -e caas_cluster_name=pbt" in out

    rc, out = playbook(state_dir, "create_cluster.yml", *CLUSTER)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]

    rc, out = playbook(state_dir, "create_cluster.yml", "--check", "--diff", *CLUSTER)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]

    # the PKI a Kubernetes run would have seeded (kubernetes_nodes.yml), deleted with the cluster
    pki = os.path.join(state_dir, "pki", "pbt")
    os.makedirs(pki)
    open(os.path.join(pki, "ca.crt"), "w").close()

    rc, out = playbook(state_dir, "delete_cluster.yml", "--check", *CLUSTER)
    assert rc == 0 and recap(out)["changed"] > 0, out[-3000:]
    assert os.listdir(os.path.join(state_dir, "records", "vms"))
    assert os.path.exists(os.path.join(pki, "ca.crt"))

    rc, out = playbook(state_dir, "delete_cluster.yml", *CLUSTER)
    assert rc == 0, out[-3000:]
    assert os.listdir(os.path.join(state_dir, "records", "vms")) == []
    assert os.listdir(os.path.join(state_dir, "records", "disks")) == []
    assert not os.path.exists("/sys/class/net/caas-pbt")
    assert not os.path.exists(pki)
    assert state_dir not in subprocess.run(["losetup", "-a"], stdout=subprocess.PIPE, universal_newlines=True).stdout

    rc, out = playbook(state_dir, "delete_cluster.yml", *CLUSTER)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]


@pytest.mark.parametrize("args, message", [
    (["-e", "caas_plan=huge"], "caas_plan must be one of"),
    (["-e", "caas_workers=0"], "at least one worker"),
    (["-e", "caas_cluster_name=Bad_Name"], "caas_cluster_name must be"),
])
def test_bad_requests_fail_before_anything_is_created(state_dir, args, message):
    rc, out = playbook(state_dir, "create_cluster.yml", *(CLUSTER + args))
    assert rc != 0 and message in out
    assert not os.path.exists(os.path.join(state_dir, "records", "vms")) or \
        os.listdir(os.path.join(state_dir, "records", "vms")) == []
