# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The controller-side artefact cache.

Layout under ``<cache_dir>`` (default ``/var/cache/ondemand-caas``, ``CAAS_CACHE_DIR``)::

    k8s/v1.34.4/bin/{kube-apiserver,...,kubectl}   k8s/v1.34.4/manifest.json   k8s/v1.34.4/src/ (build only)
    etcd/v3.5.35/bin/{etcd,etcdctl}                etcd/v3.5.35/manifest.json  etcd/v3.5.35/src/
    go/mod  go/build                               GOMODCACHE and GOCACHE shared by every build and CI

A version directory is only ever changed by :meth:`VersionDir.commit`, which swaps a fully written and
verified staging directory in with renames; a failed or refused run leaves the previous content untouched.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile

MANIFEST = "manifest.json"
COMPONENT_DIRS = {"kubernetes": "k8s", "etcd": "etcd"}


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


class CacheLock(object):
    """An exclusive flock on ``<component dir>/.lock``: two runs never build the same cache at once."""

    def __init__(self, directory):
        self.path = os.path.join(directory, ".lock")
        self._handle = None

    def __enter__(self):
        self._handle = open(self.path, "a")
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        return False


class Cache(object):
    def __init__(self, root):
        self.root = os.path.abspath(root)

    @property
    def go_mod_cache(self):
        return os.path.join(self.root, "go", "mod")

    @property
    def go_build_cache(self):
        return os.path.join(self.root, "go", "build")

    def component_dir(self, component):
        return os.path.join(self.root, COMPONENT_DIRS[component])

    def version_dir(self, version):
        return VersionDir(os.path.join(self.component_dir(version.component), version.tag))

    def lock(self, component):
        directory = self.component_dir(component)
        makedirs(directory)
        return CacheLock(directory)


class VersionDir(object):
    def __init__(self, path):
        self.path = path
        self.bin_dir = os.path.join(path, "bin")
        self.src_dir = os.path.join(path, "src")
        self.manifest_path = os.path.join(path, MANIFEST)

    def read_manifest(self):
        try:
            with open(self.manifest_path) as handle:
                return json.load(handle)
        except (IOError, OSError, ValueError):
            return None

    def current(self, inputs_hash, binaries, verify=True):
        """The manifest when the cache holds exactly these inputs' binaries intact, else None."""
        manifest = self.read_manifest()
        if not manifest or manifest.get("inputs_hash") != inputs_hash:
            return None
        recorded = manifest.get("binaries") or {}
        for name in binaries:
            path = os.path.join(self.bin_dir, name)
            entry = recorded.get(name)
            if not entry or not os.path.isfile(path) or not os.access(path, os.X_OK):
                return None
            if os.path.getsize(path) != entry.get("size"):
                return None
            if verify and sha256_file(path) != entry.get("sha256"):
                return None
        return manifest

    def staging(self):
        """A fresh directory next to bin/ to write new binaries into (same filesystem, so commit is a rename)."""
        makedirs(self.path)
        return tempfile.mkdtemp(prefix=".bin.", dir=self.path)

    def commit(self, staging_dir, manifest):
        """Swap ``staging_dir`` in as bin/ and write the manifest last (its presence marks a complete entry)."""
        try:
            os.unlink(self.manifest_path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise
        old = None
        if os.path.isdir(self.bin_dir):
            old = tempfile.mkdtemp(prefix=".old.", dir=self.path)
            os.rename(self.bin_dir, os.path.join(old, "bin"))
        os.rename(staging_dir, self.bin_dir)
        os.chmod(self.bin_dir, 0o755)
        write_json_atomic(self.manifest_path, manifest)
        if old:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self, staging_dir):
        if staging_dir:
            shutil.rmtree(staging_dir, ignore_errors=True)


def describe_binaries(directory, binaries):
    out = {}
    for name in binaries:
        path = os.path.join(directory, name)
        out[name] = dict(sha256=sha256_file(path), size=os.path.getsize(path))
    return out


def write_json_atomic(path, data):
    directory = os.path.dirname(path)
    makedirs(directory)
    fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def makedirs(path, mode=0o755):
    try:
        os.makedirs(path, mode)
    except OSError as exc:
        if exc.errno != errno.EEXIST or not os.path.isdir(path):
            raise
