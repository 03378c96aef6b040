# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Seeding behaviour on a real directory: idempotence, what triggers a reissue, rotation, bad files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import os
import stat
import subprocess

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.pki import crypto
from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import (
    InvalidInput, PkiFileError, RotationError)

from pkitools import seed


def snapshot(root):
    out = {}
    for top, _dirs, files in os.walk(str(root)):
        for name in files:
            path = os.path.join(top, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, str(root))] = hashlib.sha256(handle.read()).hexdigest()
    return out


def changed_paths(result):
    return sorted(set(c["path"] for c in result["changes"]))


def load(root, rel):
    with open(os.path.join(str(root), "demo", rel), "rb") as handle:
        return crypto.load_certs(handle.read(), rel)


def test_fresh_seed_layout_and_modes(tmp_path):
    result = seed(tmp_path)
    root = tmp_path / "demo"
    assert result["changed"] and result["cluster_dir"] == str(root)
    assert stat.S_IMODE(os.stat(str(root)).st_mode) == 0o700
    files = snapshot(root)
    for rel in ("ca.crt", "ca.key", "ca-bundle.crt", "etcd/ca.crt", "etcd/ca-bundle.crt", "front-proxy-ca.crt",
                "front-proxy-ca-bundle.crt", "apiserver.crt", "apiserver-etcd-client.key", "sa.key", "sa.pub",
                "admin.conf", "controller-manager.conf", "scheduler.conf", "kube-proxy.conf", "registry.crt",
                "nodes/demo-m0/etcd-server.crt", "nodes/demo-m0/etcd-peer.key", "nodes/demo-w1/kubelet.crt",
                "nodes/demo-w1/kubelet-client.key", "nodes/demo-w1/kubelet.conf"):
        assert rel in files, rel
    for top, dirs, names in os.walk(str(root)):
        for d in dirs:
            assert stat.S_IMODE(os.stat(os.path.join(top, d)).st_mode) == 0o700
        for name in names:
            mode = stat.S_IMODE(os.stat(os.path.join(top, name)).st_mode)
            secret = name.endswith(".key") or name.endswith(".conf")
            assert mode == (0o600 if secret else 0o644), (name, oct(mode))
    assert not [n for n in files if ".tmp" in n]


def test_second_run_changes_nothing(seeded):
    before = snapshot(seeded)
    result = seed(seeded)
    assert not result["changed"] and result["changes"] == []
    assert snapshot(seeded) == before


def test_check_mode_writes_nothing(tmp_path):
    result = seed(tmp_path, check_mode=True)
    assert result["changed"] and not os.path.exists(str(tmp_path / "demo"))
    assert "apiserver.crt" in changed_paths(result)


def test_diff_never_shows_key_material(tmp_path):
    result = seed(tmp_path)
    text = result["diff"]["before"] + result["diff"]["after"]
    assert "PRIVATE KEY" not in text and "ca.key: <private key>" in text
    assert "apiserver.crt: CN=kube-apiserver" in text


def test_new_node_adds_only_its_files(seeded):
    before = snapshot(seeded)
    result = seed(seeded, workers=3)
    assert changed_paths(result) == ["nodes/demo-w2/kubelet-client.crt", "nodes/demo-w2/kubelet-client.key",
                                     "nodes/demo-w2/kubelet.conf", "nodes/demo-w2/kubelet.crt",
                                     "nodes/demo-w2/kubelet.key"]
    after = snapshot(seeded)
    assert dict((k, v) for k, v in after.items() if k in before) == before


def test_new_master_reissues_apiserver_and_adds_etcd(seeded):
    result = seed(seeded, masters=2)
    paths = changed_paths(result)
    assert "apiserver.crt" in paths and "nodes/demo-m1/etcd-server.crt" in paths
    assert "ca.crt" not in paths and "nodes/demo-w0/kubelet.crt" not in paths
    reason = [c["reason"] for c in result["changes"] if c["path"] == "apiserver.crt"][0]
    assert "10.10.0.11" in reason and "demo-m1" in reason
    dns, ips = crypto.sans(load(seeded, "apiserver.crt")[0])
    assert "demo-m1" in dns


def test_removed_node_is_reported_not_deleted(seeded):
    result = seed(seeded, workers=1)
    assert result["stale_nodes"] == ["demo-w1"]
    assert os.path.exists(str(seeded / "demo" / "nodes" / "demo-w1" / "kubelet.crt"))


def test_expiry_threshold_reissues_every_leaf_but_no_ca(seeded):
    later = crypto.utcnow() + datetime.timedelta(days=340)
    result = seed(seeded, now=later)
    paths = changed_paths(result)
    assert "apiserver.crt" in paths and "nodes/demo-w0/kubelet.crt" in paths
    assert "ca.crt" not in paths and "etcd/ca.crt" not in paths and "sa.key" not in paths
    assert [c["reason"] for c in result["changes"] if c["path"] == "apiserver.crt"][0].startswith("expires in")


def test_rotate_one_leaf(seeded):
    result = seed(seeded, rotate_leaves=["nodes/demo-w0/kubelet"])
    assert changed_paths(result) == ["nodes/demo-w0/kubelet.crt", "nodes/demo-w0/kubelet.key"]


def test_rotate_all_leaves_keeps_cas(seeded):
    ca_before = snapshot(seeded / "demo")["ca.crt"]
    result = seed(seeded, rotate_leaves=["all"])
    paths = changed_paths(result)
    assert "ca.crt" not in paths and snapshot(seeded / "demo")["ca.crt"] == ca_before
    assert "admin.conf" in paths and "registry.key" in paths


def test_unknown_leaf_to_rotate(seeded):
    with pytest.raises(InvalidInput):
        seed(seeded, rotate_leaves=["nodes/nobody/kubelet"])


def test_key_type_change_reissues_leaves(seeded):
    result = seed(seeded, key_type="rsa-2048")
    assert "apiserver.crt" in changed_paths(result)
    assert crypto.key_type_of(load(seeded, "apiserver.crt")[0].public_key()) == "rsa-2048"
    assert any("CA key is ecdsa-p256" in w for w in result["warnings"])


def test_ca_rotation_steps(seeded):
    old_ca = load(seeded, "ca.crt")[0]
    old_leaf = load(seeded, "apiserver.crt")[0]
    with pytest.raises(RotationError):
        seed(seeded, ca_rotation="promote")
    begun = seed(seeded, ca_rotation="begin")
    assert begun["ca_rotation"]["kubernetes"] == "begun"
    assert "apiserver.crt" not in changed_paths(begun) and "admin.conf" in changed_paths(begun)
    assert len(load(seeded, "ca-bundle.crt")) == 2
    assert not seed(seeded, ca_rotation="begin")["changed"]  # idempotent step
    with pytest.raises(RotationError):
        seed(seeded, ca_rotation="finish")
    promoted = seed(seeded, ca_rotation="promote")
    assert promoted["ca_rotation"]["kubernetes"] == "promoted"
    new_ca = load(seeded, "ca.crt")[0]
    assert new_ca.serial_number != old_ca.serial_number
    leaf = load(seeded, "apiserver.crt")[0]
    assert crypto.issued_by(leaf, new_ca) and not crypto.issued_by(leaf, old_ca)
    bundle = load(seeded, "ca-bundle.crt")
    assert set(c.serial_number for c in bundle) == {old_ca.serial_number, new_ca.serial_number}
    assert crypto.issued_by(old_leaf, bundle[1])  # old leaves still trusted during the roll
    assert not seed(seeded, ca_rotation="promote")["changed"]
    assert not seed(seeded)["changed"]
    finished = seed(seeded, ca_rotation="finish")
    assert finished["ca_rotation"]["kubernetes"] == "none"
    assert [c.serial_number for c in load(seeded, "ca-bundle.crt")] == [new_ca.serial_number]
    assert not os.path.exists(str(seeded / "demo" / "ca.prev.crt"))
    assert not seed(seeded)["changed"]


@pytest.mark.parametrize("rel", ["apiserver.crt", "nodes/demo-w0/kubelet.key", "ca.key", "sa.key"])
def test_corrupt_file_is_named_and_nothing_changes(seeded, rel):
    path = seeded / "demo" / rel
    path.write_bytes(b"-----BEGIN GARBAGE-----\nnot base64\n")
    before = snapshot(seeded)
    with pytest.raises(PkiFileError) as err:
        seed(seeded, workers=3)  # would otherwise add a node
    assert str(path) in str(err.value) and err.value.path == str(path)
    assert snapshot(seeded) == before


def test_missing_ca_key_is_an_error_not_a_new_ca(seeded):
    os.unlink(str(seeded / "demo" / "etcd" / "ca.key"))
    with pytest.raises(PkiFileError) as err:
        seed(seeded)
    assert "etcd/ca.key is missing" in str(err.value)


def test_foreign_key_is_detected(seeded, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    seed(other)
    (seeded / "demo" / "nodes" / "demo-w0" / "kubelet.key").write_bytes(
        (other / "demo" / "nodes" / "demo-w0" / "kubelet.key").read_bytes())
    result = seed(seeded)
    assert changed_paths(result)[:2] == ["nodes/demo-w0/kubelet.conf", "nodes/demo-w0/kubelet.crt"] or \
        "nodes/demo-w0/kubelet.crt" in changed_paths(result)
    assert [c["reason"] for c in result["changes"] if c["path"] == "nodes/demo-w0/kubelet.crt"] == \
        ["key does not match certificate"]


@pytest.fixture
def read_only_dir(tmp_path):
    """A directory nothing can write to: a read-only bind mount as root (root ignores mode bits), else mode 0555."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.getuid() == 0:
        subprocess.check_call(["mount", "--bind", str(target), str(target)])
        try:
            subprocess.check_call(["mount", "-o", "remount,ro,bind", str(target)])
        except subprocess.CalledProcessError:
            subprocess.call(["umount", str(target)])
            pytest.skip("cannot make a read-only bind mount here")
        yield target
        subprocess.check_call(["umount", str(target)])
    else:
        os.chmod(str(target), 0o555)
        yield target
        os.chmod(str(target), 0o755)


def test_pki_dir_not_writable(read_only_dir):
    with pytest.raises(PkiFileError) as err:
        seed(read_only_dir)
    assert "PKI directory %s is not writable" % read_only_dir in str(err.value)
    assert os.listdir(str(read_only_dir)) == []
    assert seed(read_only_dir, check_mode=True)["changed"]  # check mode still reports


def test_pki_dir_is_a_file(tmp_path):
    (tmp_path / "file").write_text(u"x")
    with pytest.raises(PkiFileError) as err:
        seed(tmp_path / "file")
    assert "is not a directory" in str(err.value)
