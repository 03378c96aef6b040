# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The vsphere provider against a real vcsim: every verb, the vSphere-only behaviours, the errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket

import pytest

pytest.importorskip("pyVmomi")

from pyVim.connect import Disconnect, SmartConnect  # noqa: E402
from pyVmomi import vim  # noqa: E402

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import errors  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402

from harness import VsphereHarness  # noqa: E402
from vcsim import PASSWORD, USERNAME  # noqa: E402

TAGS = {"bosh": {"tags": {"caas_cluster": "k1", "caas_role": "master", "caas_index": "0"}}}


def _raw(sim):
    return SmartConnect(host="127.0.0.1", port=sim.port, user=USERNAME, pwd=PASSWORD, disableSslCertValidation=True)


def _vm_count(sim):
    si = _raw(sim)
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
        return len(view.view)
    finally:
        Disconnect(si)


def test_pinned_vcsim_keeps_the_pyvmomi_session(vcsim, harness):
    """Debian's vcsim 0.24.2 dropped the connection when pyVmomi >= 8 read an unset property; the pin does not."""
    si = _raw(vcsim)
    try:
        vm = si.content.searchIndex.FindByInventoryPath("DC0/vm/DC0_H0_VM0")
        with pytest.raises(Exception):
            vm.parentVApp  # unset: vcsim answers Fetch with a fault; the session must survive it
        assert vm.name == "DC0_H0_VM0"
    finally:
        Disconnect(si)
    # A task of a non-entity (VirtualDiskManager): TaskInfo.entity is rejected by pyVmomi if read whole;
    # the provider reads info.state/error/result only, so disk creation works.
    disk = harness.cloud.create_disk(64, {}, None)
    assert harness.cloud.has_disk(disk)
    harness.cloud.delete_disk(disk)
    assert not harness.cloud.has_disk(disk)


def test_every_verb(harness):
    cloud = harness.cloud
    assert cloud.info()["stemcell_formats"] == ["vsphere-ova", "vsphere-ovf"]
    assert [s["cid"] for s in cloud.list_stemcells()] == [harness.stemcell_cid]
    props = cloud.calculate_vm_cloud_properties({"cpu": 2, "ram": 2048, "ephemeral_disk_size": 4096})
    assert props == {"cpu": 2, "ram": 2048, "disk": 4096}
    vm_cid, networks = cloud.create_vm("agent-0", harness.stemcell_cid, props, harness.networks(0), [], TAGS)
    assert networks == harness.networks(0)
    assert cloud.has_vm(vm_cid)
    record = cloud.vm_record(vm_cid)
    assert record["state"] == "running" and record["stemcell_cid"] == harness.stemcell_cid
    assert record["ips"] == ["10.20.0.10"] and record["metadata"]["caas_role"] == "master"
    assert vm_cid in [v["cid"] for v in cloud.list_vms()]
    disk = cloud.create_disk(1024, {}, vm_cid)
    hint = cloud.attach_disk(vm_cid, disk)
    assert hint["volume_id"] == "2"  # unit 0 system disk, unit 1 ephemeral disk
    assert cloud.attach_disk(vm_cid, disk) == hint  # idempotent
    assert cloud.get_disks(vm_cid) == [disk]
    assert cloud.disk_record(disk)["vm_cid"] == vm_cid and cloud.disk_record(disk)["hint"] == hint
    cloud.set_disk_metadata(disk, {"caas_cluster": "k1"})
    assert cloud.disk_record(disk)["metadata"] == {"caas_cluster": "k1", "caas_vm": vm_cid}
    cloud.resize_disk(disk, 2048)  # attached: grown through the VM
    assert cloud.disk_record(disk)["size_mb"] == 2048
    with pytest.raises(errors.NotSupported):
        cloud.resize_disk(disk, 1024)
    snapshot = cloud.snapshot_disk(disk, {"reason": "test"})
    assert cloud.disk_record(disk)["snapshots"] == [snapshot]
    assert cloud.list_snapshots(disk) == [{"cid": snapshot, "disk_cid": disk, "metadata": {"reason": "test"}}]
    cloud.delete_snapshot(snapshot)
    cloud.delete_snapshot(snapshot)  # deleting a missing snapshot is not an error
    assert cloud.disk_record(disk)["snapshots"] == []
    cloud.reboot_vm(vm_cid)
    assert cloud.vm_record(vm_cid)["state"] == "running"
    assert cloud.get_disks(vm_cid) == [disk]  # a reboot keeps disks attached
    with pytest.raises(errors.CpiError):
        cloud.delete_disk(disk)  # attached
    cloud.detach_disk(vm_cid, disk)
    with pytest.raises(errors.DiskNotAttached):
        cloud.detach_disk(vm_cid, disk)
    cloud.resize_disk(disk, 3072)  # detached: ExtendVirtualDisk_Task
    assert cloud.disk_record(disk) == {"cid": disk, "size_mb": 3072, "vm_cid": None, "hint": None,
                                       "metadata": {"caas_cluster": "k1", "caas_vm": vm_cid}, "snapshots": []}
    assert disk in [d["cid"] for d in cloud.list_disks()]
    cloud.delete_vm(vm_cid)
    assert not cloud.has_vm(vm_cid)
    with pytest.raises(errors.VMNotFound):
        cloud.delete_vm(vm_cid)
    cloud.delete_disk(disk)
    assert not cloud.has_disk(disk)
    with pytest.raises(errors.DiskNotFound):
        cloud.delete_disk(disk)


def test_settings_metadata_custom_attributes_dvpg(vcsim, harness):
    """Agent settings in guestinfo, metadata in ExtraConfig + custom attributes, NICs on a standard and a DV port group."""
    cloud = harness.cloud
    networks = dict(harness.networks(1), dv={"type": "dynamic", "cloud_properties": {"name": "DC0_DVPG0"}})
    vm_cid, _ = cloud.create_vm("agent-1", harness.stemcell_cid, {}, networks, [], TAGS)
    cloud.set_vm_metadata(vm_cid, {"caas_name": "k1-master-0", "caas_ip": "10.20.0.11", "director": "d"})
    si = _raw(vcsim)
    try:
        vm = vim.VirtualMachine(vm_cid, si._stub)
        fields = dict((f.key, f.name) for f in si.content.customFieldsManager.field)
        attributes = dict((fields[v.key], v.value) for v in vm.customValue)
        assert attributes == {"caas_cluster": "k1", "caas_role": "master", "caas_index": "0",
                              "caas_name": "k1-master-0", "caas_ip": "10.20.0.11"}
        extra = dict((o.key, o.value) for o in vm.config.extraConfig)
        settings = json.loads(extra["guestinfo.caas.settings"])
        assert settings["agent_id"] == "agent-1" and settings["vm"]["cid"] == vm_cid
        assert settings["cluster"] == "k1" and settings["role"] == "master" and settings["index"] == "0"
        assert settings["networks"]["default"]["ip"] == "10.20.0.11"
        assert extra["guestinfo.caas.meta.director"] == "d"
        nics = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
        backings = sorted(type(n.backing).__name__.split(".")[-1] for n in nics)
        assert backings == ["DistributedVirtualPortBackingInfo", "NetworkBackingInfo"]
        assert vm.parent.name == "k1" and vm.parent.parent.name == "caas"  # a folder per cluster
        # the linked clone was asked for from the stemcell's snapshot
        stemcell = vim.VirtualMachine(harness.stemcell_cid, si._stub)
        assert stemcell.snapshot.currentSnapshot is not None
        assert not [d for d in stemcell.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    finally:
        Disconnect(si)
    cloud.delete_vm(vm_cid)


def test_delete_vm_detaches_then_destroys_and_the_disk_reattaches(harness):
    cloud = harness.cloud
    vm_cid, _ = cloud.create_vm("agent-2", harness.stemcell_cid, {}, harness.networks(2), [], TAGS)
    disk = cloud.create_disk(512, {}, vm_cid)
    cloud.attach_disk(vm_cid, disk)
    harness.write_marker(vm_cid, disk, "written by vm 2")
    provider, seen = cloud.provider, []
    run = provider.s.run

    def spy(what, method, *args, **kwargs):  # what the VM holds at the moment Destroy_Task is sent
        if what.startswith("destroy"):
            seen.append(provider.get_disks(vm_cid))
        return run(what, method, *args, **kwargs)

    provider.s.run = spy
    try:
        cloud.delete_vm(vm_cid)
    finally:
        provider.s.run = run
    assert seen == [[]], "persistent disks must be detached before Destroy_Task (which deletes attached disks)"
    assert cloud.has_disk(disk) and cloud.disk_record(disk)["vm_cid"] is None
    other, _ = cloud.create_vm("agent-3", harness.stemcell_cid, {}, harness.networks(3), [disk], TAGS)
    cloud.attach_disk(other, disk)
    assert harness.read_marker(other, disk) == "written by vm 2"
    cloud.delete_vm(other)
    cloud.delete_disk(disk)


def test_a_disk_belongs_to_one_vm(harness):
    cloud = harness.cloud
    first, _ = cloud.create_vm("agent-4", harness.stemcell_cid, {}, harness.networks(4), [], TAGS)
    second, _ = cloud.create_vm("agent-5", harness.stemcell_cid, {}, harness.networks(5), [], TAGS)
    disk = cloud.create_disk(128, {}, first)
    cloud.attach_disk(first, disk)
    with pytest.raises(errors.DiskAttachedElsewhere):
        cloud.attach_disk(second, disk)
    for vm_cid in (first, second):
        cloud.delete_vm(vm_cid)
    cloud.delete_disk(disk)


def test_errors_users_can_act_on(vcsim, harness):
    with pytest.raises(errors.CpiError, match="refused the credentials"):
        Cloud("vsphere", vcsim.settings(vsphere_password="wrong")).has_vm("vm-1")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(errors.CloudError, match="cannot reach vCenter"):
        Cloud("vsphere", vcsim.settings(vsphere_port=closed_port)).has_vm("vm-1")
    with pytest.raises(errors.InvalidArgument, match="unknown datastore"):
        Cloud("vsphere", vcsim.settings(vsphere_datastore="nope")).create_disk(10, {}, None)
    with pytest.raises(errors.InvalidArgument, match="unknown datacenter"):
        Cloud("vsphere", vcsim.settings(vsphere_datacenter="DC9")).list_stemcells()
    before = _vm_count(vcsim)
    bad = {"default": {"type": "dynamic", "cloud_properties": {"name": "no-such-pg"}}}
    with pytest.raises(errors.NetworkNotFound):
        harness.cloud.create_vm("agent-6", harness.stemcell_cid, {}, bad, [], TAGS)
    with pytest.raises(errors.VMCreationFailed, match="nothing left behind"):  # fails after the clone
        harness.cloud.create_vm("agent-7", harness.stemcell_cid, {}, harness.networks(7), [],
                                {"bosh": {"tags": {"bad key!": "x"}}})
    assert _vm_count(vcsim) == before
    with pytest.raises(errors.VMNotFound):
        harness.cloud.vm_record("vm-999999")
    with pytest.raises(errors.StemcellNotFound):
        harness.cloud.create_vm("agent-8", "vm-999999", {}, {}, [], {})
    assert harness.cloud.delete_stemcell("vm-999999") is None
    with pytest.raises(errors.InvalidArgument, match="does not exist"):
        harness.cloud.create_stemcell("/nonexistent.ova", {"name": "x", "version": "1"})
    with pytest.raises(errors.InvalidArgument, match="unknown source_vm"):
        harness.cloud.create_stemcell(None, {"name": "x", "version": "1", "source_vm": "vm-999999"})
    assert _vm_count(vcsim) == before


def test_settings_from_environment(vcsim, monkeypatch):
    for key, value in vcsim.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CAAS_VSPHERE_DATACENTER", "DC0")
    cloud = Cloud("vsphere", {})
    try:
        assert cloud.provider.settings["vsphere_port"] == str(vcsim.port)
        assert cloud.provider.settings["vsphere_validate_certs"] is False
        assert cloud.has_vm("vm-999999") is False
    finally:
        cloud.close()


def test_two_datacenters(vcsim_two_dc):
    harness = VsphereHarness(vcsim_two_dc, datacenter="DC1", cluster="DC1_C1", datastore="LocalDS_1",
                             network="DC1_DVPG1")
    try:
        cloud = harness.cloud
        vm_cid, _ = cloud.create_vm("agent-0", harness.stemcell_cid, {}, harness.networks(0), [], TAGS)
        disk = cloud.create_disk(256, {}, vm_cid)
        cloud.attach_disk(vm_cid, disk)
        harness.write_marker(vm_cid, disk, "dc1")
        cloud.delete_vm(vm_cid)
        again, _ = cloud.create_vm("agent-1", harness.stemcell_cid, {}, harness.networks(1), [disk], TAGS)
        cloud.attach_disk(again, disk)
        assert harness.read_marker(again, disk) == "dc1"
        cloud.delete_vm(again)
        cloud.delete_disk(disk)
        assert cloud.list_vms() == []
    finally:
        harness.close()
