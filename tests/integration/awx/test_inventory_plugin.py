# -*- coding: utf-8 -*-
"""ondemand.caas.cpi inventory plugin: host entries from VM records, option precedence, and ansible-inventory runs.

The full path (real LXC VMs read back by the plugin) runs in test_runner.py and in the molecule scenarios.
"""

import json
import os
import subprocess
import sys

from ansible_collections.ondemand.caas.plugins.inventory.cpi import cluster_hosts, group_name, provider_settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PYROOT = os.path.join(ROOT, ".build", "pyroot")

def vm(cid, cluster, role, index, ip, state="running", disks=()):
    md = {"caas_role": role, "caas_index": str(index), "caas_name": "%s-%s-%d" % (cluster, role, index), "caas_ip": ip}
    if cluster:
        md["caas_cluster"] = cluster
    return {"cid": cid, "name": md["caas_name"], "state": state, "ips": [ip], "metadata": md, "disks": list(disks)}

def test_only_cluster_vms_sorted_with_typed_hostvars():
    vms = [vm("vm-3", "b", "worker", 1, "10.0.0.21"), vm("vm-1", "a", "master", 0, "10.0.0.10", disks=["d-1"]),
           vm("vm-2", None, "worker", 0, "10.0.0.99"), vm("vm-4", "b", "worker", 0, "10.0.0.20", state="missing")]
    disks = [{"cid": "d-1", "size_mb": 64, "metadata": {"caas_name": "a-master-0-store"}}]
    hosts = cluster_hosts(vms, disks)
    assert [h[0] for h in hosts] == ["a-master-0", "b-worker-0", "b-worker-1"]
    name, hv = hosts[0]
    assert hv == {"ansible_host": "10.0.0.10", "caas_cluster": "a", "caas_role": "master", "caas_index": 0,
                  "caas_name": "a-master-0", "caas_ip": "10.0.0.10", "caas_vm_cid": "vm-1", "caas_vm_state": "running",
                  "caas_disks": [{"cid": "d-1", "size_mb": 64, "name": "a-master-0-store"}]}
    assert hosts[1][1]["caas_vm_state"] == "missing"
    assert [h[0] for h in cluster_hosts(vms, disks, clusters=["b"])] == ["b-worker-0", "b-worker-1"]

def test_group_names_are_valid_ansible_names():
    assert group_name("my-k8s") == "my_k8s"

def test_file_options_win_over_environment_which_wins_over_defaults():
    env = {"CAAS_PROVIDER": "vsphere", "VMWARE_HOST": "env-host", "VMWARE_PASSWORD": "pw", "VMWARE_PORT": "8443"}
    provider, settings = provider_settings({"vsphere_hostname": "file-host"}, env)
    assert provider == "vsphere"
    assert settings["vsphere_hostname"] == "file-host" and settings["vsphere_password"] == "pw"
    assert settings["vsphere_port"] == 8443
    provider, settings = provider_settings({"provider": "lxc", "lxc_state_dir": "/x"}, env)
    assert provider == "lxc" and settings["lxc_state_dir"] == "/x"
    assert provider_settings({}, {})[0] == "lxc"

def ansible_inventory(path, **env):
    full = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=PYROOT, ANSIBLE_VERBOSITY="0", **env)
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", path, "--list"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=full)

def test_ansible_inventory_reads_an_empty_provider(tmp_path):
    source = tmp_path / "cpi.yml"
    source.write_text("plugin: ondemand.caas.cpi\nlxc_state_dir: %s\n" % (tmp_path / "state"))
    proc = ansible_inventory(str(source))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["all"]["children"] == ["ungrouped"]

def test_a_bad_provider_fails_the_source_with_the_reason(tmp_path):
    source = tmp_path / "cpi.yml"
    source.write_text("plugin: ondemand.caas.cpi\nprovider: vsphere\n")
    proc = ansible_inventory(str(source), ANSIBLE_INVENTORY_UNPARSED_FAILED="true", VMWARE_HOST="127.0.0.1",
                             VMWARE_PORT="9", VMWARE_USER="u", VMWARE_PASSWORD="p")
    assert proc.returncode != 0
    assert "ondemand.caas.cpi: cannot list the VMs of provider vsphere" in proc.stderr

def test_a_file_not_named_cpi_yml_is_not_taken(tmp_path):
    source = tmp_path / "other.yml"
    source.write_text("plugin: ondemand.caas.cpi\n")
    proc = ansible_inventory(str(source), ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    assert proc.returncode != 0
