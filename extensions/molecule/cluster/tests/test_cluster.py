# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""After create_cluster (2 workers), resize_cluster (down to 1) and heal_cluster (a killed worker): the cluster as the
inventory plugin and SSH see it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

testinfra_hosts = ["ansible://cluster_mlc"]

EXPECTED = {"mlc-master-0": "10.241.3.10", "mlc-worker-0": "10.241.3.20"}


def lost_worker():
    with open(os.path.join(os.environ["CAAS_MOLECULE_DIR"], "lost_worker.json")) as handle:
        return json.load(handle)


def test_the_cluster_is_one_master_and_the_one_remaining_worker(host):
    groups = host.ansible.get_variables()["groups"]
    assert sorted(groups["cluster_mlc"]) == sorted(EXPECTED)
    assert groups["mlc_workers"] == ["mlc-worker-0"]


def test_every_node_runs_with_its_planned_ip(host):
    facts = host.ansible.get_variables()
    assert facts["caas_vm_state"] == "running"
    assert EXPECTED[facts["caas_name"]] == facts["caas_ip"] == facts["ansible_host"]
    assert host.check_output("hostname") == facts["caas_name"]
    assert facts["caas_ip"] in host.interface("eth0").addresses


def test_every_node_has_its_persistent_disk_mounted(host):
    facts = host.ansible.get_variables()
    assert len(facts["caas_disks"]) == 1 and facts["caas_disks"][0]["name"] == facts["caas_name"] + "-store"
    assert host.mount_point("/var/vcap/store").exists


def test_the_healed_worker_is_a_new_vm_with_the_old_ip_and_disk(host):
    facts = host.ansible.get_variables()
    if facts["caas_name"] != "mlc-worker-0":
        return
    lost = lost_worker()
    assert facts["caas_vm_cid"] != lost["cid"]
    assert facts["caas_ip"] in lost["ips"]
    assert [d["cid"] for d in facts["caas_disks"]] == lost["disks"]


def test_ssh_runs_and_listens(host):
    assert host.service("ssh").is_running
    assert host.socket("tcp://0.0.0.0:22").is_listening
