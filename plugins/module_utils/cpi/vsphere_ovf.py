# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""OVF/OVA import for the vsphere provider: OvfManager.CreateImportSpec, ImportVApp, HttpNfcLease upload.

An image is one of:

- an ``.ovf`` descriptor, its disks next to it;
- a tar archive holding one ``.ovf`` and its disks: an ``.ova``, or a BOSH vSphere stemcell's ``image``
  file (a gzipped tar of ``image.ovf`` + ``image-disk1.vmdk``);
- a directory holding one ``.ovf`` and its disks.

The steps are those of ovftool, govc import.ova and bosh-vsphere-cpi: ask vCenter for an import spec for
the descriptor, start ImportVApp (which creates the VM and answers with an HttpNfcLease), wait for the
lease to be ready, upload each file the spec asks for to the lease's device URL (POST for disks, PUT for
files the host creates), report progress so the lease does not time out, then complete the lease. On any
failure the lease is aborted, so vCenter removes what it created.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import posixpath
import socket
import ssl
import tarfile
import time

try:
    from http.client import HTTPException, HTTPSConnection
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    pass

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CloudError, CpiError, InvalidArgument
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.vsphere_client import fault_message, translate

try:
    from pyVmomi import vim, vmodl
except ImportError:  # reported by vsphere_client when the provider is used
    vim = vmodl = None

CHUNK = 1024 * 1024
PROGRESS_EVERY = 10.0  # seconds; vCenter's lease times out after 300 s without progress


class OvfImage:
    """The descriptor and the files of an OVF image, whatever its packaging. ``open(href)`` -> (file, size)."""

    def __init__(self, path):
        if not path or not os.path.exists(path):
            raise InvalidArgument("stemcell image %r does not exist" % (path,))
        self.path = path
        self._tar = None
        if os.path.isdir(path):
            self._dir, descriptor = path, self._one_ovf(os.listdir(path))
            self.descriptor = self._read(os.path.join(path, descriptor))
        elif path.lower().endswith(".ovf"):
            self._dir = os.path.dirname(os.path.abspath(path))
            self.descriptor = self._read(path)
        elif tarfile.is_tarfile(path):
            self._tar = tarfile.open(path, "r:*")
            self._members = dict((m.name.lstrip("./"), m) for m in self._tar.getmembers() if m.isfile())
            name = self._one_ovf(self._members)
            self.descriptor = self._tar.extractfile(self._members[name]).read().decode("utf-8")
        else:
            raise InvalidArgument("stemcell image %s is neither an .ovf file, an OVA/tar archive nor a directory "
                                  "holding an .ovf" % path)

    def _one_ovf(self, names):
        found = sorted(n for n in names if n.lower().endswith(".ovf"))
        if len(found) != 1:
            raise InvalidArgument("stemcell image %s holds %d .ovf descriptors, not 1: %s"
                                  % (self.path, len(found), ", ".join(found) or "none"))
        return found[0]

    @staticmethod
    def _read(path):
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8")

    def open(self, href):
        """The file the descriptor references as ``href``, and its size."""
        clean = posixpath.normpath(href)
        if "://" in href or clean.startswith("/") or clean.startswith(".."):
            raise InvalidArgument("stemcell image %s: file reference %r must be a relative path inside the image"
                                  % (self.path, href))
        if self._tar is not None:
            member = self._members.get(clean)
            if member is None:
                raise InvalidArgument("stemcell image %s: %s is referenced by the OVF but not in the archive"
                                      % (self.path, href))
            return self._tar.extractfile(member), member.size
        full = os.path.join(self._dir, *clean.split("/"))
        if not os.path.isfile(full):
            raise InvalidArgument("stemcell image %s: %s is referenced by the OVF but missing" % (self.path, full))
        return open(full, "rb"), os.path.getsize(full)

    def order(self, hrefs):
        """``hrefs`` in archive order, so a gzipped archive is read forward only."""
        if self._tar is None:
            return list(hrefs)
        offsets = dict((name, m.offset) for name, m in self._members.items())
        return sorted(hrefs, key=lambda h: offsets.get(posixpath.normpath(h), 0))

    def close(self):
        if self._tar is not None:
            self._tar.close()


class OvfImport:
    """One import of ``image`` as VM ``name`` into ``folder``/``pool``/``datastore`` through ``session``."""

    def __init__(self, session, image, name, pool, datastore, folder, log):
        self.s, self.image, self.name = session, image, name
        self.pool, self.datastore, self.folder = pool, datastore, folder
        self.log = log
        self.lease = None
        self.vm = None

    def run(self):
        """Import; return the new VM. On failure the lease is aborted and ``self.vm`` (if any) is reported."""
        spec = self._import_spec()
        sizes = self._sizes(spec.fileItem or [])  # every referenced file is there before anything is made
        self.lease = self.s.call("import %s" % self.name, self.pool.ImportVApp, spec=spec.importSpec,
                                 folder=self.folder)
        try:
            info = self._wait_ready()
            self.vm = info.entity
            self._upload_all(spec.fileItem or [], info.deviceUrl or [], sizes)
            self.s.call("complete import of %s" % self.name, self.lease.HttpNfcLeaseComplete)
        except (CpiError, vmodl.MethodFault) as exc:
            self._abort(exc)
            if isinstance(exc, vmodl.MethodFault):
                raise translate(exc, "import %s" % self.name)
            raise
        return self.vm

    def _import_spec(self):
        params = vim.OvfManager.CreateImportSpecParams(entityName=self.name, locale="US", deploymentOption="",
                                                       diskProvisioning="thin")
        result = self.s.call("read OVF of %s" % self.image.path, self.s.content.ovfManager.CreateImportSpec,
                             ovfDescriptor=self.image.descriptor, resourcePool=self.pool,
                             datastore=self.datastore, cisp=params)
        errors = [fault_message(e) if not getattr(e, "localizedMessage", None) else e.localizedMessage
                  for e in result.error or []]
        if errors:
            raise InvalidArgument("vSphere cannot import %s: %s" % (self.image.path, "; ".join(errors)))
        for warning in result.warning or []:
            self.log("OVF warning: %s" % (getattr(warning, "localizedMessage", None) or fault_message(warning)))
        if result.importSpec is None:
            raise InvalidArgument("vSphere returned no import spec for %s" % self.image.path)
        return result

    def _wait_ready(self, timeout=600):
        delay, deadline = 0.01, time.time() + timeout
        while True:
            props = self.s.fetch([(self.lease, ["state", "error", "info"])]).get(self.lease._moId, {})
            state = props.get("state")
            if state == "ready" and props.get("info") is not None:
                return props["info"]
            if state == "error":
                error = props.get("error")
                raise translate(error, "import %s" % self.name) if error is not None else \
                    CloudError("import %s: the lease failed" % self.name)
            if state == "done":
                raise CloudError("import %s: the lease ended before the upload" % self.name)
            if time.time() > deadline:
                raise CloudError("import %s: the lease was not ready within %ss" % (self.name, timeout))
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _sizes(self, file_items):
        sizes = {}
        for item in file_items:
            handle, sizes[item.path] = self.image.open(item.path)
            handle.close()
        return sizes

    def _upload_all(self, file_items, device_urls, sizes):
        by_key = dict((u.importKey, u) for u in device_urls)
        items = dict((item.path, item) for item in file_items)
        total = sum(sizes.values())
        done, self._last_progress = 0, time.time()
        for href in self.image.order(items):
            item = items[href]
            device = by_key.get(item.deviceId)
            if device is None:
                raise CloudError("import %s: vSphere gave no upload URL for %s (%s)" % (self.name, href, item.deviceId))
            handle, size = self.image.open(href)
            try:
                done = self._upload(handle, size, device.url, bool(item.create), done, total)
            finally:
                handle.close()
        self.s.call("progress of %s" % self.name, self.lease.HttpNfcLeaseProgress, percent=100)

    def _upload(self, handle, size, url, create, done, total):
        """Stream one file to the lease URL (``*`` stands for the host we talk to); return bytes done so far."""
        parts = urlsplit(url.replace("://*", "://%s:%s" % (self.s.hostname, self.s.port), 1))
        connection = HTTPSConnection(parts.hostname, parts.port or 443, context=self.s.ssl_context(), timeout=300)
        path = parts.path + ("?" + parts.query if parts.query else "")
        try:
            connection.putrequest("PUT" if create else "POST", path)
            connection.putheader("Content-Length", str(size))
            connection.putheader("Content-Type", "application/octet-stream" if create
                                 else "application/x-vnd.vmware-streamVmdk")
            if create:
                connection.putheader("Overwrite", "t")
            connection.putheader("Cookie", self.s.cookie())
            connection.endheaders()
            try:
                done = self._send(connection, handle, done, total)
            except (socket.error, ssl.SSLError) as exc:  # the host may have answered early (404, 403): say what
                answer = self._early_answer(connection)
                if answer is None:
                    raise CloudError("import %s: upload to %s failed: %s" % (self.name, parts.path, exc))
            else:
                answer = connection.getresponse()
            body = answer.read(2048)
        except (HTTPException, socket.error, ssl.SSLError) as exc:
            raise CloudError("import %s: upload to %s failed: %s" % (self.name, parts.path, exc))
        finally:
            connection.close()
        if answer.status >= 300:
            raise CloudError("import %s: upload to %s answered HTTP %s %s" % (
                self.name, parts.path, answer.status, body.decode("utf-8", "replace").strip()[:200]))
        self.log("uploaded %s (%d bytes)" % (parts.path, size))
        return done

    def _send(self, connection, handle, done, total):
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                return done
            connection.send(chunk)
            done += len(chunk)
            if time.time() - self._last_progress > PROGRESS_EVERY:
                self.s.call("progress of %s" % self.name, self.lease.HttpNfcLeaseProgress,
                            percent=min(99, int(100 * done / max(total, 1))))
                self._last_progress = time.time()

    @staticmethod
    def _early_answer(connection):
        try:
            return connection.getresponse()
        except (HTTPException, socket.error, ssl.SSLError):
            return None

    def _abort(self, exc):
        fault = vmodl.fault.SystemError(reason=str(getattr(exc, "message", exc))[:200])
        try:
            self.s.call("abort import of %s" % self.name, self.lease.HttpNfcLeaseAbort, fault=fault)
        except (CpiError, vmodl.MethodFault):
            pass  # the lease may already be in error; the original failure is what the caller needs
