# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The vSphere session of the vsphere provider: login, PropertyCollector reads, tasks, faults, datastore files.

Rules kept here so the provider cannot break them:

- one login per provider instance (one module run or one ``caas-cpi`` request), reused by every call;
- properties are read only through the PropertyCollector, asking for exactly the paths a call needs,
  several objects in one round trip (``fetch``); never through pyVmomi's lazy accessors, which on vcsim
  fault on unset properties and on ``TaskInfo.entity`` of non-entity tasks;
- tasks are waited for by polling ``info.state``/``info.error``/``info.result`` only;
- every pyVmomi fault or socket error leaves this module as a ``CpiError`` a user can act on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import ssl
import time

try:
    from http.client import HTTPException, HTTPSConnection
    from urllib.parse import quote, urlencode
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    pass

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import (
    CloudError, CpiError, InvalidArgument, NoDiskSpace,
)

try:
    from pyVmomi import vim, vmodl
    from pyVim.connect import Disconnect, SmartConnect
    HAS_PYVMOMI = True
    PYVMOMI_IMPORT_ERROR = None
except ImportError as exc:  # the LXC provider must work without pyVmomi
    HAS_PYVMOMI = False
    PYVMOMI_IMPORT_ERROR = exc

PC = vmodl.query.PropertyCollector if HAS_PYVMOMI else None
# Faults that mean "the datastore is full".
_NO_SPACE = ("NoDiskSpace", "InsufficientDiskSpace", "OutOfBounds", "NoDiskSpaceOnDatastore")


def fault_message(fault):
    """The text vSphere gives for a fault: msg, else the localized messages, else its type."""
    text = getattr(fault, "msg", None) or getattr(fault, "localizedMessage", None)
    if not text:
        messages = [m.message for m in (getattr(fault, "faultMessage", None) or []) if getattr(m, "message", None)]
        text = "; ".join(messages)
    name = type(fault).__name__.split(".")[-1]
    return "%s: %s" % (name, text) if text else name


def translate(fault, what):
    """A pyVmomi fault as the CpiError a user can act on."""
    name = type(fault).__name__.split(".")[-1]
    message = "%s: %s" % (what, fault_message(fault))
    if name in _NO_SPACE:
        return NoDiskSpace(message)
    if name in ("DuplicateName", "FileAlreadyExists", "AlreadyExists"):
        return InvalidArgument("%s (name collision)" % message)
    if name in ("InvalidLogin", "NoPermission", "NotAuthenticated"):
        return CpiError(message)
    return CloudError(message, ok_to_retry=name in ("TaskInProgress", "ResourceInUse", "ConcurrentAccess"))


class VsphereSession:
    """A logged-in connection to vCenter/ESXi (or vcsim) with the few primitives the provider uses."""

    def __init__(self, hostname, username, password, port=443, validate_certs=True, log=None):
        if not HAS_PYVMOMI:
            raise CpiError("the vsphere provider needs pyVmomi on the controller (pip install 'pyvmomi>=8.0.1'): %s"
                           % PYVMOMI_IMPORT_ERROR)
        if not hostname:
            raise InvalidArgument("vsphere_hostname is required (or VMWARE_HOST)")
        self.hostname = hostname
        self.port = int(port or 443)
        self.validate_certs = validate_certs
        self._log = log or (lambda message: None)
        self.round_trips = 0
        try:
            self.si = SmartConnect(host=hostname, user=username or "", pwd=password or "", port=self.port,
                                   disableSslCertValidation=not validate_certs, connectionPoolTimeout=-1)
        except vim.fault.InvalidLogin as exc:
            raise CpiError("vCenter %s:%s refused the credentials of %r: %s"
                           % (hostname, self.port, username, fault_message(exc)))
        except vmodl.MethodFault as exc:
            raise translate(exc, "login to %s:%s" % (hostname, self.port))
        except ssl.SSLError as exc:
            raise CloudError("TLS to vCenter %s:%s failed (%s); set vsphere_validate_certs=false for a self-signed "
                             "certificate" % (hostname, self.port, exc), ok_to_retry=False)
        except (socket.error, OSError) as exc:
            raise CloudError("cannot reach vCenter %s:%s: %s" % (hostname, self.port, exc))
        self.content = self.si.content
        self.stub = self.si._stub
        self._fields = None
        self._ssl = None
        self._http = None

    def close(self):
        if self._http is not None:
            self._http.close()
            self._http = None
        try:
            Disconnect(self.si)
        except Exception:  # closing must never hide the real outcome
            pass

    # --- calls -----------------------------------------------------------------------------
    def call(self, what, method, *args, **kwargs):
        """Invoke one vSphere method, translating faults. ``what`` names the operation for messages."""
        self.round_trips += 1
        try:
            return method(*args, **kwargs)
        except vmodl.fault.ManagedObjectNotFound:
            raise  # the caller knows which cid it asked for (VMNotFound, StemcellNotFound)
        except vmodl.MethodFault as exc:
            raise translate(exc, what)
        except (socket.error, OSError) as exc:
            raise CloudError("%s: connection to %s:%s lost: %s" % (what, self.hostname, self.port, exc))

    def moref(self, kind, moid):
        return kind(moid, self.stub)

    def fetch(self, pairs, missing_ok=False):
        """Read ``[(moref, [paths])]`` in one RetrievePropertiesEx; return ``{moid: {path: value}}``.

        Unset properties are simply absent. A deleted object raises ManagedObjectNotFound, which
        the caller turns into VMNotFound/StemcellNotFound; ``missing_ok`` drops it instead.
        """
        types = {}
        for obj, paths in pairs:
            types.setdefault(type(obj), set()).update(paths)
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=obj, skip=False) for obj, dummy in pairs],
            propSet=[PC.PropertySpec(type=kind, pathSet=sorted(paths)) for kind, paths in types.items()])
        try:
            return self._retrieve(spec)
        except vmodl.fault.ManagedObjectNotFound:
            if not missing_ok or len(pairs) == 1:
                raise
            found = {}
            for pair in pairs:
                try:
                    found.update(self.fetch([pair]))
                except vmodl.fault.ManagedObjectNotFound:
                    pass
            return found

    def fetch_tree(self, root, kind, paths):
        """Read ``paths`` of every ``kind`` object under folder ``root`` (recursively) in one query."""
        folders = PC.TraversalSpec(name="folders", type=vim.Folder, path="childEntity", skip=False,
                                   selectSet=[PC.SelectionSpec(name="folders")])
        spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=root, skip=True, selectSet=[folders])],
                             propSet=[PC.PropertySpec(type=kind, pathSet=list(paths))])
        return self._retrieve(spec)

    def _retrieve(self, spec):
        pc = self.content.propertyCollector
        result = {}
        answer = self.call("read properties", pc.RetrievePropertiesEx, [spec], PC.RetrieveOptions())
        while answer:
            for item in answer.objects:
                props = dict((p.name, p.val) for p in item.propSet)
                props["_obj"] = item.obj
                result[item.obj._moId] = props
            if not answer.token:
                break
            answer = self.call("read properties", pc.ContinueRetrievePropertiesEx, answer.token)
        return result

    def find(self, path):
        """SearchIndex.FindByInventoryPath; None when there is nothing at that path."""
        return self.call("find %s" % path, self.content.searchIndex.FindByInventoryPath, path)

    def wait(self, task, what, timeout=1800):
        """Poll ``info.state``/``info.error``/``info.result`` until the task ends; return its result."""
        spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=task)],
                             propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info.state", "info.error", "info.result"])])
        # Short first sleeps: most reconfigure/power/disk tasks end within tens of milliseconds.
        delay, deadline = 0.005, time.time() + timeout
        while True:
            props = self._retrieve(spec).get(task._moId, {})
            state = props.get("info.state")
            if state == "success":
                return props.get("info.result")
            if state == "error":
                error = props.get("info.error")
                raise translate(error, what) if error is not None else CloudError("%s failed" % what)
            if time.time() > deadline:
                raise CloudError("%s: task %s did not finish in %ss" % (what, task._moId, timeout))
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def run(self, what, method, *args, **kwargs):
        """Start a task method and wait for it."""
        return self.wait(self.call(what, method, *args, **kwargs), what)

    # --- custom attributes ----------------------------------------------------------------------------
    def field_keys(self, names):
        """Custom attribute keys for ``names`` on VirtualMachine, created when missing."""
        manager = self.content.customFieldsManager
        if self._fields is None:
            fields = self.fetch([(manager, ["field"])]).get(manager._moId, {}).get("field") or []
            self._fields = dict((f.name, f.key) for f in fields
                                if f.managedObjectType in (None, vim.VirtualMachine))
        for name in names:
            if name not in self._fields:
                try:
                    field = self.call("add custom attribute %s" % name, manager.AddCustomFieldDef,
                                      name=name, moType=vim.VirtualMachine)
                    self._fields[name] = field.key
                except InvalidArgument:  # created concurrently by another run: read them again
                    self._fields = None
                    return self.field_keys(names)
        return dict((name, self._fields[name]) for name in names)

    def field_names(self):
        if self._fields is None:
            self.field_keys([])
        return dict((key, name) for name, key in self._fields.items())

    # --- datastore files over HTTPS (/folder) ---------------------------------------------------------------
    def ssl_context(self):
        """One TLS context per session: building one loads the CA bundle, which costs more than the request."""
        if self._ssl is None:
            if self.validate_certs:
                self._ssl = ssl.create_default_context()
            else:
                self._ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                self._ssl.check_hostname = False
                self._ssl.verify_mode = ssl.CERT_NONE
        return self._ssl

    def cookie(self):
        return self.stub.cookie.split(";")[0]

    def _file_path(self, datacenter, datastore, path):
        query = urlencode({"dcPath": datacenter, "dsName": datastore})
        return "/folder/%s?%s" % (quote(path), query)

    def _request(self, method, path, data=None):
        """One request on the session's kept-alive HTTPS connection (reopened once if the server closed it)."""
        headers = {"Cookie": self.cookie()}
        if data is not None:
            headers["Content-Type"] = "application/octet-stream"
        for attempt in (1, 2):
            if self._http is None:
                self._http = HTTPSConnection(self.hostname, self.port, context=self.ssl_context(), timeout=60)
            self.round_trips += 1
            try:
                self._http.request(method, path, body=data, headers=headers)
                answer = self._http.getresponse()
                return answer.status, answer.read()
            except (HTTPException, socket.error) as exc:
                self._http.close()
                self._http = None
                if attempt == 2:
                    raise CloudError("%s %s on %s:%s: %s" % (method, path, self.hostname, self.port, exc))
        return None  # not reached

    def read_json(self, datacenter, datastore, path):
        """A JSON file on a datastore, or None when it does not exist."""
        status, body = self._request("GET", self._file_path(datacenter, datastore, path))
        if status == 404:
            return None
        if status != 200:
            raise CloudError("reading [%s] %s: HTTP %s" % (datastore, path, status))
        try:
            return json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise CloudError("reading [%s] %s: not JSON (%s)" % (datastore, path, exc), ok_to_retry=False)

    def write_json(self, datacenter, datastore, path, data):
        body = json.dumps(data, sort_keys=True).encode("utf-8")
        status, dummy = self._request("PUT", self._file_path(datacenter, datastore, path), body)
        if status not in (200, 201, 204):
            raise CloudError("writing [%s] %s: HTTP %s" % (datastore, path, status))

    def delete_file(self, datacenter, datastore, path):
        status, dummy = self._request("DELETE", self._file_path(datacenter, datastore, path))
        if status not in (200, 204, 404):
            raise CloudError("deleting [%s] %s: HTTP %s" % (datastore, path, status))
