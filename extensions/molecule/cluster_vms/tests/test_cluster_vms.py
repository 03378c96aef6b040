# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The network, stemcell and cluster_vms roles' work: the segment and IP plan, the VMs cluster_vms made from the
stemcell, seen through the ondemand.caas.cpi inventory plugin and over SSH (testinfra)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import os
import subprocess

import pytest
from molecule_probe import MOLECULE_DIR, cpi

testinfra_hosts = ["ansible://cluster_mvms"]

CLUSTER = "mvms"
GATEWAY = "10.241.2.1"
EXPECTED = {"mvms-master-0": ("master", 0, "10.241.2.10"), "mvms-worker-0": ("worker", 0, "10.241.2.20")}


@pytest.fixture(scope="module")
def inventory(request):
    """ansible-inventory over the scenario's inventory directory (where molecule linked inventory/cpi.yml)."""
    directory = request.config.option.ansible_inventory
    out = subprocess.run(["ansible-inventory", "-i", directory, "--list"], stdout=subprocess.PIPE, check=True,
                         universal_newlines=True, env=dict(os.environ, ANSIBLE_VERBOSITY="0")).stdout
    return json.loads(out, object_hook=lambda o: o["__ansible_unsafe"] if list(o) == ["__ansible_unsafe"] else o)


def test_inventory_plugin_groups_the_cluster(inventory):
    assert sorted(inventory["cluster_mvms"]["hosts"]) == sorted(EXPECTED)
    assert inventory["mvms_masters"]["hosts"] == ["mvms-master-0"]
    assert inventory["mvms_workers"]["hosts"] == ["mvms-worker-0"]
    assert "mvms_registry" not in inventory


def test_inventory_plugin_hostvars(inventory):
    for name, (role, index, ip) in EXPECTED.items():
        hv = inventory["_meta"]["hostvars"][name]
        assert (hv["caas_cluster"], hv["caas_role"], hv["caas_index"], hv["caas_name"]) == (CLUSTER, role, index, name)
        assert hv["ansible_host"] == hv["caas_ip"] == ip
        assert hv["ansible_user"] == "root"
        assert hv["caas_vm_state"] == "running"
        assert hv["caas_vm_cid"].startswith("vm-")
        assert len(hv["caas_disks"]) == 1 and hv["caas_disks"][0]["size_mb"] == 64
        assert hv["caas_disks"][0]["name"] == name + "-store"


def test_network_facts_are_the_clusters_ip_plan():
    with open(os.path.join(MOLECULE_DIR, "network_facts.json")) as handle:
        facts = json.load(handle)
    assert (facts["provider"], facts["segment"], facts["nodes_cidr"], facts["gateway"]) == \
        ("linux", "caas-" + CLUSTER, "10.241.2.0/24", GATEWAY)
    nodes, pods, services = (ipaddress.ip_network(facts[k]) for k in ("nodes_cidr", "pod_cidr", "service_cidr"))
    assert not (nodes.overlaps(pods) or nodes.overlaps(services) or pods.overlaps(services))
    assert ipaddress.ip_address(facts["kubernetes_service_ip"]) in services
    assert ipaddress.ip_address(facts["dns_service_ip"]) in services


def test_the_segment_is_an_up_bridge_on_the_controller_holding_the_gateway():
    links = json.loads(subprocess.check_output(["ip", "-j", "addr", "show"], universal_newlines=True))
    owners = [(link, a) for link in links for a in link.get("addr_info", []) if a.get("local") == GATEWAY]
    assert len(owners) == 1
    link, address = owners[0]
    assert address["prefixlen"] == 24 and "UP" in link["flags"]


def test_every_vm_runs_the_stemcell_the_role_imported():
    stemcell = cpi("cpi_stemcell", name="bosh-lxc-debian-bookworm", version="1")["stemcell"]  # present: read only
    vms = cpi("cpi_vm_info", metadata={"caas_cluster": CLUSTER})["vms"]
    assert sorted(vm["name"] for vm in vms) == sorted(EXPECTED)
    assert {vm["stemcell_cid"] for vm in vms} == {stemcell["cid"]}


def test_the_vm_is_who_the_iaas_says(host):
    facts = host.ansible.get_variables()
    assert host.check_output("hostname") == facts["caas_name"]
    assert facts["caas_ip"] in host.interface("eth0").addresses
    assert "default via %s" % GATEWAY in host.check_output("ip route")


def test_agent_settings_match_the_iaas(host):
    facts = host.ansible.get_variables()
    settings = host.file("/var/vcap/bosh/settings.json")
    assert settings.mode == 0o600 and settings.user == "root"
    data = json.loads(settings.content_string)
    assert data["vm"] == {"cid": facts["caas_vm_cid"], "name": facts["caas_name"]}
    assert data["metadata"]["caas_cluster"] == CLUSTER and data["metadata"]["caas_role"] == facts["caas_role"]
    assert data["networks"]["default"]["ip"] == facts["caas_ip"]


def test_persistent_disk_is_mounted_and_writable(host):
    store = host.mount_point("/var/vcap/store")
    assert store.exists and store.filesystem == "ext4"
    host.check_output("sh -c 'echo ok > /var/vcap/store/.molecule && cat /var/vcap/store/.molecule && rm /var/vcap/store/.molecule'")
    assert host.file("/var/vcap/data").is_directory


def test_ssh_runs_listens_and_trusts_only_the_controller_key(host):
    assert host.service("ssh").is_running
    assert host.socket("tcp://0.0.0.0:22").is_listening
    keys = host.file("/root/.ssh/authorized_keys")
    # what sshd's StrictModes demands (the LXC provider writes the file 0644, its directory 0700)
    assert keys.user == "root" and keys.mode & 0o022 == 0 and host.file("/root/.ssh").mode == 0o700
    with open(os.path.expanduser("~/.ssh/id_ed25519.pub")) as handle:
        assert keys.content_string.strip() == handle.read().strip()


def test_nodes_reach_each_other_on_the_segment(host):
    me = host.ansible.get_variables()["caas_name"]
    for name, (_role, _index, ip) in EXPECTED.items():
        if name != me:
            host.check_output("timeout 5 bash -c '</dev/tcp/%s/22'" % ip)
