# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""A test cluster's private world and the commands the integration tests run against it.

Each test module gets its own LXC state directory, PKI directory and nodes CIDR (ClusterEnv), so modules run side by
side in pytest-xdist workers. The helpers here are the only copies of: ansible-playbook on this checkout, kubectl with
a cluster's admin kubeconfig, ssh to a VM with the controller key, the VM and disk records, and the PLAY RECAP parser.
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

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers
from integration.paths import CACHE, PLAYBOOK_BIN, ROOT

NODE_STEMCELL = ["-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
SSH = ["ssh", "-i", os.path.expanduser("~/.ssh/id_ed25519"), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
       "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"]


def kubectl_bin(version="v1.34.4"):
    return os.path.join(CACHE, "k8s", version, "bin", "kubectl")


def require_lxc_and_kubernetes(version="v1.34.4"):
    """For a fixture: fails without root and LXC (what the integration suite runs on), skips when Kubernetes
    <version> is not in the cache."""
    if os.geteuid() != 0 or not shutil.which("lxc-start"):
        pytest.fail("needs root and LXC")
    if not os.access(kubectl_bin(version), os.X_OK):
        pytest.skip("Kubernetes %s is not in the cache (run scripts/build-k8s.sh)" % version)


def playbook_command(name, args, state_dir, env_extra=None):
    """(argv, env) of ansible-playbook playbooks/<name> on this checkout against the LXC state dir."""
    env = dict(os.environ, CAAS_LXC_STATE_DIR=state_dir, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_FORCE_COLOR="0", **(env_extra or {}))
    return [PLAYBOOK_BIN, os.path.join(ROOT, "playbooks", name)] + list(args), env


def run_playbook(name, args, state_dir, timeout=1800, env_extra=None):
    """ansible-playbook playbooks/<name> on this checkout against the LXC state dir: (rc, output, seconds)."""
    argv, env = playbook_command(name, args, state_dir, env_extra)
    started = time.time()
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=timeout)
    return proc.returncode, proc.stdout, round(time.time() - started, 1)


def vm_playbook(state_dir, name, *args):
    """(rc, output) of a playbook for the VM-only tests, whose PKI directory lives in the state dir."""
    rc, out, _ = run_playbook(name, args, state_dir, timeout=900, env_extra={"CAAS_PKI_DIR": os.path.join(state_dir, "pki")})
    return rc, out


def kubectl(kubeconfig, args, server_ip=None, stdin=None, check=True, timeout=120, version="v1.34.4"):
    """kubectl with a kubeconfig (against one apiserver when server_ip is given); asserts success unless check=False."""
    server = ["--server", "https://%s:6443" % server_ip] if server_ip else []
    proc = subprocess.run([kubectl_bin(version), "--kubeconfig", kubeconfig] + server + ["--request-timeout=20s"] + list(args),
                          input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=timeout)
    if check:
        assert proc.returncode == 0, (args, proc.stdout)
    return proc.stdout


def ssh(ip, command, timeout=120):
    """A command on a VM as root with the controller key (stdout and stderr together)."""
    return subprocess.run(SSH + ["root@" + ip, command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=timeout, check=False)


def recap(output, host="localhost"):
    """ok/changed/unreachable/failed of one host from PLAY RECAP."""
    match = re.search(r"%s\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % re.escape(host), output)
    assert match, output[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def recaps(output):
    """ok/changed/skipped per host from PLAY RECAP."""
    found = {}
    for host, ok, changed, skipped in re.findall(
            r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=\d+\s+skipped=(\d+)", output, re.M):
        found[host] = {"ok": int(ok), "changed": int(changed), "skipped": int(skipped)}
    return found


def flat(output):
    """The output with YAML's line folding undone, for searching messages."""
    return " ".join(output.split())


def records(state_dir, kind, key="name"):
    """The LXC provider's records of one kind (vms, disks, stemcells, networks) by a key, as a fresh controller reads them."""
    out = {}
    directory = os.path.join(state_dir, "records", kind)
    for name in os.listdir(directory):
        with open(os.path.join(directory, name)) as handle:
            record = json.load(handle)
        out[record[key]] = record
    return out


def vm_records(state_dir):
    return records(state_dir, "vms")


def ip_of(record):
    return list(record["networks"].values())[0]["ip"]


class ClusterEnv:
    """One test module's LXC state dir, PKI dir and nodes CIDR, for one or more clusters."""

    def __init__(self, prefix, nodes_cidr, k8s_version="v1.34.4"):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.state_dir = os.path.join(self.root, "lxc")
        self.pki_dir = os.path.join(self.root, "pki")
        os.makedirs(self.pki_dir)
        self.nodes_cidr = nodes_cidr
        self.k8s_version = k8s_version
        self.results = {}

    def cloud(self):
        return Cloud("lxc", {"lxc_state_dir": self.state_dir})

    def _base(self, cluster, nodes_cidr=None):
        return ["-e", "caas_cluster_name=" + cluster, "-e", "caas_nodes_cidr=" + (nodes_cidr or self.nodes_cidr),
                "-e", "caas_pki_dir=" + self.pki_dir]

    def playbook(self, name, cluster, *args, **kwargs):
        """(rc, output, seconds) of playbooks/<name> for the cluster, in this env's state dir, PKI dir and CIDR."""
        base = self._base(cluster, kwargs.pop("nodes_cidr", None))
        return run_playbook(name, base + list(args), self.state_dir, **kwargs)

    def start(self, name, cluster, *args):
        """playbooks/<name> for the cluster started in its own session (os.killpg stops it and its forks): the Popen,
        its output (stdout and stderr together) readable line by line."""
        argv, env = playbook_command(name, self._base(cluster) + list(args), self.state_dir)
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, start_new_session=True)

    def kubeconfig(self, cluster):
        return os.path.join(self.pki_dir, cluster, "admin.conf")

    def kubectl(self, cluster, server_ip, *args, **kwargs):
        """kubectl as the cluster's admin against one master's apiserver; asserts success unless check=False."""
        return kubectl(self.kubeconfig(cluster), args, server_ip, version=self.k8s_version, **kwargs)

    def vms(self, cluster):
        """The cluster's VMs (nodes and registry) by name, from the IaaS."""
        return dict((vm["name"], vm) for vm in self.cloud().list_vms()
                    if (vm.get("metadata") or {}).get("caas_cluster") == cluster)

    def disks(self, cluster):
        """The cluster's persistent disks by the name of the VM they belong to."""
        return dict((d["metadata"].get("caas_vm"), d) for d in self.cloud().list_disks()
                    if (d.get("metadata") or {}).get("caas_cluster") == cluster)

    def lxc(self, command, cid):
        """lxc-stop (killed) or lxc-destroy of one VM's container behind the CPI's back: a VM lost to the IaaS."""
        subprocess.run([command, "-P", os.path.join(self.state_dir, "vms"), "-n", cid]
                       + (["-k"] if command == "lxc-stop" else []), check=True, timeout=120)

    def memory_mb(self, cluster):
        """Memory per running VM of the cluster, from its cgroup on the host (see Containers.memory_mb)."""
        out = dict((name, Containers.memory_mb(vm["cid"])) for name, vm in self.vms(cluster).items())
        return dict((name, memory) for name, memory in out.items() if memory)

    def destroy(self, clusters=()):
        """delete_cluster for each cluster, then whatever is left in the state dir, then the directories."""
        for cluster in clusters:
            self.playbook("delete_cluster.yml", cluster)
        self.cloud().delete_everything()
        shutil.rmtree(self.root, ignore_errors=True)
