# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The vSphere provider of the CPI contract, through pyVmomi (tested against vcsim).

Layout on vSphere (``<folder>`` is ``vsphere_folder``, default ``caas``):

- stemcell: a powered-off VM ``sc-<uuid>`` in ``<folder>/stemcells``, imported from an OVF/OVA image
  (vsphere_ovf.py) or cloned from ``cloud_properties.source_vm`` (an existing VM or template), with a
  snapshot for linked clones and no NIC; cid = its managed object id;
- VM: a linked clone (``cloud_properties.linked_clone: false`` for a full clone) in
  ``<folder>/<caas_cluster>`` (or ``<folder>/vms``); cid = its managed object id, so every look-up is
  one PropertyCollector read without a search. Agent-like settings (agent id, cid, cluster, role,
  index, networks, persistent disk hints) in ExtraConfig ``guestinfo.caas.settings`` (JSON);
  metadata in ExtraConfig ``guestinfo.caas.meta.<key>`` and mirrored in custom attributes;
- persistent disk: ``[datastore] caas_disks/<cid>.vmdk`` made by VirtualDiskManager, attached
  independent-persistent (outside VM snapshots), with a JSON record next to it
  (``caas_disks/<cid>.json``: size, attached VM, hint, metadata, snapshots);
- disk snapshot: a VirtualDiskManager copy ``caas_disks/<disk cid>--snap-<hex>.vmdk``.

delete_vm powers off, detaches every persistent disk, then destroys: Destroy_Task deletes every
disk still attached, as vSphere does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import uuid

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import vsphere_ovf as ovf
from ansible_collections.ondemand.caas.plugins.module_utils.cpi import vsphere_specs as specs
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.contract import Provider, Setting
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import (
    CloudError, CpiError, DiskAttachedElsewhere, DiskNotAttached, DiskNotFound, InvalidArgument,
    NetworkNotFound, NotSupported, StemcellNotFound, VMCreationFailed, VMNotFound,
)
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.vsphere_client import HAS_PYVMOMI, VsphereSession

try:
    from pyVmomi import vim, vmodl
except ImportError:  # VsphereSession raises a CpiError naming the package on first use
    vim = vmodl = None

VM_PATHS = ["name", "runtime.powerState", "config.extraConfig", "config.hardware.device", "guest.ipAddress"]
CUSTOM_ATTRIBUTES = ("caas_cluster", "caas_role", "caas_index", "caas_name", "caas_ip")


def _env_bool(value):
    if isinstance(value, bool) or value is None:
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class VsphereProvider(Provider):
    """vCenter/ESXi through pyVmomi; one session per instance, closed by ``close()``."""

    name = "vsphere"
    stemcell_formats = ("vsphere-ova", "vsphere-ovf")
    settings_spec = (
        Setting("vsphere_hostname", "vCenter or ESXi host name.", env="VMWARE_HOST"),
        Setting("vsphere_username", "vSphere user name.", env="VMWARE_USER"),
        Setting("vsphere_password", "vSphere password.", env="VMWARE_PASSWORD", secret=True),
        Setting("vsphere_port", "vSphere API port.", env="VMWARE_PORT", default=443, type="int"),
        Setting("vsphere_validate_certs", "Validate the vCenter TLS certificate.", env="VMWARE_VALIDATE_CERTS",
                default=True, type="bool"),
        Setting("vsphere_datacenter", "Datacenter (the only one when unset).", env="CAAS_VSPHERE_DATACENTER"),
        Setting("vsphere_cluster", "Compute cluster (the first one when unset).", env="CAAS_VSPHERE_CLUSTER"),
        Setting("vsphere_datastore", "Datastore for VMs and persistent disks (the emptiest when unset).",
                env="CAAS_VSPHERE_DATASTORE"),
        Setting("vsphere_resource_pool", "Resource pool path under the cluster (its root pool when unset).",
                env="CAAS_VSPHERE_RESOURCE_POOL"),
        Setting("vsphere_folder", "VM folder (under the datacenter's vm folder) holding everything.",
                env="CAAS_VSPHERE_FOLDER", default="caas"),
    )

    def __init__(self, settings, log=None):
        super(VsphereProvider, self).__init__(settings, log=log)
        for setting in self.settings_spec:  # option, else environment, else default
            if settings.get(setting.name) is None:
                value = os.environ.get(setting.env) if setting.env else None
                self.settings[setting.name] = setting.default if value in (None, "") else value
        self.settings["vsphere_validate_certs"] = _env_bool(self.settings["vsphere_validate_certs"])
        self._session = None
        self._cache = {}

    # --- plumbing ---------------------------------------------------------------------------------------
    @property
    def s(self):
        if self._session is None:
            self._session = VsphereSession(
                self.settings["vsphere_hostname"], self.settings["vsphere_username"],
                self.settings["vsphere_password"], self.settings["vsphere_port"],
                self.settings["vsphere_validate_certs"], log=self.log)
        return self._session

    def close(self):
        if self._session is not None:
            self.log("%d vSphere round trips" % self._session.round_trips)
            self._session.close()
            self._session = None

    def _cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def dc_name(self):
        return self._cached("dc_name", self._find_dc_name)

    def _find_dc_name(self):
        if self.settings["vsphere_datacenter"]:
            return self.settings["vsphere_datacenter"]
        root = self.s.content.rootFolder
        children = self.s.fetch([(root, ["childEntity"])])[root._moId].get("childEntity") or []
        dcs = [c for c in children if isinstance(c, vim.Datacenter)]
        if len(dcs) != 1:
            raise InvalidArgument("vsphere_datacenter is required: %d datacenters at the top level" % len(dcs))
        return self.s.fetch([(dcs[0], ["name"])])[dcs[0]._moId]["name"]

    @property
    def dc(self):
        return self._cached("dc", lambda: self._find(self.dc_name, vim.Datacenter, "datacenter"))

    def _find(self, path, kind, what):
        found = self.s.find(path)
        if found is None or not isinstance(found, kind):
            raise InvalidArgument("unknown %s %r on %s" % (what, path, self.settings["vsphere_hostname"]))
        return found

    @property
    def ds_name(self):
        return self._cached("ds_name", self._find_ds_name)

    def _find_ds_name(self):
        if self.settings["vsphere_datastore"]:
            self._find("%s/datastore/%s" % (self.dc_name, self.settings["vsphere_datastore"]), vim.Datastore, "datastore")
            return self.settings["vsphere_datastore"]
        stores = self.s.fetch([(self.dc, ["datastore"])])[self.dc._moId].get("datastore") or []
        props = self.s.fetch([(d, ["name", "summary.freeSpace"]) for d in stores])
        if not props:
            raise InvalidArgument("datacenter %s has no datastore" % self.dc_name)
        return max(props.values(), key=lambda p: p.get("summary.freeSpace", 0))["name"]

    def _datastore(self):
        return self._cached("ds", lambda: self._find("%s/datastore/%s" % (self.dc_name, self.ds_name),
                                                     vim.Datastore, "datastore"))

    def _pool(self):
        return self._cached("pool", self._find_pool)

    def _find_pool(self):
        cluster, pool = self.settings["vsphere_cluster"], self.settings["vsphere_resource_pool"]
        if cluster:
            compute = self._find("%s/host/%s" % (self.dc_name, cluster), vim.ComputeResource, "cluster")
        else:
            host_folder = self.s.fetch([(self.dc, ["hostFolder"])])[self.dc._moId]["hostFolder"]
            children = self.s.fetch([(host_folder, ["childEntity"])])[host_folder._moId].get("childEntity") or []
            computes = [c for c in children if isinstance(c, vim.ComputeResource)]
            if not computes:
                raise InvalidArgument("datacenter %s has no cluster or host" % self.dc_name)
            compute = computes[0]
            cluster = self.s.fetch([(compute, ["name"])])[compute._moId]["name"]
        if pool:
            return self._find("%s/host/%s/Resources/%s" % (self.dc_name, cluster, pool.strip("/")),
                              vim.ResourcePool, "resource pool")
        return self.s.fetch([(compute, ["resourcePool"])])[compute._moId]["resourcePool"]

    def _folder(self, *parts):
        """The VM folder ``<vsphere_folder>/<parts...>``, created when missing."""
        names = [p for p in self.settings["vsphere_folder"].strip("/").split("/") if p] + list(parts)
        return self._cached("folder:" + "/".join(names), lambda: self._make_folder(names))

    def _make_folder(self, names):
        self.dc  # noqa: B018 - an unknown datacenter is reported as such, not as a missing folder
        path = "%s/vm" % self.dc_name
        folder = self._find(path, vim.Folder, "folder")
        for name in names:
            path += "/" + name
            found = self.s.find(path)
            if found is None:
                try:
                    found = self.s.call("create folder %s" % path, folder.CreateFolder, name)
                except InvalidArgument:  # created meanwhile by a parallel run
                    found = self._find(path, vim.Folder, "folder")
            folder = found
        return folder

    def _vm(self, cid, paths, missing=VMNotFound):
        obj = self.s.moref(vim.VirtualMachine, str(cid))
        try:
            props = self.s.fetch([(obj, paths)]).get(str(cid))
        except vmodl.fault.ManagedObjectNotFound:
            props = None
        if props is None:
            raise missing("VM %s not found" % cid if missing is VMNotFound else "stemcell %s not found" % cid)
        props["extra"] = specs.read_extra_config(props.get("config.extraConfig"))
        return obj, props

    def _gone(self, what, call, *args):
        """Run ``call``; a managed object deleted meanwhile becomes VMNotFound."""
        try:
            return call(*args)
        except vmodl.fault.ManagedObjectNotFound:
            raise VMNotFound("%s: the VM was deleted meanwhile" % what)

    def _reconfigure(self, vm, what, extra=None, devices=None):
        spec = vim.vm.ConfigSpec()
        if extra:
            spec.extraConfig = specs.extra_config(extra)
        if devices:
            spec.deviceChange = devices
        return self.s.run(what, vm.ReconfigVM_Task, spec)

    # --- stemcells --------------------------------------------------------------------------------------
    def create_stemcell(self, image_path, cloud_properties):
        cloud_properties = cloud_properties or {}
        info = {"name": cloud_properties.get("name", "stemcell"), "version": str(cloud_properties.get("version", "0")),
                "metadata": cloud_properties.get("metadata") or {}}
        name = "sc-%s" % uuid.uuid4()
        source = cloud_properties.get("source_vm")
        image = None if source else ovf.OvfImage(image_path)  # a bad image fails before anything is made
        try:
            folder = self._folder("stemcells")
            if source:
                stemcell = self._clone_source(source, name, folder)
            else:
                stemcell = self._import_ovf(image, name, folder)
        finally:
            if image is not None:
                image.close()
        try:
            dummy, props = self._vm(stemcell._moId, ["config.hardware.device"])
            # NICs come from create_vm's networks: a stemcell has none. One reconfigure tags it and drops them.
            self._reconfigure(stemcell, "tag stemcell %s" % name, extra={specs.STEMCELL_KEY: specs.settings_json(info)},
                              devices=specs.nic_removals(props.get("config.hardware.device")))
            self.s.run("snapshot stemcell %s" % name, stemcell.CreateSnapshot_Task,
                       name="caas-stemcell", description="linked clone base", memory=False, quiesce=False)
        except CpiError:
            self._destroy(stemcell, "stemcell %s" % name)
            raise
        return stemcell._moId

    def _clone_source(self, source, name, folder):
        vm = self.s.find(source) if "/" in source else self.s.moref(vim.VirtualMachine, source)
        if vm is None:
            raise InvalidArgument("unknown source_vm %r" % source)
        spec = vim.vm.CloneSpec(powerOn=False, template=False,
                                location=vim.vm.RelocateSpec(pool=self._pool(), datastore=self._datastore()))
        try:
            return self.s.run("clone %s into stemcell %s" % (source, name), vm.CloneVM_Task, folder, name, spec)
        except vmodl.fault.ManagedObjectNotFound:
            raise InvalidArgument("unknown source_vm %r" % source)

    def _import_ovf(self, image, name, folder):
        """Import an OVF/OVA image as VM ``name``; nothing is left behind when it fails."""
        job = ovf.OvfImport(self.s, image, name, self._pool(), self._datastore(), folder, self.log)
        try:
            return job.run()
        except CpiError:
            if job.vm is not None:  # vCenter removes it when the lease is aborted; vcsim does not
                self._destroy(job.vm, "half-imported stemcell %s" % name)
            raise

    def delete_stemcell(self, stemcell_cid):
        try:
            vm, props = self._vm(stemcell_cid, ["config.extraConfig"], missing=StemcellNotFound)
        except StemcellNotFound:
            return None
        if specs.STEMCELL_KEY not in props["extra"]:
            raise InvalidArgument("%s is not a stemcell" % stemcell_cid)
        self._destroy(vm, "stemcell %s" % stemcell_cid)
        return None

    def list_stemcells(self):
        found = self.s.fetch_tree(self._folder("stemcells"), vim.VirtualMachine, ["config.extraConfig"])
        result = []
        for moid, props in sorted(found.items()):
            info = specs.read_extra_config(props.get("config.extraConfig")).get(specs.STEMCELL_KEY)
            if info:
                record = json.loads(info)
                record["cid"] = moid
                result.append(record)
        return result

    # --- VMs ------------------------------------------------------------------------------------------------
    def create_vm(self, agent_id, stemcell_cid, cloud_properties, networks, disk_cids, environment):
        cloud_properties, environment, networks = cloud_properties or {}, environment or {}, networks or {}
        stemcell, sc = self._vm(stemcell_cid, ["snapshot.currentSnapshot", "config.hardware.device",
                                               "config.extraConfig"], missing=StemcellNotFound)
        if specs.STEMCELL_KEY not in sc["extra"]:
            raise InvalidArgument("%s is not a stemcell" % stemcell_cid)
        metadata = dict((environment.get("bosh") or {}).get("tags") or {})
        metadata.update(cloud_properties.get("metadata") or {})
        cluster = metadata.get("caas_cluster") or cloud_properties.get("folder") or "vms"
        devices = [specs.nic_spec(self._backing(name, net), i)
                   for i, (name, net) in enumerate(sorted(networks.items())) if net.get("type") != "vip"]
        if cloud_properties.get("disk"):
            key, dummy, unit, extra_devices = specs.scsi_slot(sc.get("config.hardware.device"))
            devices += extra_devices + [specs.ephemeral_disk_spec(cloud_properties["disk"], key, unit, self.ds_name)]
        settings = {"agent_id": agent_id, "stemcell_cid": stemcell_cid, "networks": networks,
                    "disks": {"persistent": {}}, "env": environment, "cloud_properties": cloud_properties,
                    "cluster": metadata.get("caas_cluster"), "role": metadata.get("caas_role"),
                    "index": metadata.get("caas_index")}
        linked = cloud_properties.get("linked_clone", True) and sc.get("snapshot.currentSnapshot") is not None
        location = vim.vm.RelocateSpec(pool=self._pool(), datastore=self._datastore())
        if linked:
            location.diskMoveType = "createNewChildDiskBacking"
        # No CloneSpec.config and no powerOn: vcsim ignores parts of both, so the clone is configured
        # by one reconfigure (same task count on vCenter) and powered on explicitly.
        spec = vim.vm.CloneSpec(powerOn=False, template=False, location=location,
                                snapshot=sc.get("snapshot.currentSnapshot") if linked else None)
        name = cloud_properties.get("name") or "vm-%s" % uuid.uuid4()
        vm = self.s.run("clone %s as %s" % (stemcell_cid, name), stemcell.CloneVM_Task,
                        self._folder(cluster), name, spec)
        try:
            settings["vm"] = {"name": name, "cid": vm._moId}
            extra = {specs.SETTINGS_KEY: specs.settings_json(settings)}
            extra.update(specs.metadata_to_extra_config(metadata))
            config = vim.vm.ConfigSpec(extraConfig=specs.extra_config(extra), deviceChange=devices)
            if cloud_properties.get("cpu"):
                config.numCPUs = int(cloud_properties["cpu"])
            if cloud_properties.get("ram"):
                config.memoryMB = int(cloud_properties["ram"])
            self.s.run("configure %s" % vm._moId, vm.ReconfigVM_Task, config)
            self._set_attributes(vm, metadata, {})
            self.s.run("power on %s" % vm._moId, vm.PowerOnVM_Task)
        except CpiError as exc:
            try:
                self._destroy(vm, vm._moId)
            except CpiError as cleanup:
                raise VMCreationFailed("create_vm failed (%s); cleanup failed too (%s): delete VM %s"
                                       % (exc.message, cleanup.message, vm._moId), ok_to_retry=False)
            raise VMCreationFailed("create_vm failed, nothing left behind: %s" % exc.message)
        return [vm._moId, networks]

    def _backing(self, name, network):
        port_group = (network.get("cloud_properties") or {}).get("name") or name
        return self._cached("net:" + port_group, lambda: self._find_backing(port_group))

    def _find_backing(self, port_group):
        found = self.s.find("%s/network/%s" % (self.dc_name, port_group))
        if found is None:
            raise NetworkNotFound("unknown network (port group or segment) %r in datacenter %s"
                                  % (port_group, self.dc_name))
        kind = type(found).__name__.split(".")[-1]
        paths = {"DistributedVirtualPortgroup": ["key", "config.distributedVirtualSwitch"],
                 "OpaqueNetwork": ["summary"]}.get(kind, ["name"])
        props = self.s.fetch([(found, paths)])[found._moId]
        switch_uuid = None
        if kind == "DistributedVirtualPortgroup":
            switch = props["config.distributedVirtualSwitch"]
            switch_uuid = self.s.fetch([(switch, ["uuid"])])[switch._moId]["uuid"]
        return specs.nic_backing(kind, props, port_group, switch_uuid)

    def _set_attributes(self, vm, metadata, current):
        """Mirror the caas_* metadata keys in custom attributes (one SetField per changed key)."""
        wanted = dict((k, str(v)) for k, v in metadata.items() if k in CUSTOM_ATTRIBUTES and v is not None)
        changed = dict((k, v) for k, v in wanted.items() if current.get(k) != v)
        if changed:
            keys = self.s.field_keys(sorted(changed))
            for name, value in sorted(changed.items()):
                self.s.call("set custom attribute %s" % name, self.s.content.customFieldsManager.SetField,
                            entity=vm, key=keys[name], value=value)

    def _destroy(self, vm, what):
        """Power off, detach every persistent disk (keeping its file), then destroy."""
        try:
            dummy, props = self._vm(vm._moId, ["runtime.powerState", "config.hardware.device"])
        except VMNotFound:
            return []
        if props.get("runtime.powerState") != "poweredOff":
            self.s.run("power off %s" % what, vm.PowerOffVM_Task)
        disks = specs.persistent_disks(props.get("config.hardware.device"))
        if disks:
            self._reconfigure(vm, "detach persistent disks of %s" % what,
                              devices=[specs.detach_spec(d) for d in disks.values()])
        self.s.run("destroy %s" % what, vm.Destroy_Task)
        return sorted(disks)

    def delete_vm(self, vm_cid):
        vm, props = self._vm(vm_cid, ["config.extraConfig"])
        if specs.STEMCELL_KEY in props["extra"]:
            raise InvalidArgument("%s is a stemcell; use delete_stemcell" % vm_cid)
        for disk_cid in self._destroy(vm, "VM %s" % vm_cid):
            self._update_disk(disk_cid, attached_to=None)
        return None

    def has_vm(self, vm_cid):
        try:
            self._vm(vm_cid, ["name"])
            return True
        except VMNotFound:
            return False

    def reboot_vm(self, vm_cid):
        vm, props = self._vm(vm_cid, ["runtime.powerState"])
        if props.get("runtime.powerState") == "poweredOn":
            self.s.run("reset %s" % vm_cid, vm.ResetVM_Task)  # hard reset: no guest tools needed
        else:
            self.s.run("power on %s" % vm_cid, vm.PowerOnVM_Task)
        return None

    def set_vm_metadata(self, vm_cid, metadata):
        vm, props = self._vm(vm_cid, ["config.extraConfig"])
        current = specs.metadata_from_extra_config(props["extra"])
        updates = dict((k, v) for k, v in (metadata or {}).items() if current.get(k) != (None if v is None else str(v)))
        if updates:
            self._reconfigure(vm, "set metadata of %s" % vm_cid, extra=specs.metadata_to_extra_config(updates))
            self._set_attributes(vm, updates, current)
        return None

    def calculate_vm_cloud_properties(self, desired_instance_size):
        size = desired_instance_size or {}
        return {"cpu": int(size.get("cpu", 1)), "ram": int(size.get("ram", 1024)),
                "disk": int(size.get("ephemeral_disk_size", 0)) or None}

    def _vm_record(self, moid, props):
        extra = specs.read_extra_config(props.get("config.extraConfig"))
        settings = json.loads(extra.get(specs.SETTINGS_KEY) or "{}")
        networks = settings.get("networks") or {}
        ips = [n["ip"] for n in networks.values() if n.get("ip")]
        if props.get("guest.ipAddress") and props["guest.ipAddress"] not in ips:
            ips.append(props["guest.ipAddress"])
        return {"cid": moid, "name": props.get("name"),
                "state": "running" if props.get("runtime.powerState") == "poweredOn" else "stopped",
                "stemcell_cid": settings.get("stemcell_cid"), "networks": networks, "ips": ips,
                "metadata": specs.metadata_from_extra_config(extra),
                "disks": sorted(specs.persistent_disks(props.get("config.hardware.device"))),
                "cloud_properties": settings.get("cloud_properties") or {}}

    def list_vms(self):
        found = self.s.fetch_tree(self._folder(), vim.VirtualMachine, VM_PATHS)
        return [self._vm_record(moid, props) for moid, props in sorted(found.items())
                if specs.SETTINGS_KEY in specs.read_extra_config(props.get("config.extraConfig"))]

    def vm_record(self, vm_cid):
        dummy, props = self._vm(vm_cid, VM_PATHS)
        return self._vm_record(str(vm_cid), props)

    # --- disks ------------------------------------------------------------------------------------------------
    def _disk(self, disk_cid):
        if not isinstance(disk_cid, str) or not specs.DISK_RE.search("] %s/%s.vmdk" % (specs.DISK_DIR, disk_cid)):
            raise DiskNotFound("disk %r not found (not a vsphere disk cid)" % (disk_cid,))
        record = self.s.read_json(self.dc_name, self.ds_name, specs.sidecar_path(disk_cid))
        if record is None:
            raise DiskNotFound("disk %s not found on datastore %s" % (disk_cid, self.ds_name))
        return record

    def _update_disk(self, disk_cid, **changes):
        record = self._disk(disk_cid)
        record.update(changes)
        if "attached_to" in changes and changes["attached_to"] is None:
            record["hint"] = None
        self.s.write_json(self.dc_name, self.ds_name, specs.sidecar_path(disk_cid), record)
        return record

    def _attached_vm(self, record, disk_cid):
        """The VM the disk is really attached to: the record's VM if it still holds the device."""
        vm_cid = record.get("attached_to")
        if not vm_cid:
            return None
        try:
            dummy, props = self._vm(vm_cid, ["config.hardware.device"])
        except VMNotFound:
            return None
        return vm_cid if disk_cid in specs.persistent_disks(props.get("config.hardware.device")) else None

    def create_disk(self, size, cloud_properties, vm_cid):
        size = int(size)
        if size <= 0:
            raise InvalidArgument("disk size must be a positive number of MiB, not %r" % size)
        disk_cid = "disk-%s" % uuid.uuid4().hex
        path = specs.disk_path(self.ds_name, disk_cid)
        manager = self.s.content.virtualDiskManager
        spec = vim.VirtualDiskManager.FileBackedVirtualDiskSpec(diskType="thin", adapterType="lsiLogic",
                                                                capacityKb=size * 1024)
        try:
            self.s.run("create disk %s" % path, manager.CreateVirtualDisk_Task, name=path, datacenter=self.dc, spec=spec)
        except CloudError as exc:
            if "FileNotFound" not in exc.message and "CannotCreateFile" not in exc.message:
                raise
            self.s.call("create [%s] %s" % (self.ds_name, specs.DISK_DIR), self.s.content.fileManager.MakeDirectory,
                        name="[%s] %s" % (self.ds_name, specs.DISK_DIR), datacenter=self.dc,
                        createParentDirectories=True)
            self.s.run("create disk %s" % path, manager.CreateVirtualDisk_Task, name=path, datacenter=self.dc, spec=spec)
        record = {"size_mb": size, "attached_to": None, "hint": None, "snapshots": [],
                  "metadata": dict((cloud_properties or {}).get("metadata") or {}),
                  "cloud_properties": cloud_properties or {}}
        try:
            self.s.write_json(self.dc_name, self.ds_name, specs.sidecar_path(disk_cid), record)
        except CpiError:
            self._delete_file(path)
            raise
        return disk_cid

    def _delete_file(self, path):
        try:
            self.s.run("delete %s" % path, self.s.content.virtualDiskManager.DeleteVirtualDisk_Task,
                       name=path, datacenter=self.dc)
        except CloudError as exc:
            if "FileNotFound" not in exc.message:
                raise

    def delete_disk(self, disk_cid):
        record = self._disk(disk_cid)
        holder = self._attached_vm(record, disk_cid)
        if holder:
            raise CpiError("disk %s is attached to VM %s; detach it first" % (disk_cid, holder))
        self._delete_file(specs.disk_path(self.ds_name, disk_cid))
        self.s.run("delete record of %s" % disk_cid, self.s.content.fileManager.DeleteDatastoreFile_Task,
                   name="[%s] %s" % (self.ds_name, specs.sidecar_path(disk_cid)), datacenter=self.dc)
        return None

    def has_disk(self, disk_cid):
        try:
            self._disk(disk_cid)
            return True
        except DiskNotFound:
            return False

    def attach_disk(self, vm_cid, disk_cid):
        record = self._disk(disk_cid)
        vm, props = self._vm(vm_cid, ["config.hardware.device", "config.extraConfig"])
        attached = specs.persistent_disks(props.get("config.hardware.device"))
        if disk_cid in attached:  # idempotent: already here
            return record.get("hint")
        holder = self._attached_vm(record, disk_cid)
        if holder and holder != vm_cid:
            raise DiskAttachedElsewhere("disk %s is attached to VM %s; detach it first" % (disk_cid, holder))
        key, bus, unit, extra_devices = specs.scsi_slot(props.get("config.hardware.device"))
        hint = specs.disk_hint(bus, unit, disk_cid)
        settings = json.loads(props["extra"].get(specs.SETTINGS_KEY) or "{}")
        settings.setdefault("disks", {}).setdefault("persistent", {})[disk_cid] = hint
        devices = extra_devices + [specs.attach_spec(specs.disk_path(self.ds_name, disk_cid), record["size_mb"], key, unit)]
        self._reconfigure(vm, "attach %s to %s" % (disk_cid, vm_cid),
                          extra={specs.SETTINGS_KEY: specs.settings_json(settings)}, devices=devices)
        metadata = dict(record.get("metadata") or {}, caas_vm=vm_cid)
        self._update_disk(disk_cid, attached_to=vm_cid, hint=hint, metadata=metadata)
        return hint

    def detach_disk(self, vm_cid, disk_cid):
        vm, props = self._vm(vm_cid, ["config.hardware.device", "config.extraConfig"])
        device = specs.persistent_disks(props.get("config.hardware.device")).get(disk_cid)
        if device is None:
            raise DiskNotAttached("disk %s is not attached to VM %s" % (disk_cid, vm_cid))
        settings = json.loads(props["extra"].get(specs.SETTINGS_KEY) or "{}")
        settings.get("disks", {}).get("persistent", {}).pop(disk_cid, None)
        self._reconfigure(vm, "detach %s from %s" % (disk_cid, vm_cid),
                          extra={specs.SETTINGS_KEY: specs.settings_json(settings)}, devices=[specs.detach_spec(device)])
        self._update_disk(disk_cid, attached_to=None)
        return None

    def get_disks(self, vm_cid):
        dummy, props = self._vm(vm_cid, ["config.hardware.device"])
        return sorted(specs.persistent_disks(props.get("config.hardware.device")))

    def set_disk_metadata(self, disk_cid, metadata):
        record = self._disk(disk_cid)
        merged = dict(record.get("metadata") or {})
        merged.update(dict((k, None if v is None else str(v)) for k, v in (metadata or {}).items()))
        self._update_disk(disk_cid, metadata=dict((k, v) for k, v in merged.items() if v is not None))
        return None

    def resize_disk(self, disk_cid, new_size):
        record, new_size = self._disk(disk_cid), int(new_size)
        if new_size < record["size_mb"]:
            raise NotSupported("disk %s is %s MiB; shrinking to %s MiB is not supported"
                               % (disk_cid, record["size_mb"], new_size))
        if new_size == record["size_mb"]:
            return None
        holder = self._attached_vm(record, disk_cid)
        if holder:  # grow in place through the VM: works while it runs
            vm, props = self._vm(holder, ["config.hardware.device"])
            device = specs.persistent_disks(props.get("config.hardware.device"))[disk_cid]
            device.capacityInKB = new_size * 1024
            device.capacityInBytes = new_size * 1024 * 1024
            self._reconfigure(vm, "grow %s" % disk_cid, devices=[vim.vm.device.VirtualDeviceSpec(
                operation=vim.vm.device.VirtualDeviceSpec.Operation.edit, device=device)])
        else:
            self.s.run("grow %s" % disk_cid, self.s.content.virtualDiskManager.ExtendVirtualDisk_Task,
                       name=specs.disk_path(self.ds_name, disk_cid), datacenter=self.dc,
                       newCapacityKb=new_size * 1024, eagerZero=False)
        # The file system grows in the guest (the agent's job on first boot after the resize).
        self._update_disk(disk_cid, size_mb=new_size)
        return None

    def snapshot_disk(self, disk_cid, metadata):
        record = self._disk(disk_cid)
        snapshot_cid = "%s--snap-%s" % (disk_cid, uuid.uuid4().hex[:12])
        self.s.run("snapshot %s" % disk_cid, self.s.content.virtualDiskManager.CopyVirtualDisk_Task,
                   sourceName=specs.disk_path(self.ds_name, disk_cid), sourceDatacenter=self.dc,
                   destName="[%s] %s/%s.vmdk" % (self.ds_name, specs.DISK_DIR, snapshot_cid),
                   destDatacenter=self.dc, force=False)
        entry = {"cid": snapshot_cid, "disk_cid": disk_cid,
                 "metadata": dict((k, str(v)) for k, v in (metadata or {}).items())}
        self._update_disk(disk_cid, snapshots=list(record.get("snapshots") or []) + [entry])
        return snapshot_cid

    def delete_snapshot(self, snapshot_cid):
        if "--snap-" not in str(snapshot_cid):
            return None
        disk_cid = snapshot_cid.split("--snap-")[0]
        self._delete_file("[%s] %s/%s.vmdk" % (self.ds_name, specs.DISK_DIR, snapshot_cid))
        try:
            record = self._disk(disk_cid)
        except DiskNotFound:
            return None
        self._update_disk(disk_cid, snapshots=[e for e in record.get("snapshots") or [] if e["cid"] != snapshot_cid])
        return None

    def list_snapshots(self, disk_cid):
        return list(self._disk(disk_cid).get("snapshots") or [])

    def _disk_record(self, disk_cid, record):
        return {"cid": disk_cid, "size_mb": record.get("size_mb"), "vm_cid": record.get("attached_to"),
                "hint": record.get("hint"), "metadata": record.get("metadata") or {},
                "snapshots": [e["cid"] for e in record.get("snapshots") or []]}

    def disk_record(self, disk_cid):
        record = self._disk(disk_cid)
        if record.get("attached_to") and not self._attached_vm(record, disk_cid):
            record["attached_to"], record["hint"] = None, None  # its VM is gone or lost the device
        return self._disk_record(disk_cid, record)

    def list_disks(self):
        browser = self.s.fetch([(self._datastore(), ["browser"])])[self._datastore()._moId]["browser"]
        spec = vim.host.DatastoreBrowser.SearchSpec(matchPattern=["disk-*.json"])
        try:
            result = self.s.run("list disks", browser.SearchDatastore_Task,
                                datastorePath="[%s] %s" % (self.ds_name, specs.DISK_DIR), searchSpec=spec)
        except CloudError as exc:
            if "FileNotFound" in exc.message:
                return []
            raise
        records = []
        for file_info in sorted(getattr(result, "file", None) or [], key=lambda f: f.path):
            disk_cid = file_info.path[:-len(".json")]
            try:
                records.append(self._disk_record(disk_cid, self._disk(disk_cid)))
            except DiskNotFound:
                continue
        return records


__all__ = ["VsphereProvider", "HAS_PYVMOMI"]
