# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Real etcd (Debian's etcd-server, 3.4) as a two-member cluster on 127.0.0.1 with the seeded etcd server and
peer certificates, client and peer certificate auth on: it accepts the apiserver's etcd client certificate
(etcdctl and Python's ssl) and rejects a certificate from another CA, and one from the cluster CA."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

from pkirun import seed

pytestmark = pytest.mark.slow
ETCD = shutil.which("etcd")
ETCDCTL = shutil.which("etcdctl")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def https_get(port, path, ca, cert=None, key=None):
    context = ssl.create_default_context(cafile=ca)
    if cert:
        context.load_cert_chain(cert, key)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path).encode())
            data = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                data += chunk
    return data.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def etcd_cluster(request, tmp_path_factory):
    if not ETCD or not ETCDCTL:
        pytest.skip("etcd-server / etcd-client not installed (apt-get install etcd-server etcd-client)")
    base = tmp_path_factory.mktemp("etcd")
    seed(base, masters=2, workers=0)
    other = tmp_path_factory.mktemp("other")
    seed(other, masters=1, workers=0)
    root = base / "demo"
    members = {}
    for name in ("demo-m0", "demo-m1"):
        members[name] = {"client": free_port(), "peer": free_port()}
    initial = ",".join("%s=https://127.0.0.1:%d" % (n, m["peer"]) for n, m in members.items())
    procs = []

    def stop():
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    request.addfinalizer(stop)
    ca = str(root / "etcd" / "ca-bundle.crt")
    for name, ports in members.items():
        node = root / "nodes" / name
        log = open(str(base / (name + ".log")), "wb")
        request.addfinalizer(log.close)
        procs.append(subprocess.Popen([
            ETCD, "--name", name, "--data-dir", str(base / (name + ".data")),
            "--listen-client-urls", "https://127.0.0.1:%d" % ports["client"],
            "--advertise-client-urls", "https://127.0.0.1:%d" % ports["client"],
            "--listen-peer-urls", "https://127.0.0.1:%d" % ports["peer"],
            "--initial-advertise-peer-urls", "https://127.0.0.1:%d" % ports["peer"],
            "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", "pki-test",
            "--cert-file", str(node / "etcd-server.crt"), "--key-file", str(node / "etcd-server.key"),
            "--client-cert-auth", "--trusted-ca-file", ca,
            "--peer-cert-file", str(node / "etcd-peer.crt"), "--peer-key-file", str(node / "etcd-peer.key"),
            "--peer-client-cert-auth", "--peer-trusted-ca-file", ca,
        ], stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, ETCD_UNSUPPORTED_ARCH=os.environ.get(
            "ETCD_UNSUPPORTED_ARCH", ""))))
    client = (str(root / "apiserver-etcd-client.crt"), str(root / "apiserver-etcd-client.key"))
    deadline = time.time() + 60
    last = None
    while time.time() < deadline:
        try:
            body = https_get(members["demo-m0"]["client"], "/health", ca, *client)
            if '"health":"true"' in body.replace(" ", ""):
                break
            last = body
        except (OSError, ssl.SSLError) as exc:
            last = exc
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.5)
    else:
        logs = [(base / (n + ".log")).read_text()[-3000:] for n in members]
        pytest.fail("etcd did not become healthy: %s\n%s" % (last, "\n".join(logs)))
    if any(p.poll() is not None for p in procs):
        pytest.fail("etcd exited: %s" % [(base / (n + ".log")).read_text()[-3000:] for n in members])
    return {"root": root, "other": other / "demo", "members": members, "ca": ca, "client": client}


def etcdctl(cluster, *args, cert=None, key=None, timeout=10):
    endpoints = ",".join("https://127.0.0.1:%d" % m["client"] for m in cluster["members"].values())
    cert, key = cert or cluster["client"][0], key or cluster["client"][1]
    return subprocess.run([ETCDCTL, "--endpoints", endpoints, "--cacert", cluster["ca"], "--cert", cert,
                           "--key", key, "--dial-timeout", "%ds" % min(timeout, 5), "--command-timeout",
                           "%ds" % timeout] + list(args),
                          capture_output=True, text=True, timeout=60, env=dict(os.environ, ETCDCTL_API="3"))


def test_apiserver_client_cert_is_accepted(etcd_cluster):
    put = etcdctl(etcd_cluster, "put", "/registry/pki-test", "hello")
    assert put.returncode == 0, put.stderr
    get = etcdctl(etcd_cluster, "get", "/registry/pki-test", "--print-value-only")
    assert get.stdout.strip() == "hello"
    members = etcdctl(etcd_cluster, "member", "list", "-w", "json")
    assert len(json.loads(members.stdout)["members"]) == 2  # the peers trust each other's peer certs
    health = etcdctl(etcd_cluster, "endpoint", "health")
    assert health.returncode == 0 and health.stderr.count("is healthy") + health.stdout.count("is healthy") == 2


def test_healthcheck_client_is_accepted(etcd_cluster):
    root = etcd_cluster["root"]
    body = https_get(etcd_cluster["members"]["demo-m1"]["client"], "/health", etcd_cluster["ca"],
                     str(root / "etcd" / "healthcheck-client.crt"), str(root / "etcd" / "healthcheck-client.key"))
    assert "200 OK" in body


@pytest.mark.parametrize("who", ["other cluster's etcd CA", "cluster CA (not etcd's)"])
def test_foreign_client_cert_is_rejected(etcd_cluster, who):
    if who.startswith("other"):
        base = etcd_cluster["other"]
        cert, key = str(base / "apiserver-etcd-client.crt"), str(base / "apiserver-etcd-client.key")
    else:
        base = etcd_cluster["root"]
        cert, key = str(base / "apiserver-kubelet-client.crt"), str(base / "apiserver-kubelet-client.key")
    put = etcdctl(etcd_cluster, "put", "/registry/evil", "x", cert=cert, key=key, timeout=2)  # retries until then
    assert put.returncode != 0
    with pytest.raises((ssl.SSLError, OSError)):
        body = https_get(etcd_cluster["members"]["demo-m0"]["client"], "/health", etcd_cluster["ca"], cert, key)
        if not body:
            raise OSError("connection closed without an answer")
    get = etcdctl(etcd_cluster, "get", "/registry/evil", "--print-value-only")
    assert get.returncode == 0 and get.stdout.strip() == ""


def test_client_without_cert_is_rejected(etcd_cluster):
    with pytest.raises((ssl.SSLError, OSError)):
        body = https_get(etcd_cluster["members"]["demo-m0"]["client"], "/health", etcd_cluster["ca"])
        if not body:
            raise OSError("connection closed without an answer")
