# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Real clients judge the seeded certificates: ``openssl verify`` for every leaf against its CA bundle,
and TLS handshakes on loopback (Python's ssl and ``openssl s_client``) against a server using each serving
certificate, with and without client certificates. The rsa-2048 PKI is proven here the same way (openssl and a
mutual TLS handshake); a real etcd runs on the default key type only (test_etcd.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import ssl
import subprocess
import time

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.pki import crypto
from ansible_collections.ondemand.caas.plugins.module_utils.pki.info import scan_directory, scan_endpoints
from ansible_collections.ondemand.caas.plugins.module_utils.pki.spec import ClusterInput, cert_specs

from pkirun import cluster_args
from tlsserver import TlsServer

BUNDLE = {"kubernetes": "ca-bundle.crt", "etcd": "etcd/ca-bundle.crt", "front-proxy": "front-proxy-ca-bundle.crt"}
WRONG = {"kubernetes": "etcd/ca-bundle.crt", "etcd": "ca-bundle.crt", "front-proxy": "ca-bundle.crt"}
SPECS = cert_specs(ClusterInput(**cluster_args(masters=2, workers=2)))
SERVING = [s for s in SPECS if "server" in s.usages]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_openssl_verify_every_leaf(pki, openssl, spec):
    _base, root = pki
    purposes = ["sslserver" if u == "server" else "sslclient" for u in spec.usages]
    for purpose in purposes:
        ok = subprocess.run([openssl, "verify", "-x509_strict", "-purpose", purpose, "-CAfile",
                             str(root / BUNDLE[spec.ca]), str(root / (spec.name + ".crt"))],
                            capture_output=True, text=True)
        assert ok.returncode == 0 and ": OK" in ok.stdout, ok.stdout + ok.stderr
    wrong = subprocess.run([openssl, "verify", "-CAfile", str(root / WRONG[spec.ca]), str(root / (spec.name + ".crt"))],
                           capture_output=True, text=True)
    assert wrong.returncode != 0
    if "server" not in spec.usages:  # a client certificate must not pass as a server
        bad = subprocess.run([openssl, "verify", "-purpose", "sslserver", "-CAfile", str(root / BUNDLE[spec.ca]),
                              str(root / (spec.name + ".crt"))], capture_output=True, text=True)
        assert bad.returncode != 0


def test_openssl_verify_kubeconfig_ca_and_keys(pki, openssl):
    _base, root = pki
    for rel in ("ca", "etcd/ca", "front-proxy-ca"):
        out = subprocess.run([openssl, "x509", "-noout", "-ext", "basicConstraints,keyUsage", "-in",
                              str(root / (rel + ".crt"))], capture_output=True, text=True)
        assert "CA:TRUE" in out.stdout and "Certificate Sign" in out.stdout, out.stdout
    for spec in SPECS:
        pub_cert = subprocess.run([openssl, "x509", "-noout", "-pubkey", "-in", str(root / (spec.name + ".crt"))],
                                  capture_output=True, check=True).stdout
        pub_key = subprocess.run([openssl, "pkey", "-pubout", "-in", str(root / (spec.name + ".key"))],
                                 capture_output=True, check=True).stdout
        assert pub_cert == pub_key, spec.name


def _hostname_for(spec):
    return spec.dns[0] if spec.dns else str(spec.ips[0])


@pytest.mark.parametrize("spec", SERVING, ids=lambda s: s.name)
def test_handshake_python_and_s_client(pki, openssl, spec):
    _base, root = pki
    ca = str(root / BUNDLE[spec.ca])
    with TlsServer(root / (spec.name + ".crt"), root / (spec.name + ".key")) as server:
        for name in list(spec.dns) + [str(i) for i in spec.ips if i.version == 4]:
            context = ssl.create_default_context(cafile=ca)
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                with context.wrap_socket(sock, server_hostname=name) as tls:
                    assert tls.recv(3) == b"ok\n"
        flag = ["-verify_ip", str(spec.ips[0])] if not spec.dns else ["-verify_hostname", spec.dns[-1]]
        proc = subprocess.run([openssl, "s_client", "-connect", "127.0.0.1:%d" % server.port, "-CAfile", ca,
                               "-verify_return_error", "-servername", _hostname_for(spec)] + flag,
                              input="", capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0 and "Verify return code: 0 (ok)" in proc.stdout, proc.stdout + proc.stderr
        # a name that is not in the certificate is refused by both clients
        context = ssl.create_default_context(cafile=ca)
        with pytest.raises(ssl.SSLCertVerificationError):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                context.wrap_socket(sock, server_hostname="not-in-the-cert.example")
        proc = subprocess.run([openssl, "s_client", "-connect", "127.0.0.1:%d" % server.port, "-CAfile", ca,
                               "-verify_return_error", "-verify_hostname", "not-in-the-cert.example"],
                              input="", capture_output=True, text=True, timeout=30)
        assert proc.returncode != 0


@pytest.mark.parametrize("server_name, client_name, accepted", [
    ("nodes/demo-w1/kubelet", "apiserver-kubelet-client", True),      # apiserver -> kubelet
    ("apiserver", "nodes/demo-w1/kubelet-client", True),              # kubelet -> apiserver
    ("apiserver", "admin", True),
    ("apiserver", "apiserver-etcd-client", False),                    # etcd CA is not trusted by the apiserver
    ("nodes/demo-m0/etcd-peer", "nodes/demo-m1/etcd-peer", True),     # etcd peers
])
def test_mutual_tls(pki, openssl, server_name, client_name, accepted):
    _base, root = pki
    specs = dict((s.name, s) for s in SPECS)
    server_ca = str(root / BUNDLE[specs[server_name].ca])
    client_ca = str(root / BUNDLE[specs[server_name].ca])
    with TlsServer(root / (server_name + ".crt"), root / (server_name + ".key"), client_ca=client_ca) as server:
        context = ssl.create_default_context(cafile=server_ca)
        context.check_hostname = False
        context.load_cert_chain(str(root / (client_name + ".crt")), str(root / (client_name + ".key")))
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                with context.wrap_socket(sock) as tls:
                    got = tls.recv(3)
        except (ssl.SSLError, OSError):
            got = b""
        assert (got == b"ok\n") == accepted, server.errors
        if accepted:
            assert server.peers[-1]["commonName"] == specs[client_name].cn
        seen = len(server.peers)
        proc = subprocess.run([openssl, "s_client", "-connect", "127.0.0.1:%d" % server.port, "-CAfile", server_ca,
                               "-cert", str(root / (client_name + ".crt")), "-key", str(root / (client_name + ".key")),
                               "-verify_return_error", "-ign_eof"], input="", capture_output=True, text=True, timeout=30)
        deadline = time.time() + 5
        while accepted and len(server.peers) == seen and time.time() < deadline:
            time.sleep(0.05)
        # the server side judges: it records the subject of every client certificate it accepted
        got_peer = [p["commonName"] for p in server.peers[seen:] if p]
        assert (got_peer == [specs[client_name].cn]) == accepted, (proc.stdout[-500:], server.errors)


def test_cert_info_directory_and_endpoint(pki):
    _base, root = pki
    found = dict((c["source"], c) for c in scan_directory(str(root)))
    assert found["apiserver.crt"]["issuer"] == "CN=kubernetes" and found["apiserver.crt"]["days_left"] >= 363
    assert found["ca.crt"]["is_ca"] and found["ca.crt"]["days_left"] > 3600
    assert "admin.conf:client-certificate-data[0]" in found
    assert not [c for c in found.values() if c["expiring"]]
    with TlsServer(root / "apiserver.crt", root / "apiserver.key") as server:
        live = scan_endpoints([{"host": "127.0.0.1", "port": server.port, "name": "apiserver"}],
                              ca_file=str(root / "ca-bundle.crt"))
        wrong = scan_endpoints([{"host": "127.0.0.1", "port": server.port}], ca_file=str(root / "etcd/ca-bundle.crt"))
    assert live[0]["source"] == "apiserver" and live[0]["verified"] is True
    assert live[0]["sha256"] == found["apiserver.crt"]["sha256"]
    assert wrong[0]["verified"] is False and "verify" in wrong[0]["verify_error"]


def test_rsa_2048_pki_verifies_and_does_mutual_tls(pki_rsa, openssl):
    _base, root = pki_rsa
    for ca, bundle in BUNDLE.items():
        leaves = [str(root / (s.name + ".crt")) for s in SPECS if s.ca == ca]
        proc = subprocess.run([openssl, "verify", "-x509_strict", "-CAfile", str(root / bundle)] + leaves,
                              capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout.count(": OK") == len(leaves), proc.stdout + proc.stderr
    for spec in SPECS:
        cert = crypto.load_cert((root / (spec.name + ".crt")).read_bytes(), spec.name)
        assert crypto.describe(cert)["key_type"] == "rsa-2048", spec.name
    pub_cert = subprocess.run([openssl, "x509", "-noout", "-pubkey", "-in", str(root / "apiserver.crt")],
                              capture_output=True, check=True).stdout
    pub_key = subprocess.run([openssl, "pkey", "-pubout", "-in", str(root / "apiserver.key")],
                             capture_output=True, check=True).stdout
    assert pub_cert == pub_key
    # etcd's own handshake: its serving certificate, and the apiserver's etcd client certificate, both RSA
    ca = str(root / "etcd/ca-bundle.crt")
    with TlsServer(root / "nodes/demo-m0/etcd-server.crt", root / "nodes/demo-m0/etcd-server.key",
                   client_ca=ca) as server:
        context = ssl.create_default_context(cafile=ca)
        context.load_cert_chain(str(root / "apiserver-etcd-client.crt"), str(root / "apiserver-etcd-client.key"))
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
                assert tls.recv(3) == b"ok\n"
        assert server.peers[-1]["commonName"] == "kube-apiserver-etcd-client"
