# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Source ``build``: compile the component from its published Go modules (see recipes.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os

from ansible_collections.ondemand.caas.plugins.module_utils.k8s import cache as cachelib
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import BuildFailed
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.gotool import GOFLAGS
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.recipes import probe_version
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.versions import COMPONENTS, require_published


class BuildSource(object):
    name = "build"

    def __init__(self, request, version, recipe, version_dir, go):
        self.request = request
        self.version = version
        self.recipe = recipe
        self.version_dir = version_dir
        self.go = go
        self.upstream = None

    def inputs(self):
        """Everything the binaries depend on, known without the network (the upstream go.mod of a release
        is immutable and sumdb-verified, so the version stands for it)."""
        return dict(
            source=self.name, component=self.version.component, version=self.version.tag,
            recipe_revision=self.recipe.revision, files=self.recipe.static_files(),
            ldflags=self.recipe.ldflags_template(), go_version=self.go.version(), goflags=GOFLAGS,
            cgo_enabled=False, goos="linux", goarch=self.request.arch, binaries=list(self.request.binaries),
        )

    def validate(self):
        """Read-only: the version must be served by the module proxy. Raises UnknownVersion otherwise."""
        module = COMPONENTS[self.version.component]["go_module"]
        require_published(self.version, self.go.published_versions(module), "the Go module proxy (%s)" % module)
        self.upstream = self.go.module_info(module, self.version.tag)

    def produce(self, staging_dir):
        src = self.version_dir.src_dir  # kept between builds: its go.sum spares sumdb look-ups on a rebuild
        upstream_go_mod = ""
        if self.upstream.get("GoMod"):
            with io.open(self.upstream["GoMod"], encoding="utf-8") as handle:
                upstream_go_mod = handle.read()
        files = dict(self.recipe.static_files())
        files["go.mod"] = self.recipe.go_mod(self.version, upstream_go_mod)
        for rel, text in files.items():
            path = os.path.join(src, rel)
            cachelib.makedirs(os.path.dirname(path))
            with io.open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        self.go.run(["mod", "tidy"], cwd=src)
        build_date = self.upstream.get("Time") or "1970-01-01T00:00:00Z"
        packages = [self.recipe.packages[name] for name in self.request.binaries]
        self.go.run(["build", "-ldflags", self.recipe.ldflags(self.version, build_date),
                     "-o", staging_dir + os.sep] + packages, cwd=src)
        missing = [n for n in self.request.binaries if not os.path.isfile(os.path.join(staging_dir, n))]
        if missing:
            raise BuildFailed("go build produced no %s in %s" % (", ".join(missing), staging_dir))
        return dict(go_version=self.go.version(), build_date=build_date,
                    go_sum_sha256=cachelib.sha256_file(os.path.join(src, "go.sum")),
                    go_mod_sha256=cachelib.sha256_file(os.path.join(src, "go.mod")))

    def verify(self, staging_dir, described):
        for name in self.request.binaries:
            reported = probe_version(os.path.join(staging_dir, name), name, self.recipe)
            if reported != self.version.tag:
                raise BuildFailed("%s reports %s, expected %s: the version stamp did not apply"
                                  % (name, reported, self.version.tag))
