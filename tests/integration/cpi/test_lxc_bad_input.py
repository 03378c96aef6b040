# -*- coding: utf-8 -*-
"""Bad input gets a clear error, and nothing is lost or left behind."""

import os
import subprocess
import tempfile

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import errors
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud


def _net(segment, ip):
    return {"default": {"type": "manual", "ip": ip, "cloud_properties": {"name": segment}}}


def test_unknown_provider():
    with pytest.raises(errors.InvalidArgument, match="unknown provider 'openstack'"):
        Cloud("openstack", {})


def test_missing_stemcell(lxc_cloud, segment):
    with pytest.raises(errors.StemcellNotFound):
        lxc_cloud.create_vm("a", "sc-nope", {}, _net(segment, "10.249.0.200"), [], {})


@pytest.mark.parametrize("ip, message", [
    ("10.9.9.9", "not a usable address"), ("10.249.0.255", "not a usable address"),
    ("10.249.0.1", "is the gateway"), ("banana", "not an IP address"),
])
def test_bad_ips(lxc_cloud, stemcell_cid, segment, ip, message):
    before = lxc_cloud.list_vms()
    with pytest.raises(errors.InvalidArgument, match=message):
        lxc_cloud.create_vm("a", stemcell_cid, {}, _net(segment, ip), [], {})
    assert lxc_cloud.list_vms() == before


def test_invalid_names(lxc_cloud, stemcell_cid, segment):
    with pytest.raises(errors.InvalidArgument, match="not a valid DNS label"):
        lxc_cloud.create_vm("a", stemcell_cid, {"hostname": "Bad_Name"}, _net(segment, "10.249.0.201"), [], {})
    with pytest.raises(errors.InvalidArgument, match="1-15 characters"):
        lxc_cloud.create_network({"name": "a-bridge-name-far-too-long", "range": "10.248.0.0/24"})


def test_duplicate_ip_and_unknown_segment(lxc_cloud, stemcell_cid, segment):
    vm_cid, _ = lxc_cloud.create_vm("a", stemcell_cid, {}, _net(segment, "10.249.0.202"), [],
                                    {"bosh": {"tags": {"caas_name": "dup-a"}}})
    try:
        with pytest.raises(errors.InvalidArgument, match="already used"):
            lxc_cloud.create_vm("b", stemcell_cid, {}, _net(segment, "10.249.0.202"), [], {})
        with pytest.raises(errors.NetworkNotFound):
            lxc_cloud.create_vm("b", stemcell_cid, {}, _net("caas-nope", "10.249.0.203"), [], {})
        with pytest.raises(errors.CpiError, match="still has VMs"):
            lxc_cloud.delete_network(segment)
    finally:
        lxc_cloud.delete_vm(vm_cid)


def test_overlapping_segment(lxc_cloud, segment):
    with pytest.raises(errors.InvalidArgument, match="overlaps"):
        lxc_cloud.create_network({"name": "caas-overlap", "range": "10.249.0.128/25"})


def test_disk_attached_elsewhere_and_not_attached(lxc_cloud, stemcell_cid, segment):
    a, _ = lxc_cloud.create_vm("a", stemcell_cid, {}, _net(segment, "10.249.0.204"), [], {"bosh": {"tags": {"caas_name": "da"}}})
    b, _ = lxc_cloud.create_vm("b", stemcell_cid, {}, _net(segment, "10.249.0.205"), [], {"bosh": {"tags": {"caas_name": "db"}}})
    disk = lxc_cloud.create_disk(32, {}, a)
    try:
        lxc_cloud.attach_disk(a, disk)
        with pytest.raises(errors.DiskAttachedElsewhere, match="attached to VM %s" % a):
            lxc_cloud.attach_disk(b, disk)
        with pytest.raises(errors.DiskNotAttached):
            lxc_cloud.detach_disk(b, disk)
        with pytest.raises(errors.CpiError, match="detach it first"):
            lxc_cloud.delete_disk(disk)
        assert lxc_cloud.has_disk(disk)
        with pytest.raises(errors.NotSupported, match="shrinking"):
            lxc_cloud.resize_disk(disk, 16)
    finally:
        lxc_cloud.delete_vm(a)
        lxc_cloud.delete_vm(b)
        lxc_cloud.delete_disk(disk)


def test_deleting_a_vm_that_does_not_exist(lxc_cloud):
    with pytest.raises(errors.VMNotFound):
        lxc_cloud.delete_vm("vm-000000000000")
    assert lxc_cloud.has_vm("vm-000000000000") is False


def test_disk_on_a_full_file_system():
    """A state directory on a 32 MiB file system: a 64 MiB disk is refused and leaves nothing behind."""
    mount_point = tempfile.mkdtemp(prefix="caas-full-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mount_point], check=True)
    try:
        cloud = Cloud("lxc", {"lxc_state_dir": mount_point})
        with pytest.raises(errors.NoDiskSpace):
            cloud.create_disk(64, {}, None)
        assert cloud.list_disks() == []
        assert os.listdir(os.path.join(mount_point, "disks")) == []
    finally:
        subprocess.run(["umount", mount_point], check=True)
        os.rmdir(mount_point)
