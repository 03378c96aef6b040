# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""source=local with stand-in binaries (test doubles printing what the real ones print for --version).

tests/integration/k8s_artifacts runs the same source against the real binaries built in the cache.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.artifacts import Request, ensure
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import (
    ChecksumMismatch, InvalidRequest, SourceUnavailable)

from k8s_stand_ins import K8S, stand_in_kubernetes, write_stand_in


def req(cache_dir, local_dir, **kw):
    return Request(source="local", version="v1.34.4", cache_dir=cache_dir, local_dir=str(local_dir), **kw)


def test_local_copies_then_reuses_then_follows_changes(cache_dir, tmp_path):
    local = stand_in_kubernetes(str(tmp_path / "bins"))
    first = ensure(req(cache_dir, local))
    assert first["changed"] and sorted(os.listdir(first["bin_dir"])) == sorted(K8S)
    assert ensure(req(cache_dir, local))["changed"] is False
    write_stand_in(os.path.join(local, "kubectl"), "Client Version: v1.34.4 (rebuilt)")
    third = ensure(req(cache_dir, local))
    assert third["changed"] and third["inputs_hash"] != first["inputs_hash"]


def test_local_wrong_version_refused_before_changes(cache_dir, tmp_path):
    local = stand_in_kubernetes(str(tmp_path / "bins"), tag="v1.33.13")
    with pytest.raises(SourceUnavailable, match="does not hold kubernetes v1.34.4: kube-apiserver reports v1.33.13"):
        ensure(req(cache_dir, local))
    assert os.listdir(cache_dir) == []


def test_local_missing_binary(cache_dir, tmp_path):
    local = stand_in_kubernetes(str(tmp_path / "bins"), skip=("kubelet",))
    with pytest.raises(SourceUnavailable, match="lacks executable kubelet"):
        ensure(req(cache_dir, local))
    assert os.listdir(cache_dir) == []


def test_local_missing_dir(cache_dir, tmp_path):
    with pytest.raises(SourceUnavailable, match="does not exist"):
        ensure(req(cache_dir, tmp_path / "nope"))
    with pytest.raises(InvalidRequest, match="needs local_dir"):
        ensure(Request(source="local", version="v1.34.4", cache_dir=cache_dir))


def test_local_pinned_checksum_mismatch(cache_dir, tmp_path):
    local = stand_in_kubernetes(str(tmp_path / "bins"))
    with pytest.raises(ChecksumMismatch, match="kubelet: sha256 .* does not match the pinned"):
        ensure(req(cache_dir, local, checksums={"kubelet": "c" * 64}))
    assert os.listdir(cache_dir) == []


def test_check_mode_reports_without_writing(cache_dir, tmp_path):
    local = stand_in_kubernetes(str(tmp_path / "bins"))
    out = ensure(req(cache_dir, local), check_mode=True)
    assert out["changed"] is True and os.listdir(cache_dir) == []
    assert out["diff"]["before"] == {} and out["diff"]["after"]["inputs_hash"] == out["inputs_hash"]
    ensure(req(cache_dir, local))
    assert ensure(req(cache_dir, local), check_mode=True)["changed"] is False


def test_tampered_cache_entry_is_replaced(cache_dir, tmp_path):
    local = stand_in_kubernetes(str(tmp_path / "bins"))
    first = ensure(req(cache_dir, local))
    with open(os.path.join(first["bin_dir"], "kube-proxy"), "a") as handle:
        handle.write("# corrupted on disk\n")
    assert ensure(req(cache_dir, local))["changed"] is True
    assert ensure(req(cache_dir, local))["changed"] is False


@pytest.mark.parametrize("kwargs,match", [
    (dict(source="nightly"), "source must be one of"),
    (dict(binaries=["kubeadm"]), "unknown kubernetes binaries: kubeadm"),
    (dict(binaries=["kubectl", "kubectl"]), "twice"),
    (dict(component="cilium"), "component must be one of"),
])
def test_request_validation(cache_dir, kwargs, match):
    args = dict(source="local", version="v1.34.4", cache_dir=cache_dir, local_dir="/nonexistent")
    args.update(kwargs)
    with pytest.raises(InvalidRequest, match=match):
        Request(**args)
