# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Source ``local``: a directory of binaries (air-gapped sites), checked and copied into the cache."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

from ansible_collections.ondemand.caas.plugins.module_utils.k8s import cache as cachelib
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import (
    ChecksumMismatch, InvalidRequest, SourceUnavailable)
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.recipes import probe_version
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.source_release import validate_checksums


class LocalSource(object):
    name = "local"

    def __init__(self, request, version, recipe, version_dir):
        self.request = request
        self.version = version
        self.recipe = recipe
        if not request.local_dir:
            raise InvalidRequest("source=local needs local_dir (a directory holding %s)"
                                 % ", ".join(request.binaries))
        self.directory = os.path.abspath(request.local_dir)
        self._digests = None

    def _paths(self):
        return dict((n, os.path.join(self.directory, n)) for n in self.request.binaries)

    def _check_presence(self):
        if not os.path.isdir(self.directory):
            raise SourceUnavailable("local_dir %s does not exist" % self.directory)
        missing = [n for n, p in sorted(self._paths().items()) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
        if missing:
            raise SourceUnavailable("local_dir %s lacks executable %s" % (self.directory, ", ".join(missing)))

    def digests(self):
        if self._digests is None:
            self._check_presence()
            self._digests = dict((n, cachelib.sha256_file(p)) for n, p in self._paths().items())
        return self._digests

    def inputs(self):
        return dict(source=self.name, component=self.version.component, version=self.version.tag,
                    local_dir=self.directory, binaries=list(self.request.binaries), sources=self.digests())

    def validate(self):
        validate_checksums(self.request.checksums)
        unknown = set(self.request.checksums or {}) - set(self.request.binaries)
        if unknown:
            raise InvalidRequest("checksums for binaries not requested: %s" % ", ".join(sorted(unknown)))
        for name, expected in sorted((self.request.checksums or {}).items()):
            got = self.digests()[name]
            if got != str(expected).lower():
                raise ChecksumMismatch("%s/%s: sha256 %s does not match the pinned %s; nothing was written to the "
                                       "cache" % (self.directory, name, got, expected), file=name, actual=got,
                                       expected=expected)
        wrong = []
        for name, path in sorted(self._paths().items()):
            reported = probe_version(path, name, self.recipe)
            if reported != self.version.tag:
                wrong.append("%s reports %s" % (name, reported))
        if wrong:
            raise SourceUnavailable("local_dir %s does not hold %s %s: %s"
                                    % (self.directory, self.version.component, self.version.tag, "; ".join(wrong)))

    def produce(self, staging_dir):
        for name, path in self._paths().items():
            shutil.copy2(path, os.path.join(staging_dir, name))
            os.chmod(os.path.join(staging_dir, name), 0o755)
        return dict(local_dir=self.directory)

    def verify(self, staging_dir, described):
        for name, entry in described.items():
            if entry["sha256"] != self.digests()[name]:
                raise ChecksumMismatch("%s changed while being copied into the cache" % name)
