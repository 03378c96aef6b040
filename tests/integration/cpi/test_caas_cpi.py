# -*- coding: utf-8 -*-
"""caas-cpi speaks the BOSH external-CPI protocol: requests as the BOSH docs write them."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CAAS_CPI = os.path.join(ROOT, "bin", "caas-cpi")
CONTEXT = {"director_uuid": "<director-uuid>", "request_id": "<cpi-request-id>", "vm": {"stemcell": {"api_version": 2}}}


def cpi(state_dir, method, *arguments, raw=None):
    env = dict(os.environ, CAAS_PROVIDER="lxc", CAAS_LXC_STATE_DIR=state_dir)
    body = raw if raw is not None else json.dumps({"method": method, "arguments": list(arguments),
                                                   "context": CONTEXT, "api_version": 2})
    proc = subprocess.run([sys.executable, CAAS_CPI], input=body, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    response = json.loads(proc.stdout)
    assert set(response) == {"result", "error", "log"}
    return response


def test_info(lxc_state_dir):
    assert cpi(lxc_state_dir, "info")["result"] == {"api_version": 2, "stemcell_formats": ["lxc-rootfs-tar"]}


def test_vm_and_disk_verbs_over_the_protocol(lxc_state_dir, stemcell_cid, segment):
    networks = {"private": {"type": "manual", "netmask": "255.255.255.0", "gateway": "10.249.0.1",
                            "ip": "10.249.0.150", "default": ["dns", "gateway"], "cloud_properties": {"name": segment}}}
    env = {"bosh": {"group": "my-group", "groups": ["my-second-group"], "tags": {"caas_name": "bosh-proto"}}}
    created = cpi(lxc_state_dir, "create_vm", "4149ba0f-38d9-4485-476f-1581be36f290", stemcell_cid,
                  {"cpu": 1, "ram": 256}, networks, [], env)
    assert created["error"] is None, created
    vm_cid, returned_networks = created["result"]
    assert returned_networks["private"]["ip"] == "10.249.0.150"
    assert cpi(lxc_state_dir, "has_vm", vm_cid)["result"] is True
    disk_cid = cpi(lxc_state_dir, "create_disk", 32, {}, vm_cid)["result"]
    assert cpi(lxc_state_dir, "attach_disk", vm_cid, disk_cid)["result"]["path"] == "/dev/caas/%s" % disk_cid
    assert cpi(lxc_state_dir, "get_disks", vm_cid)["result"] == [disk_cid]
    assert cpi(lxc_state_dir, "set_vm_metadata", vm_cid, {"director": "d", "deployment": "x"})["error"] is None
    assert cpi(lxc_state_dir, "delete_vm", vm_cid)["error"] is None
    assert cpi(lxc_state_dir, "has_disk", disk_cid)["result"] is True
    missing = cpi(lxc_state_dir, "delete_vm", vm_cid)
    assert missing["error"]["type"] == "Bosh::Clouds::VMNotFound" and missing["error"]["ok_to_retry"] is False
    assert cpi(lxc_state_dir, "delete_disk", disk_cid)["error"] is None
    assert cpi(lxc_state_dir, "has_disk", disk_cid)["result"] is False


@pytest.mark.parametrize("raw, fragment", [
    ('{"method": "format_hard_disk", "arguments": []}', "not a CPI method"),
    ('not json', "request must be a JSON object"),
    ('{"method": "has_vm", "arguments": []}', "bad arguments"),
    ('{"method": "detach_disk", "arguments": ["vm-nope", "disk-nope"]}', "does not exist"),
])
def test_bad_requests_get_an_error_envelope(lxc_state_dir, raw, fragment):
    response = cpi(lxc_state_dir, None, raw=raw)
    assert response["result"] is None and fragment in response["error"]["message"]
