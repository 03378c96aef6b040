# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The embedded IaaS: LXC system containers as VMs, Linux bridges as segments, image files as disks.

It plays the part BOSH Lite's warden CPI played. Every object is recorded in the
provider's state directory (one JSON file each), so the CPI can list and remove
everything it made, and a fresh controller rediscovers it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import json
import os
import re
import shutil
import time
import uuid

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import lxc_host as host
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.contract import Provider, Setting
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import (
    CloudError, CpiError, DiskAttachedElsewhere, DiskNotAttached, DiskNotFound, InvalidArgument,
    NetworkNotFound, NotSupported, StemcellNotFound, VMCreationFailed, VMNotFound,
)
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_stemcell import (
    build_image, extract_image, normalise_recipe,
)
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.state_store import StateStore

DEFAULT_STATE_DIR = "/var/lib/ondemand-caas/lxc"
STORE_MOUNT_POINT = "/var/vcap/store"
SEGMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,14}$")
HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _new_cid(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def _mac_for(segment, ip):
    """A stable MAC per (segment, IP): a healed VM reuses its address without stale ARP entries."""
    digest = hashlib.sha256(("%s/%s" % (segment, ip)).encode("utf-8")).hexdigest()
    return "02:" + ":".join(digest[i:i + 2] for i in range(0, 10, 2))


def _string_metadata(metadata):
    if not isinstance(metadata, dict):
        raise InvalidArgument("metadata must be a mapping of strings")
    return dict((str(k), str(v)) for k, v in metadata.items())


class LxcProvider(Provider):
    name = "lxc"
    stemcell_formats = ("lxc-rootfs-tar",)
    settings_spec = (
        Setting("lxc_state_dir", "Where the LXC provider keeps its records, containers, stemcells and disk images.",
                env="CAAS_LXC_STATE_DIR", default=DEFAULT_STATE_DIR, type="path"),
    )

    def __init__(self, settings, log=None):
        super(LxcProvider, self).__init__(settings, log)
        self.root = os.path.abspath(self.settings["lxc_state_dir"] or DEFAULT_STATE_DIR)
        self.store = StateStore(self.root)
        self.vms_dir = os.path.join(self.root, "vms")
        self.containers = host.Containers(self.vms_dir)

    def _path(self, *parts):
        return os.path.join(self.root, *parts)

    # --- stemcells ------------------------------------------------------------------------------
    def create_stemcell(self, image_path, cloud_properties):
        cloud_properties = cloud_properties or {}
        name = cloud_properties.get("name") or "bosh-lxc-debian"
        version = str(cloud_properties.get("version") or "0")
        if not os.path.exists(image_path):
            if "debootstrap" not in cloud_properties:
                raise InvalidArgument("stemcell image %s does not exist (and no debootstrap recipe to build it)" % image_path)
            build_image(image_path, normalise_recipe(cloud_properties["debootstrap"]), self.log)
        cid = _new_cid("sc")
        rootfs = self._path("stemcells", cid, "rootfs")
        try:
            if os.path.isdir(image_path):
                shutil.copytree(image_path, rootfs, symlinks=True)
            else:
                extract_image(image_path, rootfs)
        except Exception:
            shutil.rmtree(self._path("stemcells", cid), ignore_errors=True)
            raise
        self.store.put("stemcells", {"cid": cid, "name": name, "version": version, "image_path": image_path,
                                     "rootfs": rootfs, "metadata": {}})
        self.log("stemcell %s/%s imported as %s" % (name, version, cid))
        return cid

    def delete_stemcell(self, stemcell_cid):
        record = self.store.get("stemcells", stemcell_cid)
        if record is None:
            return None
        users = [vm["cid"] for vm in self.store.all("vms") if vm["stemcell_cid"] == stemcell_cid]
        if users:
            raise CpiError("stemcell %s is the base of VMs %s; delete them first" % (stemcell_cid, ", ".join(users)))
        shutil.rmtree(self._path("stemcells", stemcell_cid), ignore_errors=True)
        self.store.delete("stemcells", stemcell_cid)
        return None

    def list_stemcells(self):
        return self.store.all("stemcells")

    def _stemcell(self, stemcell_cid):
        record = self.store.get("stemcells", stemcell_cid)
        if record is None or not os.path.isdir(record["rootfs"]):
            raise StemcellNotFound("stemcell %s does not exist" % stemcell_cid)
        return record

    # --- networks -------------------------------------------------------------------------------
    def create_network(self, network_definition):
        name = network_definition.get("name") or (network_definition.get("cloud_properties") or {}).get("name")
        if not name or not SEGMENT_NAME.match(name):
            raise InvalidArgument("segment name %r must be 1-15 characters of a-z, 0-9 and '-' (a Linux bridge name)" % name)
        try:
            cidr = ipaddress.ip_network(network_definition.get("range") or "", strict=True)
        except ValueError as exc:
            raise InvalidArgument("segment %s: range must be a network in CIDR form: %s" % (name, exc))
        gateway = network_definition.get("gateway") or str(next(cidr.hosts()))
        if ipaddress.ip_address(gateway) not in cidr:
            raise InvalidArgument("segment %s: gateway %s is not in %s" % (name, gateway, cidr))
        with self.store.locked():
            existing = self.store.get("networks", name)
            if existing and (existing["range"], existing["gateway"]) != (str(cidr), gateway):
                raise InvalidArgument("segment %s exists with range %s and gateway %s"
                                      % (name, existing["range"], existing["gateway"]))
            for other in self.store.all("networks"):
                if other["cid"] != name and ipaddress.ip_network(other["range"]).overlaps(cidr):
                    raise InvalidArgument("segment %s (%s) overlaps segment %s (%s)" % (name, cidr, other["cid"], other["range"]))
            host.bridge_up(name, gateway, cidr.prefixlen)
            host.nat_up(name, str(cidr))
            record = {"cid": name, "name": name, "range": str(cidr), "gateway": gateway,
                      "cloud_properties": network_definition.get("cloud_properties") or {}}
            if existing != record:
                self.store.put("networks", record)
        return name

    def delete_network(self, network_cid):
        with self.store.locked():
            users = [vm["cid"] for vm in self.store.all("vms")
                     if any(n["segment"] == network_cid for n in vm["networks"].values())]
            if users:
                raise CpiError("segment %s still has VMs %s; delete them first" % (network_cid, ", ".join(users)))
            host.nat_down(network_cid)
            host.bridge_down(network_cid)
            self.store.delete("networks", network_cid)

    def list_networks(self):
        return self.store.all("networks")

    # --- VMs ----------------------------------------------------------------------------------------
    def create_vm(self, agent_id, stemcell_cid, cloud_properties, networks, disk_cids, environment):
        cloud_properties = dict(cloud_properties or {})
        environment = dict(environment or {})
        stemcell = self._stemcell(stemcell_cid)
        if not networks:
            raise InvalidArgument("a VM needs at least one network")
        metadata = _string_metadata((environment.get("bosh") or {}).get("tags") or {})
        hostname = cloud_properties.get("hostname") or metadata.get("caas_name") or agent_id
        if not HOSTNAME.match(str(hostname)):
            raise InvalidArgument("hostname %r is not a valid DNS label" % hostname)
        host.check_inotify_room()
        cid = _new_cid("vm")
        with self.store.locked():
            resolved = self._resolve_networks(networks)
            record = {"cid": cid, "name": hostname, "agent_id": agent_id, "stemcell_cid": stemcell_cid,
                      "networks": resolved, "metadata": metadata, "disks": [],
                      "cloud_properties": cloud_properties, "created_at": time.time()}
            # The record comes first: a create interrupted half-way is still listed, and delete_vm removes it.
            self.store.put("vms", record)
        try:
            self._write_container(record, stemcell, environment)
            self.containers.start(cid)
        except CpiError as exc:
            self._destroy(record)
            raise VMCreationFailed("VM %s (%s) could not be created: %s" % (hostname, cid, exc.message), ok_to_retry=False)
        self.log("VM %s (%s) started at %s" % (hostname, cid, ", ".join(n["ip"] for n in resolved.values())))
        return [cid, self._public_networks(resolved)]

    def _resolve_networks(self, networks):
        taken = set()
        for vm in self.store.all("vms"):
            for net in vm["networks"].values():
                taken.add((net["segment"], net["ip"]))
        resolved = {}
        for index, (net_name, spec) in enumerate(sorted(networks.items())):
            spec = dict(spec or {})
            segment_name = (spec.get("cloud_properties") or {}).get("name") or net_name
            segment = self.store.get("networks", segment_name)
            if segment is None:
                raise NetworkNotFound("segment %s does not exist; create it first (cpi_network)" % segment_name)
            cidr = ipaddress.ip_network(segment["range"])
            if spec.get("type", "manual") == "dynamic" or not spec.get("ip"):
                ip = next((str(a) for a in cidr.hosts() if str(a) != segment["gateway"]
                           and (segment_name, str(a)) not in taken), None)
                if ip is None:
                    raise CloudError("segment %s has no free address" % segment_name, ok_to_retry=False)
            else:
                ip = str(spec["ip"])
                try:
                    address = ipaddress.ip_address(ip)
                except ValueError:
                    raise InvalidArgument("%s is not an IP address" % ip)
                if address not in cidr or address in (cidr.network_address, cidr.broadcast_address):
                    raise InvalidArgument("IP %s is not a usable address of segment %s (%s)" % (ip, segment_name, cidr))
                if ip == segment["gateway"]:
                    raise InvalidArgument("IP %s is the gateway of segment %s" % (ip, segment_name))
                if (segment_name, ip) in taken:
                    raise InvalidArgument("IP %s is already used on segment %s" % (ip, segment_name))
            taken.add((segment_name, ip))
            resolved[net_name] = {
                "type": spec.get("type", "manual"), "ip": ip, "netmask": str(cidr.netmask),
                "prefixlen": cidr.prefixlen, "gateway": segment["gateway"], "segment": segment_name,
                "default": spec.get("default", ["dns", "gateway"] if index == 0 else []),
                "cloud_properties": spec.get("cloud_properties") or {}, "mac": _mac_for(segment_name, ip),
            }
        return resolved

    @staticmethod
    def _public_networks(resolved):
        keys = ("type", "ip", "netmask", "gateway", "default", "cloud_properties", "mac")
        return dict((name, dict((k, net[k]) for k in keys)) for name, net in resolved.items())

    def _write_container(self, record, stemcell, environment):
        cid = record["cid"]
        vm_dir = os.path.join(self.vms_dir, cid)
        delta = os.path.join(vm_dir, "delta")
        lower = stemcell["rootfs"]
        os.makedirs(delta)
        os.makedirs(os.path.join(vm_dir, "data"))
        host.check_free_space(vm_dir, 64)
        files = {
            "etc/hostname": record["name"] + "\n",
            "etc/hosts": "127.0.0.1 localhost\n%s %s\n" % (next(iter(record["networks"].values()))["ip"], record["name"]),
            "var/vcap/bosh/settings.json": json.dumps(self._agent_settings(record, environment), indent=2, sort_keys=True),
            # /dev/kmsg is the console here (see _lxc_config): journald reading it spins at a third of a core and
            # stops writing the journal.
            "etc/systemd/journald.conf.d/10-lxc-no-kmsg.conf": "[Journal]\nReadKMsg=no\n",
        }
        keys = environment.get("ssh_authorized_keys") or []
        if keys:
            files["root/.ssh/authorized_keys"] = "".join(k.strip() + "\n" for k in keys)
        for rel, content in files.items():
            _write_in_overlay(lower, delta, rel, content)
        os.chmod(os.path.join(delta, "var/vcap/bosh/settings.json"), 0o600)
        if keys:
            os.chmod(os.path.join(delta, "root/.ssh"), 0o700)
            os.chmod(os.path.join(delta, "root/.ssh/authorized_keys"), 0o600)
        # Each VM needs its own SSH host key; the stemcell ships none.
        _mkdirs_like(lower, delta, "etc/ssh")
        host.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", record["name"],
                  "-f", os.path.join(delta, "etc/ssh/ssh_host_ed25519_key")])
        with open(os.path.join(vm_dir, "config"), "w") as handle:
            handle.write(self._lxc_config(record, lower, delta, os.path.join(vm_dir, "data")))

    @staticmethod
    def _agent_settings(record, environment):
        """What BOSH's env ISO / guestinfo hands the agent: who this VM is and where its disks are."""
        return {"agent_id": record["agent_id"], "vm": {"cid": record["cid"], "name": record["name"]},
                "networks": LxcProvider._public_networks(record["networks"]),
                "disks": {"persistent": {}}, "metadata": record["metadata"],
                "env": dict((k, v) for k, v in environment.items() if k != "ssh_authorized_keys")}

    def _lxc_config(self, record, lower, delta, data):
        props = record["cloud_properties"]
        lines = [
            "lxc.uts.name = %s" % record["name"],
            "lxc.rootfs.path = overlay:%s:%s" % (lower, delta),
            "lxc.apparmor.profile = unconfined",
            # systemd halts on SIGRTMIN+3; LXC's default SIGPWR makes lxc-stop wait for its timeout.
            "lxc.signal.halt = SIGRTMIN+3",
            "lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed:force",
            "lxc.autodev = 1",
            "lxc.tty.max = 0",
            "lxc.pty.max = 64",
            "lxc.mount.entry = %s var/vcap/data none bind,create=dir 0 0" % data,
            # What kubelet and containerd need in every VM (issue 6):
            # kubelet's OOM watcher reads /dev/kmsg, which a container has not got.
            "lxc.hook.autodev = sh -c 'ln -sf console \"$LXC_ROOTFS_MOUNT/dev/kmsg\"'",
        ]
        # containerd's and kubelet's state on the ephemeral disk (overlayfs snapshots on the overlay root fail).
        for name in ("containerd", "kubelet"):
            os.makedirs(os.path.join(data, "lib", name), exist_ok=True)
            lines.append("lxc.mount.entry = %s var/lib/%s none bind,create=dir 0 0" % (os.path.join(data, "lib", name), name))
        # kubelet wants these sysctls; /proc/sys is read-only in the VM and host-wide values are never written
        # from a VM, so read-only files holding the values it wants are bound over them.
        sysctl_dir = os.path.join(os.path.dirname(data), "sysctl")
        os.makedirs(sysctl_dir, exist_ok=True)
        for key, value in (("vm/overcommit_memory", "1"), ("kernel/panic", "10"), ("kernel/panic_on_oops", "1")):
            path = os.path.join(sysctl_dir, key.replace("/", "."))
            with open(path, "w") as handle:
                handle.write(value + "\n")
            lines.append("lxc.mount.entry = %s proc/sys/%s none bind,ro 0 0" % (path, key))
        for index, net in enumerate(record["networks"].values()):
            cidr = ipaddress.ip_network("%s/%s" % (net["ip"], net["prefixlen"]), strict=False)
            lines += [
                "lxc.net.%d.type = veth" % index,
                "lxc.net.%d.link = %s" % (index, net["segment"]),
                "lxc.net.%d.flags = up" % index,
                "lxc.net.%d.name = eth%d" % (index, index),
                "lxc.net.%d.hwaddr = %s" % (index, net["mac"]),
                "lxc.net.%d.ipv4.address = %s/%s %s" % (index, net["ip"], net["prefixlen"], cidr.broadcast_address),
            ]
            if "gateway" in (net.get("default") or []):
                lines.append("lxc.net.%d.ipv4.gateway = %s" % (index, net["gateway"]))
        v2 = host.cgroup_v2()
        if props.get("ram"):
            lines.append(("lxc.cgroup2.memory.max = %dM" if v2 else "lxc.cgroup.memory.limit_in_bytes = %dM") % int(props["ram"]))
        if props.get("cpu"):
            quota = int(props["cpu"]) * 100000
            lines += (["lxc.cgroup2.cpu.max = %d 100000" % quota] if v2 else
                      ["lxc.cgroup.cpu.cfs_period_us = 100000", "lxc.cgroup.cpu.cfs_quota_us = %d" % quota])
        return "\n".join(lines) + "\n"

    def delete_vm(self, vm_cid):
        record = self.store.get("vms", vm_cid)
        if record is None:
            if self.containers.state(vm_cid) is None:
                raise VMNotFound("VM %s does not exist" % vm_cid)
            record = {"cid": vm_cid, "disks": [], "name": vm_cid}
        # Persistent disks first, always: destroying a VM must never take a disk with it.
        for disk in self.store.all("disks"):
            if disk.get("vm_cid") == vm_cid:
                self._detach(record, disk, force=True)
        self._destroy(record)
        self.log("VM %s deleted" % vm_cid)

    def _destroy(self, record):
        cid = record["cid"]
        vm_dir = os.path.join(self.vms_dir, cid)
        self.containers.stop(cid, kill=True)
        if os.path.realpath(os.path.dirname(vm_dir)) != os.path.realpath(self.vms_dir):
            raise CloudError("refusing to delete %s: not a VM directory of this provider" % vm_dir, ok_to_retry=False)
        with open("/proc/self/mounts") as handle:
            busy = [line.split()[1] for line in handle if line.split()[1].startswith(vm_dir + "/")]
        if busy:
            raise CloudError("VM %s still has mounts %s; not deleting its files" % (cid, ", ".join(busy)))
        shutil.rmtree(vm_dir, ignore_errors=True)
        self.store.delete("vms", cid)

    def has_vm(self, vm_cid):
        return self.containers.state(vm_cid) is not None

    def reboot_vm(self, vm_cid):
        record = self._vm(vm_cid)
        self.containers.stop(vm_cid)
        self.containers.start(vm_cid)
        for disk_cid in record["disks"]:
            self._plug(record, self.store.get("disks", disk_cid))

    def set_vm_metadata(self, vm_cid, metadata):
        with self.store.locked():
            record = self._vm(vm_cid)
            record["metadata"].update(_string_metadata(metadata))
            self.store.put("vms", record)

    def calculate_vm_cloud_properties(self, desired_instance_size):
        size = desired_instance_size or {}
        missing = [k for k in ("cpu", "ram", "ephemeral_disk_size") if k not in size]
        if missing:
            raise InvalidArgument("desired_instance_size needs %s" % ", ".join(missing))
        return {"cpu": int(size["cpu"]), "ram": int(size["ram"]), "ephemeral_disk_size": int(size["ephemeral_disk_size"])}

    def list_vms(self):
        return [self._with_state(vm) for vm in self.store.all("vms")]

    def vm_record(self, vm_cid):
        return self._with_state(self._vm(vm_cid))

    def _with_state(self, record):
        record = dict(record)
        record["state"] = self.containers.state(record["cid"]) or "missing"
        record["ips"] = [n["ip"] for n in record["networks"].values()]
        record["networks"] = self._public_networks(record["networks"])
        return record

    def _vm(self, vm_cid):
        record = self.store.get("vms", vm_cid)
        if record is None:
            raise VMNotFound("VM %s does not exist" % vm_cid)
        return record

    # --- disks ----------------------------------------------------------------------------------------
    def create_disk(self, size, cloud_properties, vm_cid):
        size = int(size)
        if size < 16:
            raise InvalidArgument("a persistent disk needs at least 16 MiB (asked %s)" % size)
        cloud_properties = dict(cloud_properties or {})
        cid = _new_cid("disk")
        disks_dir = self._path("disks")
        os.makedirs(disks_dir, exist_ok=True)
        image = os.path.join(disks_dir, cid + ".img")
        try:
            # Space is reserved up front: a sparse file would fail later, inside the VM, with data in flight.
            host.run(["fallocate", "-l", "%dM" % size, image])
            host.run(["mkfs.ext4", "-q", "-F", "-L", cid[-16:], "-E", "lazy_itable_init=1,nodiscard", image])
        except CpiError:
            if os.path.exists(image):
                os.unlink(image)
            raise
        record = {"cid": cid, "size_mb": size, "image": image, "vm_cid": None,
                  "mount_point": cloud_properties.get("mount_point") or STORE_MOUNT_POINT,
                  "cloud_properties": cloud_properties, "metadata": {}, "created_at": time.time()}
        self.store.put("disks", record)
        self.log("disk %s (%s MiB) created" % (cid, size))
        return cid

    def delete_disk(self, disk_cid):
        with self.store.locked():
            record = self._disk(disk_cid)
            if record.get("vm_cid"):
                raise CpiError("disk %s is attached to VM %s; detach it first" % (disk_cid, record["vm_cid"]))
            host.loop_detach(record["image"])
            if os.path.exists(record["image"]):
                os.unlink(record["image"])
            self.store.delete("disks", disk_cid)
        self.log("disk %s deleted" % disk_cid)

    def has_disk(self, disk_cid):
        record = self.store.get("disks", disk_cid)
        return bool(record and os.path.exists(record["image"]))

    def attach_disk(self, vm_cid, disk_cid):
        with self.store.locked():
            vm = self._vm(vm_cid)
            disk = self._disk(disk_cid)
            if disk.get("vm_cid") == vm_cid:
                return self._hint(disk)
            if disk.get("vm_cid"):
                raise DiskAttachedElsewhere("disk %s is attached to VM %s; detach it there first" % (disk_cid, disk["vm_cid"]))
            for other_cid in vm["disks"]:
                other = self.store.get("disks", other_cid)
                if other and other["mount_point"] == disk["mount_point"]:
                    raise InvalidArgument("VM %s already has disk %s at %s" % (vm_cid, other_cid, disk["mount_point"]))
            disk["vm_cid"] = vm_cid
            vm["disks"].append(disk_cid)
            self.store.put("disks", disk)
            self.store.put("vms", vm)
        try:
            if self.containers.state(vm_cid) == "running":
                self._plug(vm, disk)
        except CpiError:
            self._forget_attachment(vm_cid, disk_cid)
            host.loop_detach(disk["image"])
            raise
        self.log("disk %s attached to %s at %s" % (disk_cid, vm_cid, disk["mount_point"]))
        return self._hint(disk)

    def detach_disk(self, vm_cid, disk_cid):
        vm = self._vm(vm_cid)
        disk = self._disk(disk_cid)
        if disk.get("vm_cid") != vm_cid:
            raise DiskNotAttached("disk %s is not attached to VM %s" % (disk_cid, vm_cid))
        self._detach(vm, disk, force=False)
        self.log("disk %s detached from %s" % (disk_cid, vm_cid))

    def _detach(self, vm, disk, force):
        """Unmount in the guest, release the loop device, then forget the attachment."""
        if self.containers.state(vm["cid"]) == "running":
            try:
                self._unmount(vm, disk)
            except CloudError:
                if not force:
                    raise
                # Deleting the VM: stopping it releases the mount with the guest's own clean shutdown.
                self.containers.stop(vm["cid"])
        host.loop_detach(disk["image"])
        self._forget_attachment(vm["cid"], disk["cid"])

    def _unmount(self, vm, disk):
        proc = self.containers.attach(vm["cid"], ["sh", "-c", "sync; if mountpoint -q %s; then umount %s; fi; rm -f %s"
                                                  % (disk["mount_point"], disk["mount_point"], self._hint(disk)["path"])],
                                      check=False)
        if proc.returncode != 0:
            raise CloudError("disk %s is busy in VM %s (%s); stop what uses %s, or delete the VM"
                             % (disk["cid"], vm["cid"], proc.stderr.strip(), disk["mount_point"]))

    def _forget_attachment(self, vm_cid, disk_cid):
        with self.store.locked():
            disk = self.store.get("disks", disk_cid)
            if disk is not None:
                disk["vm_cid"] = None
                self.store.put("disks", disk)
            vm = self.store.get("vms", vm_cid)
            if vm is not None and disk_cid in vm["disks"]:
                vm["disks"].remove(disk_cid)
                self.store.put("vms", vm)

    def _plug(self, vm, disk):
        """Hot-plug: a loop device for the image, its node in the guest's /dev, mounted at the store path."""
        device = host.loop_attach(disk["image"])
        major, minor = host.device_numbers(device)
        node = self._hint(disk)["path"]
        mount_point = disk["mount_point"]
        script = ("set -e; mkdir -p /dev/caas %(mp)s; if mountpoint -q %(mp)s; then exit 0; fi; "
                  "rm -f %(node)s; mknod %(node)s b %(major)d %(minor)d; mount %(node)s %(mp)s"
                  % {"mp": mount_point, "node": node, "major": major, "minor": minor})
        proc = self.containers.attach(vm["cid"], ["sh", "-c", script], check=False)
        if proc.returncode != 0:
            raise CloudError("mounting disk %s in VM %s failed: %s" % (disk["cid"], vm["cid"], proc.stderr.strip()))

    @staticmethod
    def _hint(disk):
        return {"path": "/dev/caas/%s" % disk["cid"], "mount_point": disk["mount_point"]}

    def get_disks(self, vm_cid):
        self._vm(vm_cid)
        return [d["cid"] for d in self.store.all("disks") if d.get("vm_cid") == vm_cid]

    def set_disk_metadata(self, disk_cid, metadata):
        with self.store.locked():
            record = self._disk(disk_cid)
            record["metadata"].update(_string_metadata(metadata))
            self.store.put("disks", record)

    def resize_disk(self, disk_cid, new_size):
        new_size = int(new_size)
        record = self._disk(disk_cid)
        if new_size < record["size_mb"]:
            raise NotSupported("disk %s is %s MiB; shrinking to %s MiB is not supported" % (disk_cid, record["size_mb"], new_size))
        if new_size == record["size_mb"]:
            return None
        host.check_free_space(os.path.dirname(record["image"]), new_size - record["size_mb"])
        host.run(["fallocate", "-l", "%dM" % new_size, record["image"]])
        vm_cid = record.get("vm_cid")
        if vm_cid and self.containers.state(vm_cid) == "running":
            device = host.loop_attach(record["image"])
            host.loop_refresh(device)
            # Online grow from inside the guest, where the file system is mounted.
            if self.containers.attach(vm_cid, ["resize2fs", self._hint(record)["path"]], check=False).returncode != 0:
                # Online grow needs CAP_SYS_RESOURCE, which some hosts withhold: unmount, grow, mount again.
                vm = self._vm(vm_cid)
                self._unmount(vm, record)
                host.check_filesystem(device)
                host.run(["resize2fs", device])
                self._plug(vm, record)
        else:
            host.loop_detach(record["image"])
            host.check_filesystem(record["image"])
            host.run(["resize2fs", record["image"]])
        record["size_mb"] = new_size
        self.store.put("disks", record)
        self.log("disk %s resized to %s MiB" % (disk_cid, new_size))
        return None

    def snapshot_disk(self, disk_cid, metadata):
        record = self._disk(disk_cid)
        cid = _new_cid("snap")
        snapshots = self._path("snapshots")
        os.makedirs(snapshots, exist_ok=True)
        target = os.path.join(snapshots, cid + ".img")
        vm_cid = record.get("vm_cid")
        frozen = vm_cid and self.containers.state(vm_cid) == "running"
        if frozen:
            # A consistent copy of a mounted ext4: freeze writes for the length of the copy.
            self.containers.attach(vm_cid, ["fsfreeze", "-f", record["mount_point"]])
        try:
            host.run(["cp", "--sparse=always", record["image"], target], timeout=1800)
        finally:
            if frozen:
                self.containers.attach(vm_cid, ["fsfreeze", "-u", record["mount_point"]])
        self.store.put("snapshots", {"cid": cid, "disk_cid": disk_cid, "image": target,
                                     "metadata": _string_metadata(metadata or {}), "created_at": time.time()})
        return cid

    def delete_snapshot(self, snapshot_cid):
        record = self.store.get("snapshots", snapshot_cid)
        if record is None:
            return None
        if os.path.exists(record["image"]):
            os.unlink(record["image"])
        self.store.delete("snapshots", snapshot_cid)
        return None

    def list_snapshots(self, disk_cid):
        return [s for s in self.store.all("snapshots") if s["disk_cid"] == disk_cid]

    def list_disks(self):
        return [self._disk_view(d) for d in self.store.all("disks")]

    def disk_record(self, disk_cid):
        return self._disk_view(self._disk(disk_cid))

    def _disk_view(self, record):
        record = dict(record)
        record["hint"] = self._hint(record)
        record["snapshots"] = [s["cid"] for s in self.store.all("snapshots") if s["disk_cid"] == record["cid"]]
        return record

    def _disk(self, disk_cid):
        record = self.store.get("disks", disk_cid)
        if record is None:
            raise DiskNotFound("disk %s does not exist" % disk_cid)
        return record


def _mkdirs_like(lower, upper, rel):
    """Create ``rel`` in the overlay's upper layer with the owner and mode the stemcell gives it."""
    current = ""
    for part in rel.split("/"):
        current = os.path.join(current, part)
        target = os.path.join(upper, current)
        if not os.path.isdir(target):
            os.mkdir(target)
            source = os.path.join(lower, current)
            if os.path.isdir(source):
                st = os.stat(source)
                os.chmod(target, st.st_mode & 0o7777)
                os.chown(target, st.st_uid, st.st_gid)


def _write_in_overlay(lower, upper, rel, content):
    _mkdirs_like(lower, upper, os.path.dirname(rel))
    with open(os.path.join(upper, rel), "w") as handle:
        handle.write(content)
