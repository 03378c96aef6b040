# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Fixtures for the registry tests: ansible-playbook runs with an isolated LXC state dir and PKI dir, the
registry of playbooks/registry.yml on segment 10.242.0.0/24, real skopeo clients."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)
CLUSTER = "h7t"
CIDR = "10.242.0.0/24"
REGISTRY_IP = "10.242.0.5"
REGISTRY = REGISTRY_IP + ":5000"
SSH = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
       "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"]


class Runner(object):
    """ansible-playbook with this test session's state dirs; results as JSON (callback caas_results)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.lxc_dir = os.path.join(workdir, "lxc")
        self.pki_dir = os.path.join(workdir, "pki")
        os.makedirs(self.lxc_dir)
        self.env = dict(os.environ, CAAS_LXC_STATE_DIR=self.lxc_dir, CAAS_PKI_DIR=self.pki_dir,
                        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                        ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "pyroot"),
                        ANSIBLE_STDOUT_CALLBACK="caas_results",
                        ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(os.path.dirname(__file__)), "callback_plugins"),
                        ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
        self.extra = {"caas_cluster_name": CLUSTER, "caas_nodes_cidr": CIDR}

    def playbook(self, path_or_plays, extra=None, inventory=None, timeout=1200, verbose=False):
        if isinstance(path_or_plays, list):
            path = os.path.join(self.workdir, "play-%d.yml" % int(time.time() * 1000))
            with open(path, "w") as handle:
                json.dump(path_or_plays, handle)
        else:
            path = os.path.join(ROOT, path_or_plays)
        extra_vars = dict(self.extra, **(extra or {}))
        cmd = [os.path.join(BIN, "ansible-playbook"), path, "-e", json.dumps(extra_vars)]
        if inventory:
            cmd += ["-i", inventory]
        env = dict(self.env)
        if verbose:
            env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.default"
            cmd += ["-vvv", "--diff"]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                              check=False, cwd=ROOT)
        if verbose:
            return proc.returncode, proc.stdout.decode() + proc.stderr.decode()
        try:
            data = json.loads(proc.stdout.decode())
        except ValueError:
            raise AssertionError("no json from ansible-playbook: %s %s" % (proc.stdout[-3000:], proc.stderr[-3000:]))
        return proc.returncode, data

    def registry_inventory(self, **hostvars):
        """An inventory with localhost and the registry VM (what playbooks/registry.yml adds with add_host)."""
        host = {"ansible_host": REGISTRY_IP, "ansible_user": "root", "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_ssh_private_key_file": os.path.expanduser("~/.ssh/id_ed25519"), "caas_role": "registry",
                "caas_name": CLUSTER + "-registry", "caas_ip": REGISTRY_IP, "caas_cluster": CLUSTER}
        host.update(hostvars)
        inv = {"all": {"hosts": {"localhost": {"ansible_connection": "local",
                                                "ansible_python_interpreter": sys.executable},
                                  CLUSTER + "-registry": host},
                       "vars": {"caas_pki_dir": self.pki_dir}}}
        path = os.path.join(self.workdir, "inventory.json")
        with open(path, "w") as handle:
            json.dump(inv, handle)
        return path

    def password(self, user):
        with open(os.path.join(self.pki_dir, CLUSTER, "registry", user + ".password")) as handle:
            return handle.read().split()[0]

    def ca_file(self):
        return os.path.join(self.pki_dir, CLUSTER, "ca-bundle.crt")


def failed_tasks(data):
    out = []
    for play in data["plays"]:
        for task in play["tasks"]:
            for host, res in task["hosts"].items():
                if res.get("failed") and not res.get("ignore_errors"):
                    out.append((task["task"]["name"], host, res.get("msg", "")))
    return out


def changed_tasks(data):
    return [(t["task"]["name"], h) for p in data["plays"] for t in p["tasks"] for h, r in t["hosts"].items()
            if r.get("changed")]


def ssh(command, check=True):
    proc = subprocess.run(SSH + ["root@" + REGISTRY_IP, command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, check=False)
    if check and proc.returncode != 0:
        raise AssertionError("ssh %s: %s %s" % (command, proc.stdout, proc.stderr))
    return proc


def skopeo(*args, check=False):
    return subprocess.run(["skopeo"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, check=check)


@pytest.fixture(scope="session")
def runner():
    if os.geteuid() != 0 or not shutil.which("lxc-start"):
        pytest.fail("the registry tests need root and LXC (run the README's test command, which installs them)")
    for tool in ("skopeo", "umoci", "gcc"):
        if not shutil.which(tool):
            pytest.fail("the registry tests need %s (apt-get install skopeo umoci gcc busybox-static)" % tool)
    workdir = tempfile.mkdtemp(prefix="caas-harbor-test-")
    r = Runner(workdir)
    yield r
    from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
    Cloud("lxc", {"lxc_state_dir": r.lxc_dir}).delete_everything()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def registry(runner):
    """playbooks/registry.yml, run once for the session."""
    rc, data = runner.playbook("playbooks/registry.yml")
    assert rc == 0, failed_tasks(data)
    return data


@pytest.fixture
def cert_dir(runner, tmp_path):
    path = tmp_path / "certs"
    path.mkdir()
    shutil.copy(runner.ca_file(), str(path / "ca.crt"))
    return str(path)


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration/harbor/test_registry" in str(item.fspath):
            item.add_marker(pytest.mark.lxc)
