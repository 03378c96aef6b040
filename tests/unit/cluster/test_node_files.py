# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Placing a node's files in one go (module_utils/cluster/node_files.py, the body of ondemand.caas.node_files)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import grp
import os
import pwd
import stat

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.node_files import NodeFilesError, place

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name
KEY = b"-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"
CERT = b"-----BEGIN CERTIFICATE-----\npublic\n-----END CERTIFICATE-----\n"


def item(dest, data, mode="0600"):
    return {"dest": str(dest), "content": base64.b64encode(data).decode(), "owner": ME, "group": MY_GROUP,
            "mode": mode}


def run(files, check_mode=False):
    return place(files, ME, MY_GROUP, "0755", check_mode=check_mode)


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_first_run_writes_everything_with_modes_and_creates_directories(tmp_path):
    key, cert = tmp_path / "pki" / "etcd" / "server.key", tmp_path / "pki" / "ca.crt"
    result = run([item(key, KEY), item(cert, CERT, "0644")])
    assert result["changed"] and result["changed_files"] == [str(key), str(cert)]
    assert result["changed_directories"] == [str(tmp_path / "pki"), str(tmp_path / "pki" / "etcd")]
    assert key.read_bytes() == KEY and mode_of(key) == 0o600
    assert cert.read_bytes() == CERT and mode_of(cert) == 0o644
    assert mode_of(key.parent) == 0o755
    assert sorted(os.listdir(str(key.parent))) == ["server.key"]  # no temporary file left behind


def test_second_run_changes_nothing(tmp_path):
    files = [item(tmp_path / "a.key", KEY), item(tmp_path / "b.crt", CERT, "0644")]
    run(files)
    assert run(files) == {"changed": False, "changed_files": [], "changed_directories": [],
                          "diff": {"before_header": "node files", "after_header": "node files", "before": "",
                                   "after": ""}}


def test_only_the_file_that_differs_is_reported(tmp_path):
    files = [item(tmp_path / "a.key", KEY), item(tmp_path / "b.crt", CERT, "0644")]
    run(files)
    files[1] = item(tmp_path / "b.crt", CERT + b"renewed\n", "0644")
    os.chmod(str(tmp_path / "a.key"), 0o640)
    result = run(files)
    assert result["changed_files"] == [str(tmp_path / "a.key"), str(tmp_path / "b.crt")]
    assert mode_of(tmp_path / "a.key") == 0o600 and (tmp_path / "b.crt").read_bytes() == CERT + b"renewed\n"
    a_line, b_line = result["diff"]["after"].splitlines()
    assert a_line.endswith("a.key: mode 0600 uid %d gid %d" % (os.getuid(), os.getgid()))  # mode only
    assert "b.crt: mode 0644" in b_line and b_line.endswith(", content differs")


def test_diff_never_shows_content(tmp_path):
    result = run([item(tmp_path / "a.key", KEY)])
    text = repr(result)
    assert "PRIVATE KEY" not in text and base64.b64encode(KEY).decode() not in text
    assert result["diff"]["before"] == "%s: absent\n" % (tmp_path / "a.key")


def test_check_mode_reports_and_writes_nothing(tmp_path):
    key = tmp_path / "new" / "a.key"
    result = run([item(key, KEY)], check_mode=True)
    assert result["changed"] and result["changed_files"] == [str(key)]
    assert not key.parent.exists()


def test_replacing_keeps_a_reader_s_open_file_intact(tmp_path):
    key = tmp_path / "a.key"
    run([item(key, KEY)])
    with open(str(key), "rb") as reader:
        run([item(key, KEY + b"new\n")])
        assert reader.read() == KEY  # renamed over, not rewritten in place
    assert key.read_bytes() == KEY + b"new\n"


@pytest.mark.parametrize("files, message", [
    ([item("{d}/a", KEY), item("{d}/a", KEY)], "files placed twice: {d}/a"),
    ([item("relative/a", KEY)], "dest relative/a is not an absolute path"),
    ([item("{d}/b", KEY), dict(item("{d}/a", KEY), content="not base64!")], "content of {d}/a is not base64"),
    ([item("{d}/b", KEY), dict(item("{d}/a", KEY), mode="rw")], "mode 'rw' of {d}/a is not an octal mode"),
])
def test_bad_input_is_refused_before_anything_is_written(tmp_path, files, message):
    where = str(tmp_path / "new")
    files = [dict(f, dest=f["dest"].format(d=where)) for f in files]
    with pytest.raises(NodeFilesError) as info:
        run(files)
    assert message.format(d=where) in info.value.message
    assert not os.path.exists(where)


def test_unknown_owner_is_named(tmp_path):
    with pytest.raises(NodeFilesError) as info:
        run([dict(item(tmp_path / "a.key", KEY), owner="no-such-user-caas")])
    assert "owner no-such-user-caas of %s does not exist" % (tmp_path / "a.key") in info.value.message


def test_a_directory_in_the_way_is_named(tmp_path):
    (tmp_path / "a.key").mkdir()
    with pytest.raises(NodeFilesError) as info:
        run([item(tmp_path / "a.key", KEY)])
    assert "is not a regular file" in info.value.message
