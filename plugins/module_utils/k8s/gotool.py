# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The Go toolchain as the builds use it: shared caches under the artefact cache, static, trimmed, niced."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import tempfile
import shutil

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import (
    BuildFailed, SourceUnavailable, UnknownVersion)

GOFLAGS = "-trimpath -buildvcs=false"


def _tail(text, lines=40):
    return "\n".join((text or "").strip().splitlines()[-lines:])


class GoToolchain(object):
    """Runs ``go`` with GOMODCACHE/GOCACHE in the artefact cache, CGO_ENABLED=0, GOTOOLCHAIN=local, nice 19."""

    def __init__(self, go_binary, cache, arch="amd64", proxy=None, nice=19, timeout=3600):
        self.go = go_binary
        self.cache = cache
        self.arch = arch
        self.proxy = proxy
        self.nice = nice
        self.timeout = timeout
        self._version = None

    def env(self):
        env = dict(os.environ)
        env.update(
            GOMODCACHE=self.cache.go_mod_cache,
            GOCACHE=self.cache.go_build_cache,
            GOFLAGS=GOFLAGS,
            CGO_ENABLED="0",
            GOTOOLCHAIN="local",
            GO111MODULE="on",
            GOOS="linux",
            GOARCH=self.arch,
            GOWORK="off",
        )
        if self.proxy:
            env["GOPROXY"] = self.proxy
        env.setdefault("HOME", "/root")
        return env

    def run(self, args, cwd=None, timeout=None, error=BuildFailed):
        command = [self.go] + list(args)
        if self.nice:
            command = ["nice", "-n", str(self.nice)] + command
        scratch = None
        if cwd is None:
            scratch = cwd = tempfile.mkdtemp(prefix="caas-go-")
        try:
            proc = subprocess.Popen(command, cwd=cwd, env=self.env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
            try:
                out = proc.communicate(timeout=timeout or self.timeout)[0]
            except subprocess.TimeoutExpired:
                proc.kill()
                out = proc.communicate()[0]
                raise error("timed out after %ss: %s" % (timeout or self.timeout, " ".join(command)),
                            output=_tail(out.decode("utf-8", "replace")))
        except OSError as exc:
            raise SourceUnavailable("cannot run %s: %s (the build source needs Go >= 1.24 on the controller)"
                                    % (self.go, exc))
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
        text = out.decode("utf-8", "replace")
        if proc.returncode != 0:
            raise error("`go %s` failed (exit %d): %s" % (" ".join(args), proc.returncode, _tail(text, 8)),
                        output=_tail(text))
        return text

    def version(self):
        """``go1.26.8``: part of every build's inputs, so a new toolchain rebuilds."""
        if self._version is None:
            self._version = self.run(["env", "GOVERSION"], timeout=60, error=SourceUnavailable).strip()
        return self._version

    def published_versions(self, module_path):
        """The versions of ``module_path`` the module proxy lists (``go list -m -versions``)."""
        text = self.run(["list", "-m", "-json", "-versions", module_path], timeout=120, error=UnknownVersion)
        return json.loads(text).get("Versions") or []

    def module_info(self, module_path, tag):
        """``go list -m -json path@tag``: Time and the path of its go.mod in GOMODCACHE (sumdb-verified)."""
        return json.loads(self.run(["list", "-m", "-json", "%s@%s" % (module_path, tag)], timeout=300,
                                   error=UnknownVersion))
