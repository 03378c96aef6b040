# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Facade: make one version of one component present in the cache from the chosen source.

Order of work, so that bad input fails before anything changes:
  1. parse the version and the request (InvalidRequest, UnknownVersion);
  2. compute the source's inputs hash (no network) and reuse the cache entry when it matches;
  3. ``validate()`` the source (read-only: the proxy's version list, checksum formats, local binaries);
  4. ``produce()`` into a staging directory, ``verify()`` it, and only then swap it in with its manifest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ondemand.caas.plugins.module_utils.k8s import cache as cachelib
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import InvalidRequest
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.gotool import GoToolchain
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.recipes import recipe_for
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.source_build import BuildSource
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.source_local import LocalSource
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.source_release import ReleaseSource
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.versions import COMPONENTS, parse

SOURCES = ("build", "release", "local")


class Request(object):
    """What the module was asked for (attribute names are the module's option names)."""

    def __init__(self, source, version, component="kubernetes", cache_dir="/var/cache/ondemand-caas",
                 binaries=None, arch="amd64", release_url=None, checksums=None, local_dir=None,
                 go_binary="go", go_proxy=None, build_timeout=3600, verify=True, force=False):
        if source not in SOURCES:
            raise InvalidRequest("source must be one of %s, not %r" % (", ".join(SOURCES), source))
        if component not in COMPONENTS:
            raise InvalidRequest("component must be one of %s, not %r" % (", ".join(sorted(COMPONENTS)), component))
        known = COMPONENTS[component]["binaries"]
        binaries = list(binaries or known)
        unknown = [b for b in binaries if b not in known]
        if unknown:
            raise InvalidRequest("unknown %s binaries: %s (known: %s)"
                                 % (component, ", ".join(unknown), ", ".join(known)))
        if len(set(binaries)) != len(binaries):
            raise InvalidRequest("binaries lists a name twice: %s" % ", ".join(binaries))
        self.source = source
        self.component = component
        self.version = parse(component, version)
        self.cache_dir = cache_dir
        self.binaries = [b for b in known if b in binaries]
        self.arch = arch
        self.release_url = release_url
        self.checksums = checksums or {}
        self.local_dir = local_dir
        self.go_binary = go_binary
        self.go_proxy = go_proxy
        self.build_timeout = build_timeout
        self.verify = verify
        self.force = force


def make_source(request, cache, version_dir):
    recipe = recipe_for(request.component)
    if request.source == "build":
        go = GoToolchain(request.go_binary, cache, arch=request.arch, proxy=request.go_proxy,
                         timeout=request.build_timeout)
        return BuildSource(request, request.version, recipe, version_dir, go)
    if request.source == "release":
        return ReleaseSource(request, request.version, recipe, version_dir)
    return LocalSource(request, request.version, recipe, version_dir)


def summary(manifest):
    if not manifest:
        return {}
    return dict((k, manifest.get(k)) for k in ("component", "version", "source", "inputs_hash", "binaries"))


def result(request, version_dir, manifest, changed, inputs_hash):
    binaries = {}
    for name in request.binaries:
        entry = dict((manifest or {}).get("binaries", {}).get(name) or {})
        entry["path"] = "%s/%s" % (version_dir.bin_dir, name)
        binaries[name] = entry
    return dict(changed=changed, component=request.component, version=request.version.tag, source=request.source,
                version_dir=version_dir.path, bin_dir=version_dir.bin_dir, manifest_path=version_dir.manifest_path,
                inputs_hash=inputs_hash, binaries=binaries, seconds=(manifest or {}).get("seconds"),
                manifest=manifest or {})


def ensure(request, check_mode=False):
    """Return a result dict (see the module's RETURN) plus ``diff``; raise ArtifactError on failure."""
    cache = cachelib.Cache(request.cache_dir)
    version_dir = cache.version_dir(request.version)
    source = make_source(request, cache, version_dir)
    inputs = source.inputs()
    inputs_hash = cachelib.sha256_json(inputs)
    before = version_dir.read_manifest()

    current = None if request.force else version_dir.current(inputs_hash, request.binaries, request.verify)
    if current is None:
        source.validate()  # read-only; every refusal happens here, before the cache changes
    if check_mode or current is not None:
        out = result(request, version_dir, current or before, current is None, inputs_hash)
        out["diff"] = dict(before=summary(before), after=summary(current) or dict(inputs_hash=inputs_hash))
        return out

    with cache.lock(request.component):
        # another run may have made the entry while we validated
        current = None if request.force else version_dir.current(inputs_hash, request.binaries, request.verify)
        if current is not None:
            out = result(request, version_dir, current, False, inputs_hash)
            out["diff"] = dict(before=summary(before), after=summary(current))
            return out
        staging = version_dir.staging()
        try:
            started = time.time()
            extra = source.produce(staging)
            seconds = round(time.time() - started, 1)
            described = cachelib.describe_binaries(staging, request.binaries)
            source.verify(staging, described)
            manifest = dict(component=request.component, version=request.version.tag, source=request.source,
                            inputs_hash=inputs_hash, inputs=inputs, binaries=described, seconds=seconds,
                            created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            manifest.update(extra)
            version_dir.commit(staging, manifest)
        except BaseException:
            version_dir.discard(staging)
            raise
    out = result(request, version_dir, manifest, True, inputs_hash)
    out["diff"] = dict(before=summary(before), after=summary(manifest))
    return out
