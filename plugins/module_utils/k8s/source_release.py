# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Source ``release``: official release binaries, downloaded once and verified against their published sha256.

Kubernetes: ``<release_url>/<tag>/bin/linux/<arch>/<name>`` with ``<name>.sha256`` next to it (dl.k8s.io layout).
etcd: ``<release_url>/<tag>/etcd-<tag>-linux-<arch>.tar.gz`` checked against ``<release_url>/<tag>/SHA256SUMS``.
Pinned ``checksums`` (file name -> sha256), when given, must match too. Everything lands in a staging
directory first; a mismatch discards it, so the cache never holds an unverified file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re
import shutil
import tarfile

from ansible.module_utils.urls import open_url

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import (
    ChecksumMismatch, InvalidRequest, SourceUnavailable)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_URLS = {
    "kubernetes": "https://dl.k8s.io/release",
    "etcd": "https://github.com/etcd-io/etcd/releases/download",
}


def validate_checksums(checksums):
    for name, value in (checksums or {}).items():
        if not _HEX64.match(str(value).strip().lower()):
            raise InvalidRequest("checksums[%s]: %r is not a sha256 (64 hex digits)" % (name, value))


class ReleaseSource(object):
    name = "release"

    def __init__(self, request, version, recipe, version_dir, timeout=600):
        self.request = request
        self.version = version
        self.recipe = recipe
        self.timeout = timeout
        self.base = (request.release_url or DEFAULT_URLS[version.component]).rstrip("/")

    def files(self):
        """{file name: url} to fetch; for etcd one archive."""
        tag, arch = self.version.tag, self.request.arch
        if self.version.component == "etcd":
            name = "etcd-%s-linux-%s.tar.gz" % (tag, arch)
            return {name: "%s/%s/%s" % (self.base, tag, name)}
        return dict((n, "%s/%s/bin/linux/%s/%s" % (self.base, tag, arch, n)) for n in self.request.binaries)

    def inputs(self):
        return dict(source=self.name, component=self.version.component, version=self.version.tag,
                    arch=self.request.arch, binaries=list(self.request.binaries),
                    checksums=dict((k, str(v).lower()) for k, v in (self.request.checksums or {}).items()))

    def validate(self):
        if not re.match(r"^(https?|file)://", self.base):
            raise InvalidRequest("release_url %r must be an http(s):// or file:// URL" % self.base)
        validate_checksums(self.request.checksums)
        unknown = set(self.request.checksums or {}) - set(self.files())
        if unknown:
            raise InvalidRequest("checksums for files this release does not have: %s (expected keys among: %s)"
                                 % (", ".join(sorted(unknown)), ", ".join(sorted(self.files()))))

    def _fetch(self, url, dest=None):
        try:
            response = open_url(url, timeout=self.timeout, http_agent="ondemand.caas-k8s_artifact")
            if dest is None:
                return response.read().decode("utf-8", "replace")
            digest = hashlib.sha256()
            with open(dest, "wb") as handle:
                for block in iter(lambda: response.read(1 << 20), b""):
                    digest.update(block)
                    handle.write(block)
            return digest.hexdigest()
        except Exception as exc:  # urllib raises several unrelated types; all mean "not delivered"
            raise SourceUnavailable("cannot download %s: %s" % (url, exc))

    def _published(self, name, url):
        if self.version.component == "etcd":
            sums = self._fetch("%s/%s/SHA256SUMS" % (self.base, self.version.tag))
            for line in sums.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1].lstrip("*") == name:
                    return parts[0].lower()
            raise ChecksumMismatch("SHA256SUMS of etcd %s has no entry for %s" % (self.version.tag, name))
        text = self._fetch(url + ".sha256").strip().split()
        if not text or not _HEX64.match(text[0].lower()):
            raise ChecksumMismatch("%s.sha256 does not hold a sha256" % url)
        return text[0].lower()

    def produce(self, staging_dir):
        pinned = dict((k, str(v).lower()) for k, v in (self.request.checksums or {}).items())
        downloads = os.path.join(staging_dir, ".download")
        os.mkdir(downloads)
        verified = {}
        for name, url in sorted(self.files().items()):
            published = self._published(name, url)
            got = self._fetch(url, os.path.join(downloads, name))
            for label, expected in (("published", published), ("pinned", pinned.get(name))):
                if expected and expected != got:
                    raise ChecksumMismatch("%s: sha256 %s does not match the %s %s; nothing was written to the cache"
                                           % (name, got, label, expected), file=name, actual=got, expected=expected)
            verified[name] = got
        if self.version.component == "etcd":
            self._extract(os.path.join(downloads, list(self.files())[0]), staging_dir)
        else:
            for name in self.request.binaries:
                os.rename(os.path.join(downloads, name), os.path.join(staging_dir, name))
        shutil.rmtree(downloads)
        for name in self.request.binaries:
            os.chmod(os.path.join(staging_dir, name), 0o755)
        return dict(url=self.base, downloaded=verified)

    def _extract(self, archive, staging_dir):
        wanted = set(self.request.binaries)
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                base = os.path.basename(member.name)
                if member.isfile() and base in wanted:
                    source = tar.extractfile(member)
                    with open(os.path.join(staging_dir, base), "wb") as handle:
                        shutil.copyfileobj(source, handle)
                    wanted.discard(base)
        if wanted:
            raise SourceUnavailable("%s lacks %s" % (os.path.basename(archive), ", ".join(sorted(wanted))))

    def verify(self, staging_dir, described):
        """The published sha256 was checked while downloading; nothing else to run (binaries may be foreign)."""
