# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The real Kubernetes and etcd binaries built from their Go modules, from the shared cache.

scripts/build-k8s.sh (or a first role run) makes the cache; these tests reuse it and never rebuild it (they skip,
saying so, when it is missing). They check what the build promised: the role reuses a current entry with
changed=0 in seconds, every binary reports the stamped version and is static, the local source accepts the real
binaries, etcd serves on 127.0.0.1, the built kube-apiserver of each version serves from the built etcd and answers
the built kubectl (slow), and (slow) a changed input rebuilds from the warm Go caches without touching the network
(GOPROXY pointed at the module cache itself).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.artifacts import Request, ensure

from integration.polling import wait_for
from k8s_itest import (CACHE_DIR, ETCD_VERSION, GO, K8S, K8S_VERSIONS, need_cache, role_play, run_playbook,
                       task_results)


def out(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                          check=False).stdout.decode()


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_role_reuses_the_cache(tmp_path, version):
    need_cache("k8s", version)
    need_cache("etcd", ETCD_VERSION)
    variables = dict(caas_k8s_version=version, caas_cache_dir=CACHE_DIR)
    rc, data, seconds = run_playbook(tmp_path, role_play(**variables))
    assert rc == 0 and data["stats"]["localhost"]["changed"] == 0, data["stats"]
    assert seconds < 60, "reusing the cache took %.1fs" % seconds
    fact = task_results(data, "show fact")[0]["k8s_artifacts_cached"]
    assert fact["version"] == version and fact["source"] == "build"
    assert sorted(fact["binaries"]) == sorted(K8S)
    assert fact["etcd"]["version"] == ETCD_VERSION
    rc, data, seconds = run_playbook(tmp_path, role_play(**variables), check=True)
    assert rc == 0 and data["stats"]["localhost"]["changed"] == 0


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_binaries_report_the_stamped_version_and_are_static(version):
    manifest = need_cache("k8s", version)
    bindir = os.path.join(CACHE_DIR, "k8s", version, "bin")
    client = json.loads(out([os.path.join(bindir, "kubectl"), "version", "--client", "-o", "json"]))
    assert client["clientVersion"]["gitVersion"] == version
    assert client["clientVersion"]["minor"] == version.split(".")[1]
    for name in K8S[:-1]:
        assert out([os.path.join(bindir, name), "--version"]).strip() == "Kubernetes %s" % version
    for name in K8S:
        assert "not a dynamic executable" in out(["ldd", os.path.join(bindir, name)])
    assert manifest["inputs"]["go_version"].startswith("go1.") and manifest["go_sum_sha256"]
    assert sorted(manifest["binaries"]) == sorted(K8S) and manifest["seconds"] > 0


def test_local_source_accepts_the_real_binaries(tmp_path):
    need_cache("k8s", K8S_VERSIONS[0])
    bindir = os.path.join(CACHE_DIR, "k8s", K8S_VERSIONS[0], "bin")
    first = ensure(Request(source="local", version=K8S_VERSIONS[0], local_dir=bindir, cache_dir=str(tmp_path)))
    assert first["changed"] and sorted(os.listdir(first["bin_dir"])) == sorted(K8S)
    again = ensure(Request(source="local", version=K8S_VERSIONS[0], local_dir=bindir, cache_dir=str(tmp_path)))
    assert again["changed"] is False
    with pytest.raises(Exception, match="kube-apiserver reports %s" % K8S_VERSIONS[0]):
        ensure(Request(source="local", version=K8S_VERSIONS[1], local_dir=bindir, cache_dir=str(tmp_path)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def etcd_server(tmp_path):
    need_cache("etcd", ETCD_VERSION)
    bindir = os.path.join(CACHE_DIR, "etcd", ETCD_VERSION, "bin")
    client, peer = free_port(), free_port()
    proc = subprocess.Popen([
        os.path.join(bindir, "etcd"), "--name", "t", "--data-dir", str(tmp_path / "data"),
        "--listen-client-urls", "http://127.0.0.1:%d" % client, "--advertise-client-urls", "http://127.0.0.1:%d" % client,
        "--listen-peer-urls", "http://127.0.0.1:%d" % peer, "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % peer,
        "--initial-cluster", "t=http://127.0.0.1:%d" % peer], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield bindir, "http://127.0.0.1:%d" % client
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_built_etcd_serves(etcd_server):
    bindir, endpoint = etcd_server
    etcdctl = [os.path.join(bindir, "etcdctl"), "--endpoints", endpoint]
    assert "etcd Version: %s" % ETCD_VERSION[1:] in out([os.path.join(bindir, "etcd"), "--version"])
    deadline = time.time() + 30
    while "is healthy" not in out(etcdctl + ["endpoint", "health"]):
        assert time.time() < deadline, "etcd did not become healthy"
        time.sleep(0.5)
    assert out(etcdctl + ["put", "caas", "ok"]).strip() == "OK"
    assert out(etcdctl + ["get", "caas", "--print-value-only"]).strip() == "ok"
    assert ETCD_VERSION[1:] in out(etcdctl + ["version"])


@pytest.mark.slow
@pytest.mark.skipif(GO is None, reason="needs the go command")
def test_changed_input_rebuilds_from_warm_caches_offline(tmp_path, monkeypatch):
    """A fresh cache entry (kubectl only) sharing the real cache's GOMODCACHE and GOCACHE: a real `go build`,
    fed only from the module cache (GOPROXY=file://<GOMODCACHE>/cache/download, GOSUMDB off since the modules
    there were verified when first downloaded). Then the same request is a no-op."""
    need_cache("k8s", K8S_VERSIONS[0])
    os.symlink(os.path.join(CACHE_DIR, "go"), str(tmp_path / "go"))
    monkeypatch.setenv("GOSUMDB", "off")
    request = dict(source="build", version=K8S_VERSIONS[0], cache_dir=str(tmp_path), binaries=["kubectl"],
                   go_binary=GO, go_proxy="file://%s/go/mod/cache/download" % CACHE_DIR)
    started = time.time()
    first = ensure(Request(**request))
    took = time.time() - started
    sys.stderr.write("warm rebuild of kubectl %s: %.1fs\n" % (K8S_VERSIONS[0], took))
    assert first["changed"] and os.listdir(first["bin_dir"]) == ["kubectl"]
    assert '"gitVersion": "%s"' % K8S_VERSIONS[0] in out([first["binaries"]["kubectl"]["path"], "version",
                                                          "--client", "-o", "json"])
    started = time.time()
    assert ensure(Request(**request))["changed"] is False
    assert time.time() - started < 10


@pytest.mark.slow
@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_built_apiserver_serves_with_built_etcd(tmp_path, etcd_server, version):
    """Smoke test of the build itself: the built kube-apiserver on 127.0.0.1 stores into the built etcd, and the
    built kubectl talks to it (static token, self-signed serving cert, RBAC). Everything stops at the end."""
    need_cache("k8s", version)
    dummy, etcd_endpoint = etcd_server
    bindir = os.path.join(CACHE_DIR, "k8s", version, "bin")
    key = str(tmp_path / "sa.key")
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    (tmp_path / "tokens.csv").write_text('caas-test-token,admin,1,"system:masters"\n')
    port = free_port()
    log = open(str(tmp_path / "apiserver.log"), "w")
    proc = subprocess.Popen([
        os.path.join(bindir, "kube-apiserver"), "--etcd-servers", etcd_endpoint, "--bind-address", "127.0.0.1",
        "--advertise-address", "127.0.0.1", "--secure-port", str(port), "--cert-dir", str(tmp_path / "certs"),
        "--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", key,
        "--service-account-signing-key-file", key, "--token-auth-file", str(tmp_path / "tokens.csv"),
        "--authorization-mode", "Node,RBAC", "--anonymous-auth=false", "--service-cluster-ip-range", "10.96.0.0/24",
        "--enable-priority-and-fairness=false"], stdout=log, stderr=subprocess.STDOUT)
    kubectl = [os.path.join(bindir, "kubectl"), "--server", "https://127.0.0.1:%d" % port,
               "--insecure-skip-tls-verify", "--token", "caas-test-token"]
    try:
        wait_for(lambda: out(kubectl + ["get", "--raw", "/readyz"]).strip() == "ok", 90, "apiserver ready", interval=0.5)
        server = json.loads(out(kubectl + ["version", "-o", "json"]))["serverVersion"]
        assert server["gitVersion"] == version
        assert "configmap/caas created" in out(kubectl + ["create", "configmap", "caas", "--from-literal=k=v"])
        assert out(kubectl + ["get", "configmap", "caas", "-o", "jsonpath={.data.k}"]) == "v"
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with pytest.raises(urllib.error.HTTPError) as refused:  # --anonymous-auth=false
            urllib.request.urlopen("https://127.0.0.1:%d/api" % port, context=context, timeout=10)
        assert refused.value.code == 401
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
