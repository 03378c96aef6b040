# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The facade every caller goes through: allow-listed verbs, timing, logging, one error root.

Both front doors (the Ansible modules and the ``caas-cpi`` executable) call a provider only
through ``Cloud``, so cross-cutting concerns live here once instead of in every verb.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import time
import traceback

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CloudError, CpiError, MethodNotImplemented
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.providers import provider_class

# BOSH CPI v2 verbs, then the look-ups this collection adds.
BOSH_VERBS = (
    "info", "create_stemcell", "delete_stemcell",
    "create_vm", "delete_vm", "has_vm", "reboot_vm", "set_vm_metadata", "calculate_vm_cloud_properties",
    "create_disk", "delete_disk", "has_disk", "attach_disk", "detach_disk", "get_disks",
    "set_disk_metadata", "resize_disk", "update_disk", "snapshot_disk", "delete_snapshot",
    "create_network", "delete_network",
)
LOOKUP_VERBS = ("list_stemcells", "list_vms", "vm_record", "list_disks", "disk_record", "list_snapshots", "list_networks")
VERBS = BOSH_VERBS + LOOKUP_VERBS


class Cloud:
    """A provider behind the allow-list. ``cloud.create_vm(...)`` calls the provider's verb."""

    def __init__(self, provider_name, settings, log=None):
        self.log_lines = []
        self._sink = log
        self.provider = provider_class(provider_name)(settings, log=self._record)

    def _record(self, message):
        self.log_lines.append(message)
        if self._sink:
            self._sink(message)

    def call(self, verb, *arguments):
        if verb not in VERBS:
            raise MethodNotImplemented("%s is not a CPI method" % verb)
        method = getattr(self.provider, verb)
        try:
            inspect.signature(method).bind(*arguments)
        except TypeError as exc:
            raise CpiError("bad arguments for %s: %s" % (verb, exc))
        started = time.time()
        try:
            return method(*arguments)
        except CpiError:
            raise
        except Exception as exc:  # an unexpected failure inside a provider is a cloud error
            self._record(traceback.format_exc())
            raise CloudError("%s failed: %s" % (verb, exc), ok_to_retry=False)
        finally:
            self._record("%s took %.3fs" % (verb, time.time() - started))

    def __getattr__(self, verb):
        if verb in VERBS:
            return lambda *arguments: self.call(verb, *arguments)
        raise AttributeError(verb)

    def close(self):
        self.provider.close()

    def delete_everything(self):
        """Remove every object the provider manages, VMs first so disks are detached before they go."""
        for vm in self.list_vms():
            self.delete_vm(vm["cid"])
        for disk in self.list_disks():
            self.delete_disk(disk["cid"])
        for network in self.list_networks():
            self.delete_network(network["cid"])
        for stemcell in self.list_stemcells():
            self.delete_stemcell(stemcell["cid"])


def handle_request(request, provider_name, settings):
    """Answer one BOSH external-CPI request with the BOSH envelope ``{result, error, log}``."""
    cloud = None
    try:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            raise CpiError("request must be a JSON object with a 'method' string")
        arguments = request.get("arguments") or []
        if not isinstance(arguments, list):
            raise CpiError("'arguments' must be a JSON array")
        cloud = Cloud(provider_name, settings)
        result = cloud.call(request["method"], *arguments)
        return {"result": result, "error": None, "log": "\n".join(cloud.log_lines)}
    except CpiError as exc:
        return {"result": None, "error": exc.to_wire(), "log": "\n".join(cloud.log_lines if cloud else [])}
    finally:
        if cloud:
            cloud.close()
