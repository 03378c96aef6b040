# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""cluster_health: classification (the Ready check applies to workers only), the meltdown guard, and the
kubeconfig read for the apiserver probe."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.health import (
    _kubeconfig_secrets, classify, meltdown, ready_nodes_from_api,
)
from ansible_collections.ondemand.caas.plugins.module_utils.pki import kubeconfig


def vm(name, role, state="running"):
    return {"name": name, "state": state, "metadata": {"caas_role": role}}


def test_only_workers_are_judged_by_their_node():
    ready = ["w0"]
    assert classify(vm("w0", "worker"), True, ready) == ("healthy", "")
    assert classify(vm("w1", "worker"), True, ready) == ("unresponsive", "its Kubernetes node is not Ready")
    assert classify(vm("m0", "master"), True, ready) == ("healthy", "")
    assert classify(vm("r", "registry"), True, ready) == ("healthy", "")
    assert classify(vm("w1", "worker"), True, None) == ("healthy", "")
    assert classify(vm("m0", "master"), False, ready) == ("unresponsive", "no SSH answer")
    assert classify(vm("w0", "worker", "missing"), False, ready)[0] == "missing"


def test_meltdown_needs_both_count_and_share_within_the_window():
    now = 1000.0
    down = [{"health": "missing", "down_since": now - 10}] * 2
    up = [{"health": "healthy", "down_since": None}] * 2
    assert meltdown(down + up, now, 2, 50, 600) == (True, 2)
    assert meltdown(down + up, now, 3, 50, 600) == (False, 2)
    assert meltdown(down + up * 5, now, 2, 50, 600) == (False, 2)
    old = [{"health": "missing", "down_since": now - 700}] * 2
    assert meltdown(old + up, now, 2, 50, 600) == (False, 0)


def test_kubeconfig_credentials_are_read_from_cert_seed_output(tmp_path):
    path = tmp_path / "admin.conf"
    path.write_bytes(kubeconfig.render("c", "https://127.0.0.1:6443", "admin", b"CA PEM", b"CERT PEM", b"KEY PEM"))
    secrets = _kubeconfig_secrets(str(path))
    assert secrets == {"certificate-authority-data": b"CA PEM", "client-certificate-data": b"CERT PEM",
                       "client-key-data": b"KEY PEM"}


def test_no_kubeconfig_or_no_apiserver_means_unknown(tmp_path):
    assert ready_nodes_from_api(str(tmp_path / "absent.conf"), ["127.0.0.1"]) is None
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    import datetime
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, u"t")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = tmp_path / "admin.conf"
    path.write_bytes(kubeconfig.render("c", "https://127.0.0.1:6443", "admin", cert_pem, cert_pem, key_pem))
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert ready_nodes_from_api(str(path), ["127.0.0.1"], port=port, timeout=1) is None
