# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Desired state on top of the CPI contract: what the cpi_* modules do, for any provider.

BOSH's director keeps cids in its database; Ansible has no database, so objects are
found again by their metadata (``caas_name``, ``caas_cluster``), which lives in the IaaS.
Each function returns the module result and changes nothing in check mode.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import (
    CloudError, CpiError, DiskNotFound, InvalidArgument, VMNotFound,
)

NAME_KEY = "caas_name"
CLUSTER_KEY = "caas_cluster"
# Set by cluster_health when it first finds a VM down; a recreated VM starts without it.
DOWN_SINCE_KEY = "caas_down_since"


def _matches(record, metadata):
    have = record.get("metadata") or {}
    return all(str(have.get(k)) == str(v) for k, v in (metadata or {}).items())


def find_one(records, name, cluster, kind):
    wanted = {NAME_KEY: name}
    if cluster:
        wanted[CLUSTER_KEY] = cluster
    found = [r for r in records if _matches(r, wanted)]
    if len(found) > 1:
        raise InvalidArgument("%d %ss are named %s%s: %s; give the cid" % (
            len(found), kind, name, " in cluster %s" % cluster if cluster else "", ", ".join(r["cid"] for r in found)))
    return found[0] if found else None


def _string_map(value):
    return dict((str(k), str(v)) for k, v in (value or {}).items())


# --- info -------------------------------------------------------------------------------------------

def info(cloud, params, check_mode):
    return {"changed": False, "info": cloud.info(), "provider": params["provider"]}


def vm_info(cloud, params, check_mode):
    if params.get("cid"):
        try:
            vms = [cloud.vm_record(params["cid"])]
        except VMNotFound:
            vms = []
    else:
        wanted = _string_map(params.get("metadata"))
        if params.get("name"):
            wanted[NAME_KEY] = params["name"]
        vms = [vm for vm in cloud.list_vms() if _matches(vm, wanted)]
    return {"changed": False, "vms": vms}


def disk_info(cloud, params, check_mode):
    wanted = _string_map(params.get("metadata"))
    if params.get("name"):
        wanted[NAME_KEY] = params["name"]
    disks = [d for d in cloud.list_disks() if _matches(d, wanted)
             and (not params.get("cid") or d["cid"] == params["cid"])
             and (not params.get("vm_cid") or d.get("vm_cid") == params["vm_cid"])]
    return {"changed": False, "disks": disks}


def network_info(cloud, params, check_mode):
    networks = [n for n in cloud.list_networks() if not params.get("name") or n["name"] == params["name"]]
    return {"changed": False, "networks": networks}


# --- stemcells -----------------------------------------------------------------------------------------

def stemcell(cloud, params, check_mode):
    name, version = params["name"], str(params["version"])
    existing = [s for s in cloud.list_stemcells() if s["name"] == name and str(s["version"]) == version]
    if params["state"] == "absent":
        if not check_mode:
            for record in existing:
                cloud.delete_stemcell(record["cid"])
        return {"changed": bool(existing), "stemcell": None,
                "diff": {"before": {"stemcells": [s["cid"] for s in existing]}, "after": {"stemcells": []}}}
    if existing:
        return {"changed": False, "stemcell": existing[0]}
    if not params.get("image_path"):
        raise InvalidArgument("stemcell %s/%s does not exist and image_path is not given" % (name, version))
    properties = dict(params.get("cloud_properties") or {})
    properties.update({"name": name, "version": version})
    record = {"cid": None, "name": name, "version": version}
    if not check_mode:
        record["cid"] = cloud.create_stemcell(params["image_path"], properties)
    return {"changed": True, "stemcell": record,
            "diff": {"before": {}, "after": {"stemcell": "%s/%s" % (name, version)}}}


# --- networks ------------------------------------------------------------------------------------------

def network(cloud, params, check_mode):
    existing = next((n for n in cloud.list_networks() if n["name"] == params["name"]), None)
    if params["state"] == "absent":
        if existing and not check_mode:
            cloud.delete_network(existing["cid"])
        return {"changed": existing is not None, "network": None,
                "diff": {"before": existing or {}, "after": {}}}
    wanted = {"name": params["name"], "range": params["range"], "gateway": params.get("gateway"),
              "cloud_properties": params.get("cloud_properties") or {}}
    if existing and existing["range"] == params["range"] and existing["gateway"] == (params.get("gateway") or existing["gateway"]):
        # Properties are merged; re-applying an existing segment also repairs host state (bridge, NAT) a reboot lost.
        wanted.update(gateway=existing["gateway"],
                      cloud_properties=dict(existing.get("cloud_properties") or {}, **wanted["cloud_properties"]))
        changed = wanted["cloud_properties"] != (existing.get("cloud_properties") or {})
        if not check_mode:
            cloud.create_network(wanted)
        after = dict(existing, cloud_properties=wanted["cloud_properties"])
        return {"changed": changed, "network": after, "diff": {"before": existing, "after": after}}
    if existing:
        raise InvalidArgument("segment %s exists with range %s and gateway %s; delete it first to change them"
                              % (params["name"], existing["range"], existing["gateway"]))
    record = dict(wanted, cid=None)
    if not check_mode:
        cid = cloud.create_network(wanted)
        record = next(n for n in cloud.list_networks() if n["cid"] == cid)
    return {"changed": True, "network": record, "diff": {"before": {}, "after": record}}


# --- VMs -------------------------------------------------------------------------------------------------

def _bosh_networks(networks):
    result = {}
    for net in networks or []:
        spec = {"type": "manual" if net.get("ip") else "dynamic", "cloud_properties": {"name": net.get("segment") or net["name"]}}
        if net.get("ip"):
            spec["ip"] = net["ip"]
        result[net["name"]] = spec
    return result


def _vm_view(record):
    keys = ("cid", "name", "state", "ips", "networks", "metadata", "disks", "stemcell_cid", "cloud_properties")
    return dict((k, record.get(k)) for k in keys)


def wait_for_ssh(ip, timeout, port=22):
    """Wait until sshd answers with its banner: the VM is booted and reachable, not just created."""
    deadline = time.time() + timeout
    while True:
        try:
            with socket.create_connection((ip, port), timeout=1) as conn:
                conn.settimeout(2)
                if conn.recv(4).startswith(b"SSH-"):
                    return
        except (OSError, socket.timeout):
            pass
        if time.time() > deadline:
            raise CloudError("VM at %s did not answer on SSH port %s within %ss" % (ip, port, timeout))
        time.sleep(0.1)


def vm(cloud, params, check_mode):
    metadata = _string_map(params.get("metadata"))
    metadata[NAME_KEY] = params["name"]
    existing = find_one(cloud.list_vms(), params["name"], metadata.get(CLUSTER_KEY), "VM")
    state = params["state"]
    if state == "absent":
        return _vm_absent(cloud, existing, check_mode, params.get("delete_persistent_disks"))
    if existing and (existing["state"] == "missing" or state == "recreated"):
        # Gone from the IaaS but still recorded (lost host, deleted out of band), or asked for (heal, upgrade):
        # recreate it in place with the same name, IPs, metadata and persistent disks.
        if not check_mode:
            cloud.delete_vm(existing["cid"])
        return _vm_create(cloud, params, metadata, check_mode, replaced=existing)
    if existing is None:
        if state == "restarted":
            raise VMNotFound("VM %s does not exist; nothing to restart" % params["name"])
        return _vm_create(cloud, params, metadata, check_mode)
    return _vm_update(cloud, params, metadata, existing, check_mode)


def _vm_absent(cloud, existing, check_mode, delete_disks=False):
    if existing is None:
        return {"changed": False, "vm": None, "detached_disks": [], "deleted_disks": []}
    disks = list(existing.get("disks") or [])
    if not check_mode:
        cloud.delete_vm(existing["cid"])   # detaches every disk first
        for disk_cid in disks if delete_disks else []:
            cloud.delete_disk(disk_cid)
    return {"changed": True, "vm": None, "detached_disks": [] if delete_disks else disks,
            "deleted_disks": disks if delete_disks else [], "diff": {"before": _vm_view(existing), "after": {}}}


def _vm_create(cloud, params, metadata, check_mode, replaced=None):
    if replaced:
        params = dict(params, stemcell_cid=params.get("stemcell_cid") or replaced.get("stemcell_cid"),
                      cloud_properties=params.get("cloud_properties") or replaced.get("cloud_properties") or {})
        kept = dict((k, v) for k, v in (replaced.get("metadata") or {}).items() if k != DOWN_SINCE_KEY)
        metadata = dict(kept, **metadata)
    networks = _bosh_networks(params.get("networks"))
    if replaced and not params.get("networks"):
        networks = dict((name, {"type": "manual", "ip": net["ip"], "cloud_properties": net["cloud_properties"]})
                        for name, net in replaced["networks"].items())
    disks = list(params.get("persistent_disks") or []) + [d for d in (replaced or {}).get("disks") or []
                                                          if d not in (params.get("persistent_disks") or [])]
    if not params.get("stemcell_cid"):
        raise InvalidArgument("VM %s does not exist and stemcell_cid is not given" % params["name"])
    if not networks:
        raise InvalidArgument("VM %s does not exist and networks is not given" % params["name"])
    after = {"name": params["name"], "metadata": metadata, "networks": networks, "disks": disks}
    result = {"changed": True, "replaced_cid": replaced["cid"] if replaced else None,
              "diff": {"before": _vm_view(replaced) if replaced else {}, "after": after}}
    if check_mode:
        result.update(vm=dict(after, cid=None, state="running"), disk_hints={})
        return result
    environment = dict(params.get("environment") or {})
    environment.setdefault("bosh", {})["tags"] = metadata
    if params.get("ssh_authorized_keys"):
        environment["ssh_authorized_keys"] = params["ssh_authorized_keys"]
    properties = dict(params.get("cloud_properties") or {})
    properties.setdefault("hostname", params["name"])
    vm_cid, _networks = cloud.create_vm(params.get("agent_id") or params["name"], params["stemcell_cid"], properties,
                                        networks, disks, environment)
    try:
        hints = dict((disk, cloud.attach_disk(vm_cid, disk)) for disk in disks)
        record = cloud.vm_record(vm_cid)
        if params.get("wait_for_ssh") and record["ips"]:
            wait_for_ssh(record["ips"][0], params["wait_timeout"])
    except CpiError as exc:
        exc.message = "%s (VM %s was created as %s and is left for inspection; delete it with state=absent)" % (
            exc.message, params["name"], vm_cid)
        raise
    result.update(vm=_vm_view(record), disk_hints=hints)
    return result


def _vm_update(cloud, params, metadata, existing, check_mode):
    changed = False
    before = _vm_view(existing)
    warnings = []
    wanted_ips = [n["ip"] for n in params.get("networks") or [] if n.get("ip")]
    if wanted_ips and sorted(wanted_ips) != sorted(existing["ips"]):
        warnings.append("VM %s has IPs %s, not %s; IPs of an existing VM are not changed in place (delete and recreate it)"
                        % (params["name"], ", ".join(existing["ips"]), ", ".join(wanted_ips)))
    if not _matches(existing, metadata):
        changed = True
        if not check_mode:
            cloud.set_vm_metadata(existing["cid"], metadata)
    hints = {}
    for disk in params.get("persistent_disks") or []:
        if disk not in (existing.get("disks") or []):
            changed = True
            if not check_mode:
                hints[disk] = cloud.attach_disk(existing["cid"], disk)
    # present means powered on: a VM found stopped (crashed, stopped by hand, failed boot) is started again
    if params["state"] == "restarted" or existing["state"] == "stopped":
        changed = True
        if not check_mode:
            cloud.reboot_vm(existing["cid"])
    record = cloud.vm_record(existing["cid"]) if changed and not check_mode else existing
    if params.get("wait_for_ssh") and record["ips"] and record["state"] == "running" and not check_mode:
        wait_for_ssh(record["ips"][0], params["wait_timeout"])
    after = _vm_view(record)
    if check_mode:
        after["metadata"] = dict(existing["metadata"], **metadata)
        after["disks"] = sorted(set(existing.get("disks") or []) | set(params.get("persistent_disks") or []))
    return {"changed": changed, "vm": after, "disk_hints": hints, "warnings": warnings,
            "diff": {"before": before, "after": after}}


# --- disks ------------------------------------------------------------------------------------------------

def _disk_view(record):
    keys = ("cid", "size_mb", "vm_cid", "hint", "metadata", "snapshots")
    return dict((k, record.get(k)) for k in keys)


def disk(cloud, params, check_mode):
    if params.get("cid"):
        try:
            existing = cloud.disk_record(params["cid"])
        except DiskNotFound:
            existing = None
        if existing is None and params["state"] != "absent":
            raise InvalidArgument("disk %s does not exist" % params["cid"])
    else:
        metadata = _string_map(params.get("metadata"))
        existing = find_one(cloud.list_disks(), params["name"], metadata.get(CLUSTER_KEY), "disk")
    before = _disk_view(existing) if existing else {}
    state = params["state"]
    if state == "absent":
        if existing is None:
            return {"changed": False, "disk": None}
        if existing.get("vm_cid"):
            raise CpiError("disk %s is attached to VM %s; detach it first (state=detached): a persistent disk is "
                           "never deleted while a VM uses it" % (existing["cid"], existing["vm_cid"]))
        if not check_mode:
            cloud.delete_disk(existing["cid"])
        return {"changed": True, "disk": None, "diff": {"before": before, "after": {}}}
    changed = False
    result = {}
    if existing is None:
        changed = True
        if not params.get("size"):
            raise InvalidArgument("disk %s does not exist and size is not given" % params["name"])
        if check_mode:
            return {"changed": True, "disk": {"cid": None, "size_mb": params["size"], "vm_cid": None},
                    "diff": {"before": {}, "after": {"size_mb": params["size"], "name": params["name"]}}}
        cid = cloud.create_disk(params["size"], params.get("cloud_properties") or {}, params.get("vm_cid"))
        cloud.set_disk_metadata(cid, dict(_string_map(params.get("metadata")), **{NAME_KEY: params["name"]}))
        existing = cloud.disk_record(cid)
    cid = existing["cid"]
    wanted_metadata = _string_map(params.get("metadata"))
    if params.get("name"):
        wanted_metadata[NAME_KEY] = params["name"]
    if not _matches(existing, wanted_metadata):
        changed = True
        if not check_mode:
            cloud.set_disk_metadata(cid, wanted_metadata)
    if params.get("size") and params["size"] != existing["size_mb"]:
        if params["size"] < existing["size_mb"]:
            raise InvalidArgument("disk %s is %s MiB; shrinking to %s MiB would lose data and is not supported"
                                  % (cid, existing["size_mb"], params["size"]))
        changed = True
        if not check_mode:
            cloud.resize_disk(cid, params["size"])
    if state == "attached":
        if not params.get("vm_cid"):
            raise InvalidArgument("state=attached needs vm_cid")
        if existing.get("vm_cid") != params["vm_cid"]:
            changed = True
            if not check_mode:
                result["hint"] = cloud.attach_disk(params["vm_cid"], cid)
                vm_name = (cloud.vm_record(params["vm_cid"]).get("metadata") or {}).get(NAME_KEY)
                if vm_name:
                    cloud.set_disk_metadata(cid, {"caas_vm": vm_name})
    elif state == "detached":
        if existing.get("vm_cid") and (not params.get("vm_cid") or params["vm_cid"] == existing["vm_cid"]):
            changed = True
            if not check_mode:
                cloud.detach_disk(existing["vm_cid"], cid)
    if params.get("snapshot_name"):
        # One snapshot per name: asking again for the same name is a no-op, so snapshots are idempotent.
        snapshot = next((s for s in cloud.list_snapshots(cid)
                         if (s.get("metadata") or {}).get(NAME_KEY) == params["snapshot_name"]), None)
        if snapshot is None:
            changed = True
            result["snapshot_cid"] = None if check_mode else cloud.snapshot_disk(cid, {NAME_KEY: params["snapshot_name"]})
        else:
            result["snapshot_cid"] = snapshot["cid"]
    record = cloud.disk_record(cid) if not check_mode else existing
    result.update(changed=changed, disk=_disk_view(record), diff={"before": before, "after": _disk_view(record)})
    return result
