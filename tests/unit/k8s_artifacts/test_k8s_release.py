# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""source=release against a release tree served from a temp dir over file:// (no release server is contacted).

The files in the tree are stand-in binaries (test doubles); what is under test is the download, the sha256
verification against the published ``.sha256``/``SHA256SUMS`` and pinned checksums, and that a mismatch
leaves the cache exactly as it was.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import tarfile

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.artifacts import Request, ensure
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import (
    ChecksumMismatch, InvalidRequest, SourceUnavailable)

from k8s_stand_ins import K8S, stand_in_kubernetes


def sha(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def release_tree(tmp_path):
    """dl.k8s.io layout: <root>/v1.34.4/bin/linux/amd64/<name> and <name>.sha256."""
    root = tmp_path / "release"
    bindir = str(root / "v1.34.4" / "bin" / "linux" / "amd64")
    stand_in_kubernetes(bindir)
    for name in K8S:
        with open(os.path.join(bindir, name + ".sha256"), "w") as handle:
            handle.write(sha(os.path.join(bindir, name)) + "\n")
    return root


def req(cache_dir, root, **kw):
    return Request(source="release", version="v1.34.4", cache_dir=cache_dir, release_url="file://%s" % root, **kw)


def tree(path):
    out = []
    for base, dirs, files in os.walk(path):
        out += [os.path.relpath(os.path.join(base, f), path) for f in files if f != ".lock"]
    return sorted(out)


def test_release_downloads_verifies_and_reuses(cache_dir, release_tree):
    first = ensure(req(cache_dir, release_tree))
    assert first["changed"] is True and first["bin_dir"] == os.path.join(cache_dir, "k8s", "v1.34.4", "bin")
    assert sorted(os.listdir(first["bin_dir"])) == sorted(K8S)
    assert first["manifest"]["binaries"]["kubectl"]["sha256"] == sha(
        str(release_tree / "v1.34.4/bin/linux/amd64/kubectl"))
    assert os.access(os.path.join(first["bin_dir"], "kubelet"), os.X_OK)
    second = ensure(req(cache_dir, release_tree))
    assert second["changed"] is False and second["inputs_hash"] == first["inputs_hash"]


def test_published_checksum_mismatch_changes_nothing(cache_dir, release_tree):
    with open(str(release_tree / "v1.34.4/bin/linux/amd64/kubelet.sha256"), "w") as handle:
        handle.write("0" * 64 + "\n")
    with pytest.raises(ChecksumMismatch, match="kubelet: sha256 .* does not match the published 0{64}"):
        ensure(req(cache_dir, release_tree))
    assert tree(cache_dir) == []


def test_mismatch_keeps_the_previous_good_entry(cache_dir, release_tree):
    good = ensure(req(cache_dir, release_tree, binaries=["kubectl"]))
    before = tree(cache_dir)
    kubectl = str(release_tree / "v1.34.4/bin/linux/amd64/kubectl")
    with open(kubectl, "a") as handle:  # the server now serves a different file than it publishes a hash for
        handle.write("# tampered\n")
    with pytest.raises(ChecksumMismatch):
        ensure(req(cache_dir, release_tree, force=True, binaries=["kubectl"]))
    assert tree(cache_dir) == before
    assert sha(os.path.join(good["bin_dir"], "kubectl")) == good["manifest"]["binaries"]["kubectl"]["sha256"]


def test_pinned_checksum_mismatch(cache_dir, release_tree):
    with pytest.raises(ChecksumMismatch, match="does not match the pinned " + "a" * 64):
        ensure(req(cache_dir, release_tree, checksums={"kube-proxy": "a" * 64}))
    assert tree(cache_dir) == []


def test_pinned_checksum_match(cache_dir, release_tree):
    pinned = sha(str(release_tree / "v1.34.4/bin/linux/amd64/kube-proxy"))
    assert ensure(req(cache_dir, release_tree, checksums={"kube-proxy": pinned}))["changed"] is True


@pytest.mark.parametrize("checksums,match", [
    ({"kubectl": "not-a-hash"}, "is not a sha256"),
    ({"kubeadm": "a" * 64}, "checksums for files this release does not have: kubeadm"),
])
def test_bad_checksum_arguments(cache_dir, release_tree, checksums, match):
    with pytest.raises(InvalidRequest, match=match):
        ensure(req(cache_dir, release_tree, checksums=checksums))
    assert tree(cache_dir) == []


def test_unknown_release_fails_before_changes(cache_dir, release_tree):
    with pytest.raises(SourceUnavailable, match="cannot download file://.*/v1.34.5/bin/linux/amd64/"):
        ensure(Request(source="release", version="v1.34.5", cache_dir=cache_dir,
                       release_url="file://%s" % release_tree))
    assert tree(cache_dir) == []


def test_release_url_scheme_is_checked(cache_dir):
    with pytest.raises(InvalidRequest, match="must be an http"):
        ensure(Request(source="release", version="v1.34.4", cache_dir=cache_dir, release_url="ftp://x/y"))


def test_etcd_release_archive_and_sha256sums(cache_dir, tmp_path):
    root = tmp_path / "etcd-release"
    (root / "v3.5.35").mkdir(parents=True)
    archive = str(root / "v3.5.35" / "etcd-v3.5.35-linux-amd64.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("etcd", "etcdctl", "etcdutl", "README.md"):
            data = ("#!/bin/sh\necho '%s Version: 3.5.35'\n" % name).encode()
            info = tarfile.TarInfo("etcd-v3.5.35-linux-amd64/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with open(str(root / "v3.5.35" / "SHA256SUMS"), "w") as handle:
        handle.write("%s  etcd-v3.5.35-linux-amd64.tar.gz\n" % sha(archive))
    out = ensure(Request(source="release", component="etcd", version="3.5.35", cache_dir=cache_dir,
                         release_url="file://%s" % root))
    assert sorted(os.listdir(out["bin_dir"])) == ["etcd", "etcdctl"]
    assert out["bin_dir"] == os.path.join(cache_dir, "etcd", "v3.5.35", "bin")
    with open(str(root / "v3.5.35" / "SHA256SUMS"), "w") as handle:
        handle.write("%s  etcd-v3.5.35-linux-amd64.tar.gz\n" % ("b" * 64))
    with pytest.raises(ChecksumMismatch):
        ensure(Request(source="release", component="etcd", version="3.5.35", cache_dir=cache_dir, force=True,
                       release_url="file://%s" % root))
    assert sorted(os.listdir(out["bin_dir"])) == ["etcd", "etcdctl"]
