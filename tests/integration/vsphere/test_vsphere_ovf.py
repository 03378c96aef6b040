# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Stemcells imported from OVF/OVA images (OvfManager + ImportVApp + HttpNfcLease upload) on vcsim.

The images are generated here: an OVF 1.0 descriptor with 2 vCPUs, 1 GiB, an LSI Logic controller, one
disk and one NIC, as the BOSH vSphere stemcell's ``image.ovf`` has, packed three ways (``.ovf`` with its
disk beside it, an ``.ova`` tar, a gzipped tar as BOSH's ``image`` file).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tarfile

import pytest

pytest.importorskip("pyVmomi")

from pyVim.connect import Disconnect, SmartConnect  # noqa: E402
from pyVmomi import vim  # noqa: E402

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import errors  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi import vsphere_ovf  # noqa: E402

from vcsim import PASSWORD, USERNAME  # noqa: E402

DISK_BYTES = 3 * 1024 * 1024 + 123  # more than one upload chunk, not a multiple of it
OVF = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
  xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>
    <File ovf:href="image-disk1.vmdk" ovf:id="file1" ovf:size="%(size)d"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:capacity="%(capacity_mb)d" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk1"
      ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="VM Network"><Description>The VM Network network</Description></Network>
  </NetworkSection>
  <VirtualSystem ovf:id="vm">
    <Info>A virtual machine</Info>
    <Name>caas-test-stemcell</Name>
    <OperatingSystemSection ovf:id="94" vmw:osType="ubuntu64Guest"><Info>The OS</Info></OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>caas-test-stemcell</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>1024MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>1024</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:ElementName>SCSI Controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:ElementName>Hard Disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>7</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""


def _write_image(directory, packaging, capacity_mb=2048):
    """An OVF image in ``directory``; returns the path create_stemcell gets."""
    os.makedirs(directory, exist_ok=True)
    ovf_path = os.path.join(directory, "image.ovf")
    disk_path = os.path.join(directory, "image-disk1.vmdk")
    with open(disk_path, "wb") as handle:
        handle.write(b"KDMV" + os.urandom(DISK_BYTES - 4))
    with open(ovf_path, "w") as handle:
        handle.write(OVF % {"size": DISK_BYTES, "capacity_mb": capacity_mb})
    if packaging == "ovf":
        return ovf_path
    archive = os.path.join(directory, "image.ova" if packaging == "ova" else "image")
    with tarfile.open(archive, "w" if packaging == "ova" else "w:gz") as tar:
        tar.add(ovf_path, arcname="image.ovf")  # an OVA has its descriptor first
        tar.add(disk_path, arcname="image-disk1.vmdk")
    os.unlink(ovf_path)
    os.unlink(disk_path)
    return archive


class _Raw:
    """A plain pyVmomi session to check what vcsim holds, independent of the provider."""

    def __init__(self, sim):
        self.si = SmartConnect(host="127.0.0.1", port=sim.port, user=USERNAME, pwd=PASSWORD,
                               disableSslCertValidation=True)

    def vm(self, moid):
        return vim.VirtualMachine(moid, self.si._stub)

    def vm_count(self):
        view = self.si.content.viewManager.CreateContainerView(self.si.content.rootFolder, [vim.VirtualMachine], True)
        return len(view.view)

    def close(self):
        Disconnect(self.si)


@pytest.fixture
def raw(vcsim):
    session = _Raw(vcsim)
    yield session
    session.close()


@pytest.mark.parametrize("packaging", ["ovf", "ova", "bosh-image-tgz"])
def test_import_ovf_image_as_stemcell(harness, raw, tmp_path, packaging):
    cloud = harness.cloud
    uploaded = []
    real_upload = vsphere_ovf.OvfImport._upload

    def counting_upload(self, handle, size, url, create, done, total):  # what went over the wire, by whom
        uploaded.append((url.split("/")[-1], size, create))
        return real_upload(self, handle, size, url, create, done, total)

    image = _write_image(str(tmp_path), packaging)
    vsphere_ovf.OvfImport._upload = counting_upload
    try:
        cid = cloud.create_stemcell(image, {"name": "bosh-vsphere-esxi-ubuntu-jammy-go_agent", "version": "1.2"})
    finally:
        vsphere_ovf.OvfImport._upload = real_upload
    try:
        assert uploaded == [("disk-0.vmdk", DISK_BYTES, False)]  # the disk, POSTed as a stream-optimized VMDK
        record = [s for s in cloud.list_stemcells() if s["cid"] == cid][0]
        assert (record["name"], record["version"]) == ("bosh-vsphere-esxi-ubuntu-jammy-go_agent", "1.2")
        vm = raw.vm(cid)
        assert vm.config.hardware.numCPU == 2 and vm.config.hardware.memoryMB == 1024
        disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
        assert [d.capacityInKB for d in disks] == [2048 * 1024]
        assert not [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
        assert vm.snapshot.currentSnapshot is not None  # the base of linked clones
        assert vm.parent.name == "stemcells" and vm.parent.parent.name == "caas"
        # A VM from it is a linked clone on that snapshot (vcsim does not model child disks, so the request is
        # what is checked), with its NIC from create_vm's networks.
        clone_specs, run = [], cloud.provider.s.run

        def spy(what, method, *args, **kwargs):
            if what.startswith("clone "):
                clone_specs.append(args[-1])
            return run(what, method, *args, **kwargs)

        cloud.provider.s.run = spy
        try:
            vm_cid, _ = cloud.create_vm("agent-ovf", cid, {}, harness.networks(40), [],
                                        {"bosh": {"tags": {"caas_cluster": "ovf", "caas_name": "ovf-0"}}})
            full_cid, _ = cloud.create_vm("agent-ovf-full", cid, {"linked_clone": False}, harness.networks(41), [],
                                          {"bosh": {"tags": {"caas_cluster": "ovf", "caas_name": "ovf-1"}}})
        finally:
            cloud.provider.s.run = run
        assert [(s.location.diskMoveType, s.snapshot and s.snapshot._moId) for s in clone_specs] == [
            ("createNewChildDiskBacking", vm.snapshot.currentSnapshot._moId), (None, None)]
        cloud.delete_vm(full_cid)
        clone = raw.vm(vm_cid)
        assert len([d for d in clone.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]) == 1
        assert cloud.vm_record(vm_cid)["stemcell_cid"] == cid
        cloud.delete_vm(vm_cid)
    finally:
        cloud.delete_stemcell(cid)
    assert cid not in [s["cid"] for s in cloud.list_stemcells()]


def test_failed_upload_leaves_nothing_behind(harness, raw, tmp_path):
    cloud = harness.cloud
    before = raw.vm_count()
    real_upload = vsphere_ovf.OvfImport._upload

    def broken_upload(self, handle, size, url, create, done, total):
        return real_upload(self, handle, size, url.replace("/nfc/", "/nfc/no-such-lease-"), create, done, total)

    vsphere_ovf.OvfImport._upload = broken_upload
    try:
        with pytest.raises(errors.CloudError, match=r"upload to /nfc/.*(HTTP 404|failed)"):
            cloud.create_stemcell(_write_image(str(tmp_path), "ova"), {"name": "broken", "version": "1"})
    finally:
        vsphere_ovf.OvfImport._upload = real_upload
    assert raw.vm_count() == before
    assert "broken" not in [s["name"] for s in cloud.list_stemcells()]


def test_bad_images_are_refused_before_anything_is_made(harness, raw, tmp_path):
    cloud = harness.cloud
    before = raw.vm_count()
    with pytest.raises(errors.InvalidArgument, match="does not exist"):
        cloud.create_stemcell(str(tmp_path / "nope.ova"), {"name": "x", "version": "1"})
    not_an_image = tmp_path / "image.qcow2"
    not_an_image.write_bytes(b"QFI\xfb" + b"\0" * 64)
    with pytest.raises(errors.InvalidArgument, match="neither an .ovf file"):
        cloud.create_stemcell(str(not_an_image), {"name": "x", "version": "1"})
    ovf_path = _write_image(str(tmp_path / "missing-disk"), "ovf")
    os.unlink(os.path.join(os.path.dirname(ovf_path), "image-disk1.vmdk"))
    with pytest.raises(errors.InvalidArgument, match="referenced by the OVF but missing"):
        cloud.create_stemcell(ovf_path, {"name": "x", "version": "1"})
    garbage = tmp_path / "garbage" / "image.ovf"
    garbage.parent.mkdir()
    garbage.write_text("<not-ovf/>")
    with pytest.raises(errors.CpiError, match="ovfDescriptor|OVF"):
        cloud.create_stemcell(str(garbage), {"name": "x", "version": "1"})
    assert raw.vm_count() == before
