# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Pure helpers of the vsphere provider: device specs, ExtraConfig encoding, disk paths.

No network here: everything takes values already read and returns pyVmomi spec objects or dicts,
so the round-trip budget of each verb is visible in vsphere.py alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CpiError

try:
    from pyVmomi import vim
except ImportError:  # reported by vsphere_client when the provider is used
    vim = None

DISK_DIR = "caas_disks"
SETTINGS_KEY = "guestinfo.caas.settings"
STEMCELL_KEY = "guestinfo.caas.stemcell"
META_PREFIX = "guestinfo.caas.meta."
DISK_RE = re.compile(r"\] %s/(disk-[0-9a-f]+)\.vmdk$" % DISK_DIR)
SCSI_UNITS = [u for u in range(16) if u != 7]  # unit 7 is the controller itself


def disk_path(datastore, name):
    return "[%s] %s/%s.vmdk" % (datastore, DISK_DIR, name)


def sidecar_path(name):
    return "%s/%s.json" % (DISK_DIR, name)


def extra_config(values):
    """``{key: value}`` as OptionValue list; a None value deletes the key (vSphere semantics: empty string)."""
    return [vim.option.OptionValue(key=k, value="" if v is None else v) for k, v in sorted(values.items())]


def read_extra_config(options):
    return dict((o.key, o.value) for o in (options or []) if isinstance(o.value, str))


def metadata_from_extra_config(values):
    return dict((k[len(META_PREFIX):], v) for k, v in values.items() if k.startswith(META_PREFIX) and v != "")


def metadata_to_extra_config(metadata):
    for key in metadata:
        if not re.match(r"^[A-Za-z0-9_.-]+$", str(key)):
            raise CpiError("metadata key %r: only letters, digits, '_', '.', '-' are allowed on vSphere" % key)
    return dict((META_PREFIX + str(k), None if v is None else str(v)) for k, v in metadata.items())


def settings_json(settings):
    return json.dumps(settings, sort_keys=True, separators=(",", ":"))


def persistent_disks(devices):
    """``{disk_cid: VirtualDisk}`` for the caas persistent disks among ``devices``."""
    found = {}
    for device in devices or []:
        if isinstance(device, vim.vm.device.VirtualDisk):
            match = DISK_RE.search(getattr(device.backing, "fileName", "") or "")
            if match:
                found[match.group(1)] = device
    return found


def scsi_slot(devices):
    """Pick ``(controller_key, bus, unit, extra_specs)`` for one more SCSI disk.

    Uses the first SCSI controller with a free unit; adds a paravirtual controller (in the same
    reconfigure) when there is none or all are full.
    """
    controllers = sorted((d for d in devices or [] if isinstance(d, vim.vm.device.VirtualSCSIController)),
                         key=lambda c: c.busNumber)
    used = {}
    for device in devices or []:
        if device.controllerKey is not None and device.unitNumber is not None:
            used.setdefault(device.controllerKey, set()).add(device.unitNumber)
    for controller in controllers:
        free = [u for u in SCSI_UNITS if u not in used.get(controller.key, set())]
        if free:
            return controller.key, controller.busNumber, free[0], []
    bus = len(controllers)
    if bus > 3:
        raise CpiError("no free SCSI slot: 4 controllers with 15 disks each")
    controller = vim.vm.device.ParaVirtualSCSIController(key=-100 - bus, busNumber=bus,
                                                         sharedBus=vim.vm.device.VirtualSCSIController.Sharing.noSharing)
    spec = vim.vm.device.VirtualDeviceSpec(operation=vim.vm.device.VirtualDeviceSpec.Operation.add, device=controller)
    return controller.key, bus, 0, [spec]


def disk_hint(bus, unit, cid):
    """Where the guest finds the disk: the SCSI address, as bosh-vsphere-cpi's ``volume_id``."""
    return {"id": cid, "volume_id": str(unit), "lun": "0", "bus": str(bus),
            "path": "/dev/disk/by-path/scsi-%d:0:%d:0" % (bus, unit)}


def attach_spec(path, size_mb, controller_key, unit):
    disk = vim.vm.device.VirtualDisk(
        key=-1, controllerKey=controller_key, unitNumber=unit, capacityInKB=int(size_mb) * 1024,
        backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
            fileName=path, diskMode="independent_persistent", thinProvisioned=True))
    return vim.vm.device.VirtualDeviceSpec(operation=vim.vm.device.VirtualDeviceSpec.Operation.add, device=disk)


def detach_spec(device):
    return vim.vm.device.VirtualDeviceSpec(operation=vim.vm.device.VirtualDeviceSpec.Operation.remove, device=device)


def ephemeral_disk_spec(size_mb, controller_key, unit, datastore):
    disk = vim.vm.device.VirtualDisk(
        key=-2, controllerKey=controller_key, unitNumber=unit, capacityInKB=int(size_mb) * 1024,
        backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
            fileName="[%s]" % datastore, diskMode="persistent", thinProvisioned=True))
    return vim.vm.device.VirtualDeviceSpec(operation=vim.vm.device.VirtualDeviceSpec.Operation.add,
                                           fileOperation=vim.vm.device.VirtualDeviceSpec.FileOperation.create,
                                           device=disk)


def nic_spec(backing, index):
    nic = vim.vm.device.VirtualVmxnet3(
        key=-200 - index, backing=backing,
        connectable=vim.vm.device.VirtualDevice.ConnectInfo(startConnected=True, connected=True, allowGuestControl=True))
    return vim.vm.device.VirtualDeviceSpec(operation=vim.vm.device.VirtualDeviceSpec.Operation.add, device=nic)


def nic_backing(kind, props, name, switch_uuid=None):
    """The NIC backing for a standard port group, a distributed port group or an NSX-T (opaque) segment."""
    if kind == "DistributedVirtualPortgroup":
        return vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
            port=vim.dvs.PortConnection(portgroupKey=props["key"], switchUuid=switch_uuid))
    if kind == "OpaqueNetwork":
        return vim.vm.device.VirtualEthernetCard.OpaqueNetworkBackingInfo(
            opaqueNetworkId=props["summary"].opaqueNetworkId, opaqueNetworkType=props["summary"].opaqueNetworkType)
    return vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=name, network=props["_obj"])


def nic_removals(devices):
    return [vim.vm.device.VirtualDeviceSpec(operation=vim.vm.device.VirtualDeviceSpec.Operation.remove, device=d)
            for d in devices or [] if isinstance(d, vim.vm.device.VirtualEthernetCard)]
