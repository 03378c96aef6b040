# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The pki role, run for real by ansible-playbook against three local hosts (a master, a worker and a
registry), each with its own ``pki_dest_root``: exactly the right files, owners and modes, no secret in
the output, and restarts notified only on change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import stat
import sys

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.pki import crypto

from pkirun import ansible_playbook, seed

pytestmark = pytest.mark.slow

PKI = "/etc/kubernetes/pki/"
EXPECTED = {
    "master": set(PKI + f for f in (
        "ca-bundle.crt", "front-proxy-ca-bundle.crt", "etcd/ca-bundle.crt", "ca.crt", "ca.key",
        "apiserver.crt", "apiserver.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key",
        "apiserver-etcd-client.crt", "apiserver-etcd-client.key", "front-proxy-client.crt", "front-proxy-client.key",
        "sa.key", "sa.pub", "etcd/server.crt", "etcd/server.key", "etcd/peer.crt", "etcd/peer.key",
        "etcd/healthcheck-client.crt", "etcd/healthcheck-client.key")) | set(
        "/etc/kubernetes/%s.conf" % c for c in ("admin", "controller-manager", "scheduler", "kube-proxy", "kubelet")) | {
        "/var/lib/kubelet/pki/kubelet.crt", "/var/lib/kubelet/pki/kubelet.key"},
    "worker": {PKI + "ca-bundle.crt", "/etc/kubernetes/kube-proxy.conf", "/etc/kubernetes/kubelet.conf",
               "/var/lib/kubelet/pki/kubelet.crt", "/var/lib/kubelet/pki/kubelet.key"},
    "registry": {PKI + "ca-bundle.crt", "/etc/ondemand-caas/registry/registry.crt",
                 "/etc/ondemand-caas/registry/registry.key"},
}
HOSTS = {"demo-m1": "master", "demo-w1": "worker", "demo-r0": "registry"}
PLAYBOOK = """
- name: Place certificates
  hosts: all
  gather_facts: false
  roles:
    - ondemand.caas.pki
  post_tasks:
    - name: Record the restarts the role asked for
      ansible.builtin.copy:
        content: "{{ pki_restarted_services | default([]) | to_json }}"
        dest: "{{ pki_dest_root }}.restarted.json"
        mode: "0600"
      changed_when: false
"""


@pytest.fixture(scope="module")
def lab(pki, tmp_path_factory):
    pki_dir, _cluster_dir = pki
    work = tmp_path_factory.mktemp("role")
    lines = ["[all]"]
    for host, role in HOSTS.items():
        lines.append("%s ansible_connection=local ansible_python_interpreter=%s caas_role=%s caas_name=%s "
                     "caas_cluster=demo caas_ip=127.0.0.1 caas_pki_dir=%s pki_dest_root=%s/ pki_manage_services=false"
                     % (host, sys.executable, role, host, pki_dir, work / host))
    (work / "inventory.ini").write_text(u"\n".join(lines) + u"\n")
    (work / "site.yml").write_text(PLAYBOOK)
    return work


def run(lab, **kw):
    out, raw = ansible_playbook(str(lab / "site.yml"), str(lab / "inventory.ini"), **kw)
    assert out["rc"] == 0, raw
    restarted = {}
    for host in HOSTS:
        with open(str(lab / host) + "/.restarted.json") as handle:
            restarted[host] = json.load(handle)
    return out["stats"], restarted, raw


def placed(lab, host):
    root = str(lab / host)
    found = {}
    for top, _dirs, files in os.walk(root):
        for name in files:
            if name != ".restarted.json":
                path = os.path.join(top, name)
                found["/" + os.path.relpath(path, root)] = os.stat(path)
    return found


def test_role_places_exactly_what_each_node_needs(lab, pki, monkeypatch):
    monkeypatch.setenv("ANSIBLE_VERBOSITY", "3")  # results with their module arguments: still no secret in them
    stats, restarted, raw = run(lab, diff=True)
    assert "PRIVATE KEY" not in raw and "client-key-data" not in raw
    assert "LS0tLS1CRUdJTi" not in raw  # base64 of "-----BEGIN", as node_files's content argument would carry it
    for host, role in HOSTS.items():
        files = placed(lab, host)
        assert set(files) == EXPECTED[role], (host, sorted(set(files) ^ EXPECTED[role]))
        for path, st in files.items():
            secret = path.endswith(".key") or path.endswith(".conf")
            assert stat.S_IMODE(st.st_mode) == (0o600 if secret else 0o644), path
            assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())
        assert stats[host]["changed"] > 0
    assert restarted["demo-m1"] == ["etcd", "kube-apiserver", "kube-controller-manager", "kube-proxy",
                                    "kube-scheduler", "kubelet"]
    assert restarted["demo-w1"] == ["kube-proxy", "kubelet"]
    assert restarted["demo-r0"] == ["registry"]


def test_worker_gets_only_its_own_identity(lab, pki):
    _pki_dir, cluster_dir = pki
    root = str(lab / "demo-w1")
    keys = [p for p in placed(lab, "demo-w1") if p.endswith(".key")]
    assert keys == ["/var/lib/kubelet/pki/kubelet.key"]
    with open(root + "/var/lib/kubelet/pki/kubelet.key", "rb") as h1, \
            open(str(cluster_dir / "nodes" / "demo-w1" / "kubelet.key"), "rb") as h2:
        assert h1.read() == h2.read()
    with open(root + "/var/lib/kubelet/pki/kubelet.crt", "rb") as handle:
        assert crypto.describe(crypto.load_cert(handle.read(), "kubelet.crt"))["common_name"] == "demo-w1"
    with open(root + "/etc/kubernetes/kubelet.conf") as handle:
        conf = handle.read()
    cert_line = [l for l in conf.splitlines() if "client-certificate-data" in l][0]
    client = crypto.load_cert(base64.b64decode(cert_line.split(":", 1)[1].strip()), "kubelet.conf")
    assert crypto.describe(client)["subject"] == "CN=system:node:demo-w1,O=system:nodes"
    # no other node's identity and no CA key anywhere on the worker
    ca_keys = [(cluster_dir / rel).read_bytes() for rel in ("ca.key", "etcd/ca.key", "front-proxy-ca.key")]
    others = [(cluster_dir / "nodes" / n / "kubelet.key").read_bytes() for n in ("demo-w0", "demo-m0", "demo-m1")]
    for path in placed(lab, "demo-w1"):
        with open(root + path, "rb") as handle:
            data = handle.read()
        for secret in ca_keys + others:
            assert secret not in data and base64.b64encode(secret) not in data, path


def test_second_run_with_a_new_node_elsewhere_changes_nothing_here(lab, pki):
    # one run proves both: nothing placed again, and another node's new files touch nothing here
    pki_dir, _ = pki
    seed(pki_dir, masters=2, workers=3)
    stats, restarted, _raw = run(lab)
    assert all(stats[h]["changed"] == 0 for h in HOSTS), stats
    assert restarted == {"demo-m1": [], "demo-w1": [], "demo-r0": []}


def test_rotated_leaf_restarts_only_its_service_on_its_node(lab, pki):
    pki_dir, _ = pki
    seed(pki_dir, masters=2, workers=3, rotate_leaves=["nodes/demo-w1/kubelet", "nodes/demo-m1/etcd-peer"])
    stats, restarted, _raw = run(lab)
    assert restarted == {"demo-m1": ["etcd"], "demo-w1": ["kubelet"], "demo-r0": []}
    assert stats["demo-r0"]["changed"] == 0


def test_check_mode_reports_but_does_not_write(lab, pki):
    pki_dir, _ = pki
    seed(pki_dir, masters=2, workers=3, rotate_leaves=["registry"])
    before = dict((p, s.st_mtime_ns) for p, s in placed(lab, "demo-r0").items())
    stats, _restarted, _raw = run(lab, check=True)
    assert stats["demo-r0"]["changed"] > 0
    assert dict((p, s.st_mtime_ns) for p, s in placed(lab, "demo-r0").items()) == before
