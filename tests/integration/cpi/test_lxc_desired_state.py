# -*- coding: utf-8 -*-
"""cpi_vm's desired state on real LXC VMs: present means running."""

import os

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import desired_state
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers


def _params(stemcell_cid, segment, **overrides):
    params = {"name": "ds-0", "state": "present", "metadata": {"caas_cluster": "ds"}, "stemcell_cid": stemcell_cid,
              "networks": [{"name": "default", "segment": segment, "ip": "10.249.0.210"}], "persistent_disks": [],
              "cloud_properties": {}, "environment": {}, "ssh_authorized_keys": [], "agent_id": None,
              "wait_for_ssh": False, "wait_timeout": 60, "delete_persistent_disks": False}
    params.update(overrides)
    return params


def test_present_starts_a_stopped_vm_then_changes_nothing(lxc_cloud, lxc_state_dir, stemcell_cid, segment):
    created = desired_state.vm(lxc_cloud, _params(stemcell_cid, segment), check_mode=False)
    cid = created["vm"]["cid"]
    try:
        Containers(os.path.join(lxc_state_dir, "vms")).stop(cid, kill=True)
        assert lxc_cloud.vm_record(cid)["state"] == "stopped"

        checked = desired_state.vm(lxc_cloud, _params(stemcell_cid, segment), check_mode=True)
        assert checked["changed"] and lxc_cloud.vm_record(cid)["state"] == "stopped"

        started = desired_state.vm(lxc_cloud, _params(stemcell_cid, segment), check_mode=False)
        assert started["changed"] and started["vm"]["cid"] == cid
        assert lxc_cloud.vm_record(cid)["state"] == "running"

        assert desired_state.vm(lxc_cloud, _params(stemcell_cid, segment), check_mode=False)["changed"] is False
    finally:
        desired_state.vm(lxc_cloud, _params(stemcell_cid, segment, state="absent"), check_mode=False)
