# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""After upgrade (every VM rolled onto stemcell 2) and heal (worker 0 killed): each VM is new, on the new stemcell,
with its old name, IP and persistent disk, whose data is still there; heal recreated worker 0 and nothing else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
from molecule_probe import MOLECULE_DIR, cpi

testinfra_hosts = ["ansible://cluster_mheal"]

VICTIM = "mheal-worker-0"


def recorded(what, name=None):
    with open(os.path.join(MOLECULE_DIR, what + ".json")) as handle:
        data = json.load(handle)
    return [vm for vm in data if vm["name"] == name][0] if name else data


@pytest.fixture(scope="module")
def stemcell_2():
    return cpi("cpi_stemcell", name="bosh-lxc-debian-bookworm", version="2")["stemcell"]["cid"]  # present: read only


def test_every_vm_is_running_with_its_name_and_ip(host):
    facts = host.ansible.get_variables()
    assert facts["caas_vm_state"] == "running"
    assert facts["caas_ip"] in recorded("before", facts["caas_name"])["ips"]
    assert facts["caas_ip"] in host.interface("eth0").addresses
    assert host.check_output("hostname") == facts["caas_name"]


def test_upgrade_recreated_every_vm_on_stemcell_2(host, stemcell_2):
    name = host.ansible.get_variables()["caas_name"]
    before, upgraded = recorded("before", name), recorded("upgraded", name)
    assert before["stemcell_cid"] != stemcell_2 and upgraded["stemcell_cid"] == stemcell_2
    assert upgraded["cid"] != before["cid"]
    assert host.exists("less")  # what stemcell 2's recipe adds to stemcell 1's


def test_heal_recreated_the_killed_worker_only(host, stemcell_2):
    facts = host.ansible.get_variables()
    upgraded = recorded("upgraded", facts["caas_name"])
    now = cpi("cpi_vm_info", cid=facts["caas_vm_cid"])["vms"][0]
    assert now["stemcell_cid"] == stemcell_2  # healed onto the stemcell it had
    if facts["caas_name"] == VICTIM:
        assert now["cid"] != upgraded["cid"]
    else:
        assert now["cid"] == upgraded["cid"]
    assert recorded("healed") == [VICTIM]


def test_the_persistent_disk_came_along_with_its_data(host):
    facts = host.ansible.get_variables()
    assert [d["cid"] for d in facts["caas_disks"]] == recorded("before", facts["caas_name"])["disks"]
    assert host.mount_point("/var/vcap/store").exists
    assert host.file("/var/vcap/store/molecule-marker").content_string.strip() == facts["caas_name"]


def test_ssh_runs_and_listens(host):
    assert host.service("ssh").is_running
    assert host.socket("tcp://0.0.0.0:22").is_listening
