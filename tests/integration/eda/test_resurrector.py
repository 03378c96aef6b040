# -*- coding: utf-8 -*-
"""The resurrector for real: ansible-rulebook runs our rulebook and event source; a worker is killed; it comes back."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)
CLUSTER = ["-e", "caas_cluster_name=eda", "-e", "caas_nodes_cidr=10.237.0.0/24", "-e", "caas_workers=1"]

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


def _env(state_dir):
    return dict(os.environ, CAAS_LXC_STATE_DIR=state_dir, CAAS_CLUSTER="eda", ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "pyroot"),
                PATH=os.pathsep.join([BIN, os.environ.get("PATH", "")]))


def _playbook(state_dir, name):
    return subprocess.run([os.path.join(BIN, "ansible-playbook"), os.path.join(ROOT, "playbooks", name)] + CLUSTER,
                          env=_env(state_dir), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=900, check=False)


def _worker(state_dir):
    directory = os.path.join(state_dir, "records", "vms")
    for name in os.listdir(directory):
        with open(os.path.join(directory, name)) as handle:
            record = json.load(handle)
        if record["name"] == "eda-worker-0":
            return record
    return None


def _ssh_ok(ip):
    return subprocess.run(["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                           "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=2", "root@" + ip, "mountpoint -q /var/vcap/store"],
                          check=False, timeout=10).returncode == 0


def test_a_killed_worker_is_recreated_by_the_rulebook():
    if not shutil.which("java") and not os.path.exists("/usr/lib/jvm"):
        pytest.fail("ansible-rulebook needs Java 17 (scripts/install.sh installs openjdk-17-jre-headless)")
    state_dir = tempfile.mkdtemp(prefix="caas-eda-test-")
    log = open(os.path.join(state_dir, "rulebook.log"), "w+")
    rulebook = None
    try:
        created = _playbook(state_dir, "create_cluster.yml")
        assert created.returncode == 0, created.stdout[-3000:]
        rulebook = subprocess.Popen(
            [os.path.join(BIN, "ansible-rulebook"), "-r", os.path.join(ROOT, "extensions", "eda", "rulebooks", "resurrector.yml"),
             "-i", os.path.join(ROOT, "inventories", "local", "hosts.yml"), "--env-vars", "CAAS_CLUSTER", "-v"],
            env=_env(state_dir), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        time.sleep(15)  # the JVM and the first probe
        assert rulebook.poll() is None, open(log.name).read()[-3000:]
        before = _worker(state_dir)
        ip = list(before["networks"].values())[0]["ip"]
        lost = time.time()
        subprocess.run(["lxc-stop", "-P", os.path.join(state_dir, "vms"), "-n", before["cid"], "-k"], check=True)
        recreated = None
        while time.time() - lost < 150:
            record = _worker(state_dir)
            if record and record["cid"] != before["cid"] and _ssh_ok(ip):
                recreated = time.time() - lost
                break
            time.sleep(1)
        output = open(log.name).read()
        assert recreated is not None, output[-4000:]
        assert "PLAY [Heal cluster eda]" in output, output[-4000:]
        sys.stderr.write("resurrector: worker lost -> recreated and SSH-ready with its disk in %.1fs\n" % recreated)
        assert recreated <= 90
        assert _worker(state_dir)["disks"] == before["disks"]
    finally:
        if rulebook and rulebook.poll() is None:
            os.killpg(rulebook.pid, signal.SIGTERM)
            try:
                rulebook.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(rulebook.pid, signal.SIGKILL)
        _playbook(state_dir, "delete_cluster.yml")
        log.close()
        shutil.rmtree(state_dir, ignore_errors=True)
