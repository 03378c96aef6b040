# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""One JSON file per object, written atomically, under one lock.

The records are the provider's truth, so a fresh controller (or an AWX execution
environment) rediscovers every stemcell, VM, disk and network from them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import json
import os
import tempfile

KINDS = ("stemcells", "vms", "disks", "snapshots", "networks")


class StateStore:
    def __init__(self, root):
        self.root = root

    def _dir(self, kind):
        if kind not in KINDS:
            raise ValueError("unknown record kind %s" % kind)
        return os.path.join(self.root, "records", kind)

    @contextlib.contextmanager
    def locked(self):
        """Serialise changes across processes (Ansible forks create VMs in parallel)."""
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        with open(os.path.join(self.root, ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def get(self, kind, cid):
        try:
            with open(os.path.join(self._dir(kind), cid + ".json")) as handle:
                return json.load(handle)
        except (IOError, OSError):
            return None

    def put(self, kind, record):
        directory = self._dir(kind)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, os.path.join(directory, record["cid"] + ".json"))
        return record

    def delete(self, kind, cid):
        try:
            os.unlink(os.path.join(self._dir(kind), cid + ".json"))
        except OSError:
            pass

    def all(self, kind):
        directory = self._dir(kind)
        if not os.path.isdir(directory):
            return []
        records = []
        for name in sorted(os.listdir(directory)):
            if name.endswith(".json") and not name.startswith("."):
                record = self.get(kind, name[:-5])
                if record is not None:
                    records.append(record)
        return records
