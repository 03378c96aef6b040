# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""source=build refuses unknown versions before anything changes, asking a Go module proxy served from a temp
dir (GOPROXY=file://...) through the real ``go`` command, so no traffic leaves the machine."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.artifacts import Request, ensure
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import UnknownVersion

GO = shutil.which("go") or ("/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go") else None)
pytestmark = pytest.mark.skipif(GO is None, reason="needs the go command (Go >= 1.24)")


@pytest.fixture
def file_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSUMDB", "off")  # the stand-in go.mod files below are not in the checksum database
    root = tmp_path / "proxy"
    for module, versions in (("k8s.io/kubernetes", ["v1.33.13", "v1.34.2", "v1.34.4", "v1.35.4"]),
                             ("go.etcd.io/etcd/server/v3", ["v3.5.34", "v3.5.35"])):
        listing = root.joinpath(*module.split("/")) / "@v"
        listing.mkdir(parents=True)
        (listing / "list").write_text("\n".join(versions) + "\n")
        # go reads the newest version's go.mod to honour retractions
        (listing / (versions[-1] + ".info")).write_text('{"Version": "%s", "Time": "2026-01-01T00:00:00Z"}' % versions[-1])
        (listing / (versions[-1] + ".mod")).write_text("module %s\n\ngo 1.24.0\n" % module)
    return "file://%s" % root


def build(cache_dir, proxy, version, component="kubernetes"):
    return Request(source="build", component=component, version=version, cache_dir=cache_dir, go_binary=GO,
                   go_proxy=proxy)


@pytest.mark.parametrize("version,match", [
    ("v1.34.9", r"kubernetes v1\.34\.9 is not served by the Go module proxy \(k8s\.io/kubernetes\); the newest "
                r"1\.34 release it serves is v1\.34\.4"),
    ("v1.31.0", r"newest releases it serves: v1\.33\.13, v1\.34\.4, v1\.35\.4"),
])
def test_unknown_version_refused_before_changes(cache_dir, file_proxy, version, match):
    with pytest.raises(UnknownVersion, match=match):
        ensure(build(cache_dir, file_proxy, version))
    assert not os.path.exists(os.path.join(cache_dir, "k8s"))


def test_unknown_etcd_version(cache_dir, file_proxy):
    with pytest.raises(UnknownVersion, match=r"etcd v3\.5\.99 is not served .*v3\.5\.35"):
        ensure(build(cache_dir, file_proxy, "v3.5.99", component="etcd"))
    assert not os.path.exists(os.path.join(cache_dir, "etcd"))


@pytest.mark.parametrize("version", ["1.34", "v1.34.4-beta.0", "latest", "v2.0.0"])
def test_malformed_version_refused_without_go(cache_dir, version):
    with pytest.raises(UnknownVersion):
        ensure(Request(source="build", version=version, cache_dir=cache_dir, go_binary="/nonexistent/go"))
    assert os.listdir(cache_dir) == []


def test_check_mode_validates_too(cache_dir, file_proxy):
    with pytest.raises(UnknownVersion):
        ensure(build(cache_dir, file_proxy, "v1.34.9"), check_mode=True)
