# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The CPI contract: every BOSH CPI v2 method, plus the look-ups Ansible needs.

A provider subclasses ``Provider`` and implements every abstract method; nothing else in
the collection knows which provider is in use. Argument and return shapes follow the
BOSH CPI v2 documentation (shared/specs/bosh-cpi), so the ``caas-cpi`` executable can
dispatch a BOSH request to any provider unchanged.

Records returned by the look-ups (``vm_record``, ``disk_record``, ...) are plain dicts:

- stemcell: ``{cid, name, version, metadata}``
- vm: ``{cid, name, state ('running'|'stopped'), stemcell_cid, networks, ips, metadata,
  disks, cloud_properties}``; ``networks`` as create_vm returns them
- disk: ``{cid, size_mb, vm_cid (None when detached), hint, metadata, snapshots}``
- network: ``{cid, name, range, gateway}``
- snapshot: ``{cid, disk_cid, metadata}``

Every method raises only ``errors.CpiError`` subclasses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import abc

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import NotSupported

API_VERSION = 2

# The metadata keys every VM and disk carries (see DESIGN.md, "State").
METADATA_KEYS = ("caas_cluster", "caas_role", "caas_index", "caas_name", "caas_ip", "caas_vm")


class Setting:
    """One connection setting of a provider: its option name, environment variable and default.

    Declared as data so the same list builds an Ansible argument spec (with an env fallback)
    and the settings of the ``caas-cpi`` executable.
    """

    def __init__(self, name, description, env=None, default=None, type="str", secret=False, choices=None):
        self.name = name
        self.description = description
        self.env = env
        self.default = default
        self.type = type
        self.secret = secret
        self.choices = choices


class Provider(abc.ABC):
    """Base class of every IaaS provider. Subclasses set ``name``, ``settings_spec`` and implement the verbs."""

    name = None
    stemcell_formats = ()
    settings_spec = ()

    def __init__(self, settings, log=None):
        self.settings = dict((s.name, settings.get(s.name, s.default)) for s in self.settings_spec)
        self._log = log or (lambda message: None)

    def log(self, message):
        self._log("[%s] %s" % (self.name, message))

    def close(self):
        """Release sessions and connections; called once when a module or request ends."""

    # --- info -------------------------------------------------------------------------
    def info(self):
        return {"api_version": API_VERSION, "stemcell_formats": list(self.stemcell_formats)}

    # --- stemcells --------------------------------------------------------------------
    @abc.abstractmethod
    def create_stemcell(self, image_path, cloud_properties):
        """Import the image at ``image_path``; return the stemcell cid.

        ``cloud_properties`` carries ``name`` and ``version`` (as a stemcell manifest does).
        """

    @abc.abstractmethod
    def delete_stemcell(self, stemcell_cid):
        """Delete a stemcell. Deleting one that does not exist is not an error."""

    @abc.abstractmethod
    def list_stemcells(self):
        """Return the stemcell records."""

    # --- VMs ----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_vm(self, agent_id, stemcell_cid, cloud_properties, networks, disk_cids, environment):
        """Create and power on a VM; return ``[vm_cid, networks]``. Nothing is left behind on failure."""

    @abc.abstractmethod
    def delete_vm(self, vm_cid):
        """Detach every persistent disk, then destroy the VM. Raises VMNotFound if it does not exist."""

    @abc.abstractmethod
    def has_vm(self, vm_cid):
        """Return True if the VM exists (in any power state)."""

    @abc.abstractmethod
    def reboot_vm(self, vm_cid):
        """Restart the VM; attached persistent disks stay attached."""

    @abc.abstractmethod
    def set_vm_metadata(self, vm_cid, metadata):
        """Merge ``metadata`` (str → str) into the VM's metadata."""

    @abc.abstractmethod
    def calculate_vm_cloud_properties(self, desired_instance_size):
        """Map ``{cpu, ram, ephemeral_disk_size}`` (MiB) to this IaaS's cloud properties."""

    @abc.abstractmethod
    def list_vms(self):
        """Return every VM record this provider manages."""

    @abc.abstractmethod
    def vm_record(self, vm_cid):
        """Return one VM record. Raises VMNotFound."""

    # --- disks ----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_disk(self, size, cloud_properties, vm_cid):
        """Create a persistent disk of ``size`` MiB; return its cid."""

    @abc.abstractmethod
    def delete_disk(self, disk_cid):
        """Delete a detached disk. Raises DiskNotFound if it does not exist, CpiError if attached."""

    @abc.abstractmethod
    def has_disk(self, disk_cid):
        """Return True if the disk exists."""

    @abc.abstractmethod
    def attach_disk(self, vm_cid, disk_cid):
        """Attach the disk; return the disk hint (where the guest finds it)."""

    @abc.abstractmethod
    def detach_disk(self, vm_cid, disk_cid):
        """Detach the disk. Raises DiskNotAttached if it is not attached to that VM."""

    @abc.abstractmethod
    def get_disks(self, vm_cid):
        """Return the cids of the persistent disks attached to the VM."""

    @abc.abstractmethod
    def set_disk_metadata(self, disk_cid, metadata):
        """Merge ``metadata`` into the disk's metadata."""

    @abc.abstractmethod
    def resize_disk(self, disk_cid, new_size):
        """Grow the disk to ``new_size`` MiB (its file system too). Shrinking raises NotSupported."""

    def update_disk(self, disk_cid, new_size, cloud_properties):
        """Resize in place; return None (the cid does not change)."""
        self.resize_disk(disk_cid, new_size)
        return None

    @abc.abstractmethod
    def snapshot_disk(self, disk_cid, metadata):
        """Take a point-in-time copy of the disk; return the snapshot cid."""

    @abc.abstractmethod
    def delete_snapshot(self, snapshot_cid):
        """Delete a snapshot. Deleting one that does not exist is not an error."""

    @abc.abstractmethod
    def list_snapshots(self, disk_cid):
        """Return the snapshot records ``{cid, disk_cid, metadata}`` of one disk."""

    @abc.abstractmethod
    def list_disks(self):
        """Return every disk record this provider manages."""

    @abc.abstractmethod
    def disk_record(self, disk_cid):
        """Return one disk record. Raises DiskNotFound."""

    # --- networks (segments) ------------------------------------------------------------------
    def create_network(self, network_definition):
        """Create a segment ``{name, range, gateway, cloud_properties}``; return its cid."""
        raise NotSupported("%s does not create networks" % self.name)

    def delete_network(self, network_cid):
        raise NotSupported("%s does not delete networks" % self.name)

    def list_networks(self):
        return []
