# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The k8s_artifacts role end to end through ansible-playbook, without the real cache: the release source
against a file:// tree of stand-in binaries (no release server is ever contacted), and the refusals of bad input
(unknown or malformed version, checksum mismatch, missing local directory) before anything changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from k8s_itest import GO, role_play, run_playbook, stand_in_release, task_results


def test_release_source_through_the_role(tmp_path):
    cache = tmp_path / "cache"
    stand_in_release(tmp_path / "release")
    variables = dict(caas_k8s_source="release", caas_k8s_release_url="file://%s" % (tmp_path / "release"),
                     caas_cache_dir=str(cache), k8s_artifacts_with_etcd=False)
    rc, data, dummy = run_playbook(tmp_path, role_play(**variables))
    assert rc == 0, data
    fact = task_results(data, "show fact")[0]["k8s_artifacts_cached"]
    assert fact["version"] == "v1.34.4" and fact["bin_dir"] == str(cache / "k8s" / "v1.34.4" / "bin")
    assert sorted(fact["binaries"]) == sorted(os.listdir(fact["bin_dir"])) and fact["etcd"] == {}
    rc, data, dummy = run_playbook(tmp_path, role_play(**variables))
    assert rc == 0 and data["stats"]["localhost"]["changed"] == 0


def test_release_checksum_mismatch_fails_before_changes(tmp_path):
    cache = tmp_path / "cache"
    bindir = stand_in_release(tmp_path / "release")
    with open(os.path.join(bindir, "kube-scheduler.sha256"), "w") as handle:
        handle.write("f" * 64 + "\n")
    rc, data, dummy = run_playbook(tmp_path, role_play(
        caas_k8s_source="release", caas_k8s_release_url="file://%s" % (tmp_path / "release"),
        caas_cache_dir=str(cache), k8s_artifacts_with_etcd=False))
    assert rc != 0
    failed = task_results(data, "Provide Kubernetes")[0]
    assert failed["failed"] and "kube-scheduler: sha256" in failed["msg"] and "does not match the published" in failed["msg"]
    assert failed["expected"] == "f" * 64
    assert not os.path.exists(str(cache / "k8s" / "v1.34.4" / "bin"))
    assert not os.path.exists(str(cache / "k8s" / "v1.34.4" / "manifest.json"))


@pytest.mark.parametrize("version,match", [
    ("1.34", "malformed kubernetes version '1.34'"),
    ("v1.34.4-rc.1", "malformed kubernetes version"),
])
def test_malformed_version(tmp_path, version, match):
    variables = dict(caas_k8s_version=version, caas_cache_dir=str(tmp_path / "c"), k8s_artifacts_with_etcd=False)
    rc, data, dummy = run_playbook(tmp_path, role_play(**variables))
    assert rc != 0 and match in task_results(data, "Provide Kubernetes")[0]["msg"]
    assert not os.path.exists(str(tmp_path / "c" / "k8s"))


@pytest.mark.skipif(GO is None, reason="needs the go command")
def test_unknown_version_via_file_proxy(tmp_path):
    """A Go module proxy served from a temp dir (GOPROXY=file://): no traffic leaves the machine."""
    listing = tmp_path / "proxy" / "k8s.io" / "kubernetes" / "@v"
    listing.mkdir(parents=True)
    (listing / "list").write_text("v1.33.13\nv1.34.4\n")
    (listing / "v1.34.4.info").write_text('{"Version": "v1.34.4", "Time": "2026-02-10T12:53:36Z"}')
    (listing / "v1.34.4.mod").write_text("module k8s.io/kubernetes\n\ngo 1.24.0\n")
    variables = dict(caas_k8s_version="v1.34.7", caas_cache_dir=str(tmp_path / "c"), k8s_artifacts_with_etcd=False)
    rc, data, dummy = run_playbook(tmp_path, role_play(**variables),
                                   extra_env=dict(GOPROXY="file://%s" % (tmp_path / "proxy"), GOSUMDB="off"))
    msg = task_results(data, "Provide Kubernetes")[0]["msg"]
    assert rc != 0 and "kubernetes v1.34.7 is not served by the Go module proxy" in msg and "v1.34.4" in msg
    assert not os.path.exists(str(tmp_path / "c" / "k8s"))


def test_local_source_needs_its_directory(tmp_path):
    rc, data, dummy = run_playbook(tmp_path, role_play(caas_k8s_source="local", caas_cache_dir=str(tmp_path / "c")))
    assert rc != 0 and "source local needs caas_k8s_local_dir" in task_results(data, "Refuse")[0]["msg"]


def test_unknown_source_refused_by_argument_spec(tmp_path):
    rc, data, dummy = run_playbook(tmp_path, role_play(caas_k8s_source="nightly", caas_cache_dir=str(tmp_path / "c")))
    assert rc != 0 and "nightly" in str(data)
