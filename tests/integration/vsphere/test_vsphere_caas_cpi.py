# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""bin/caas-cpi (the BOSH external-CPI protocol) with CAAS_PROVIDER=vsphere against vcsim.

Each request is one run of the executable, as the BOSH director runs an external CPI: JSON on stdin,
the envelope ``{result, error, log}`` on stdout, connection settings from VMWARE_* / CAAS_VSPHERE_*.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("pyVmomi")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CAAS_CPI = os.path.join(ROOT, "bin", "caas-cpi")
CONTEXT = {"director_uuid": "<director-uuid>", "request_id": "<cpi-request-id>", "vm": {"stemcell": {"api_version": 2}}}


def cpi(sim, method, *arguments):
    env = dict(os.environ, CAAS_PROVIDER="vsphere", CAAS_VSPHERE_DATACENTER="DC0", CAAS_VSPHERE_CLUSTER="DC0_C0",
               CAAS_VSPHERE_DATASTORE="LocalDS_0", CAAS_VSPHERE_FOLDER="caas-bosh", **sim.env())
    body = json.dumps({"method": method, "arguments": list(arguments), "context": CONTEXT, "api_version": 2})
    proc = subprocess.run([sys.executable, CAAS_CPI], input=body, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    response = json.loads(proc.stdout)
    assert set(response) == {"result", "error", "log"}
    return response


def ok(response):
    assert response["error"] is None, response
    return response["result"]


def test_bosh_round_trip_on_vcsim(vcsim):
    assert ok(cpi(vcsim, "info")) == {"api_version": 2, "stemcell_formats": ["vsphere-ova", "vsphere-ovf"]}
    stemcell = ok(cpi(vcsim, "create_stemcell", None, {"name": "bosh-vsphere-esxi-ubuntu-jammy-go_agent",
                                                       "version": "1.1", "source_vm": "DC0/vm/DC0_H0_VM0"}))
    try:
        networks = {"private": {"type": "manual", "netmask": "255.255.255.0", "gateway": "10.30.0.1",
                                "ip": "10.30.0.20", "default": ["dns", "gateway"],
                                "cloud_properties": {"name": "DC0_DVPG0"}}}
        env = {"bosh": {"group": "my-group", "groups": ["my-second-group"],
                        "tags": {"caas_cluster": "bosh", "caas_name": "bosh-proto"}}}
        vm_cid, returned = ok(cpi(vcsim, "create_vm", "4149ba0f-38d9-4485-476f-1581be36f290", stemcell,
                                  {"cpu": 1, "ram": 512}, networks, [], env))
        assert returned == networks and vm_cid.startswith("vm-")
        assert ok(cpi(vcsim, "has_vm", vm_cid)) is True
        disk_cid = ok(cpi(vcsim, "create_disk", 256, {}, vm_cid))
        hint = ok(cpi(vcsim, "attach_disk", vm_cid, disk_cid))
        assert hint["id"] == disk_cid and hint["path"].startswith("/dev/disk/by-path/scsi-")
        assert ok(cpi(vcsim, "get_disks", vm_cid)) == [disk_cid]
        assert ok(cpi(vcsim, "set_vm_metadata", vm_cid, {"director": "d", "deployment": "x"})) is None
        assert ok(cpi(vcsim, "delete_vm", vm_cid)) is None
        assert ok(cpi(vcsim, "has_vm", vm_cid)) is False
        assert ok(cpi(vcsim, "has_disk", disk_cid)) is True  # detached before the VM was destroyed
        missing = cpi(vcsim, "delete_vm", vm_cid)
        assert missing["error"]["type"] == "Bosh::Clouds::VMNotFound" and missing["error"]["ok_to_retry"] is False
        assert ok(cpi(vcsim, "delete_disk", disk_cid)) is None
        assert ok(cpi(vcsim, "has_disk", disk_cid)) is False
    finally:
        assert ok(cpi(vcsim, "delete_stemcell", stemcell)) is None


def test_bad_credentials_answer_an_error_envelope(vcsim, monkeypatch):
    env = dict(vcsim.env(), VMWARE_PASSWORD="wrong")
    monkeypatch.setattr(vcsim, "env", lambda: env)
    answer = cpi(vcsim, "has_vm", "vm-1")
    assert answer["result"] is None and "refused the credentials" in answer["error"]["message"]
