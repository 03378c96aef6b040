# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The PKI directory on the controller: ``<pki_dir>/<cluster>/``, mode 0700, atomic writes.

Private keys and kubeconfigs are written 0600, certificates and public keys 0644; every write
goes through a temporary file in the same directory and ``os.replace``, so a crash never leaves
half a key behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import PkiFileError

DIR_MODE = 0o700
SECRET_MODE = 0o600
PUBLIC_MODE = 0o644


def mode_for(rel):
    return SECRET_MODE if rel.endswith(".key") or rel.endswith(".conf") else PUBLIC_MODE


class Store:
    def __init__(self, pki_dir, cluster):
        self.base = os.path.abspath(os.path.expanduser(pki_dir))
        self.root = os.path.join(self.base, cluster)

    def path(self, rel):
        return os.path.join(self.root, *rel.split("/"))

    def exists(self, rel):
        return os.path.exists(self.path(rel))

    def read(self, rel):
        """The file's bytes, or None when it does not exist."""
        path = self.path(rel)
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except IOError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise PkiFileError("%s cannot be read: %s" % (path, exc.strerror), path=path)

    def check_writable(self):
        """Fail early, naming the directory, when nothing could be written."""
        probe = self.root
        while not os.path.exists(probe):
            parent = os.path.dirname(probe)
            if parent == probe:
                break
            probe = parent
        if not os.path.isdir(probe):
            raise PkiFileError("%s is not a directory" % probe, path=probe)
        if not os.access(probe, os.W_OK | os.X_OK):
            raise PkiFileError("PKI directory %s is not writable" % probe, path=probe)
        if probe == self.root:
            for sub, dirs, _files in os.walk(self.root):
                if not os.access(sub, os.W_OK | os.X_OK):
                    raise PkiFileError("PKI directory %s is not writable" % sub, path=sub)

    def _makedirs(self, directory):
        if os.path.isdir(directory):
            return
        parent = os.path.dirname(directory)
        if parent != directory and directory != self.base:
            self._makedirs(parent)
        try:
            os.mkdir(directory, DIR_MODE if directory.startswith(self.root) else 0o755)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise PkiFileError("cannot create %s: %s" % (directory, exc.strerror), path=directory)

    def ensure_root(self):
        self._makedirs(self.root)
        try:
            os.chmod(self.root, DIR_MODE)
        except OSError as exc:
            raise PkiFileError("cannot set mode on %s: %s" % (self.root, exc.strerror), path=self.root)

    def write(self, rel, data):
        path = self.path(rel)
        self._makedirs(os.path.dirname(path))
        tmp = "%s.tmp%d" % (path, os.getpid())
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode_for(rel))
            try:
                os.write(fd, data)
                os.fchmod(fd, mode_for(rel))
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise PkiFileError("cannot write %s: %s" % (path, exc.strerror), path=path)

    def remove(self, rel):
        path = self.path(rel)
        try:
            os.unlink(path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise PkiFileError("cannot remove %s: %s" % (path, exc.strerror), path=path)

    def node_dirs(self):
        nodes = self.path("nodes")
        return sorted(os.listdir(nodes)) if os.path.isdir(nodes) else []
