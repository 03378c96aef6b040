# -*- coding: utf-8 -*-
"""create_cluster and delete_cluster through ansible-playbook, on real LXC VMs."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
CLUSTER = ["-e", "caas_cluster_name=pbt", "-e", "caas_nodes_cidr=10.247.0.0/24"]

pytestmark = pytest.mark.lxc


@pytest.fixture(scope="module")
def state_dir():
    path = tempfile.mkdtemp(prefix="caas-playbook-test-")
    yield path
    playbook(path, "delete_cluster.yml", *CLUSTER)
    shutil.rmtree(path, ignore_errors=True)


def playbook(state_dir, name, *args):
    env = dict(os.environ, CAAS_LXC_STATE_DIR=state_dir, CAAS_PKI_DIR=os.path.join(state_dir, "pki"),
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run([PLAYBOOK_BIN, os.path.join(ROOT, "playbooks", name)] + list(args), cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    return proc.returncode, proc.stdout


SSH = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
       "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"]


def vm_records(state_dir):
    """The LXC provider's VM records by name, as a fresh controller would read them."""
    import json
    records = {}
    directory = os.path.join(state_dir, "records", "vms")
    for name in os.listdir(directory):
        with open(os.path.join(directory, name)) as handle:
            record = json.load(handle)
        records[record["name"]] = record
    return records


def ip_of(record):
    return list(record["networks"].values())[0]["ip"]


def ssh(ip, command):
    return subprocess.run(SSH + ["root@" + ip, command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60, check=False)


def recap(output):
    match = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert match, output[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


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
