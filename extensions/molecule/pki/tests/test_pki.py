# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""What the pki role left on a real master VM and a real worker VM (testinfra over SSH, hosts from ondemand.caas.cpi)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import os

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

testinfra_hosts = ["ansible://mpki_masters", "ansible://mpki_workers"]

CLUSTER = "mpki"
PKI_DIR = os.path.join(os.environ.get("CAAS_MOLECULE_DIR", "/var/tmp/caas-molecule/pki"), "pki", CLUSTER)
K = "/etc/kubernetes"
P = K + "/pki"
KUBELET = "/var/lib/kubelet/pki"

# (path on the node, file in the controller's PKI dir ({node} = the node's name), mode)
COMMON = [
    (P + "/ca-bundle.crt", "ca-bundle.crt", 0o644),
    (K + "/kubelet.conf", "nodes/{node}/kubelet.conf", 0o600),
    (K + "/kube-proxy.conf", "kube-proxy.conf", 0o600),
    (KUBELET + "/kubelet.crt", "nodes/{node}/kubelet.crt", 0o644),
    (KUBELET + "/kubelet.key", "nodes/{node}/kubelet.key", 0o600),
]
MASTER_ONLY = [
    (P + "/ca.crt", "ca.crt", 0o644),
    (P + "/ca.key", "ca.key", 0o600),
    (P + "/front-proxy-ca-bundle.crt", "front-proxy-ca-bundle.crt", 0o644),
    (P + "/apiserver.crt", "apiserver.crt", 0o644),
    (P + "/apiserver.key", "apiserver.key", 0o600),
    (P + "/apiserver-kubelet-client.crt", "apiserver-kubelet-client.crt", 0o644),
    (P + "/apiserver-kubelet-client.key", "apiserver-kubelet-client.key", 0o600),
    (P + "/apiserver-etcd-client.crt", "apiserver-etcd-client.crt", 0o644),
    (P + "/apiserver-etcd-client.key", "apiserver-etcd-client.key", 0o600),
    (P + "/front-proxy-client.crt", "front-proxy-client.crt", 0o644),
    (P + "/front-proxy-client.key", "front-proxy-client.key", 0o600),
    (P + "/sa.key", "sa.key", 0o600),
    (P + "/sa.pub", "sa.pub", 0o644),
    (P + "/etcd/ca-bundle.crt", "etcd/ca-bundle.crt", 0o644),
    (P + "/etcd/server.crt", "nodes/{node}/etcd-server.crt", 0o644),
    (P + "/etcd/server.key", "nodes/{node}/etcd-server.key", 0o600),
    (P + "/etcd/peer.crt", "nodes/{node}/etcd-peer.crt", 0o644),
    (P + "/etcd/peer.key", "nodes/{node}/etcd-peer.key", 0o600),
    (P + "/etcd/healthcheck-client.crt", "etcd/healthcheck-client.crt", 0o644),
    (P + "/etcd/healthcheck-client.key", "etcd/healthcheck-client.key", 0o600),
    (K + "/admin.conf", "admin.conf", 0o600),
    (K + "/controller-manager.conf", "controller-manager.conf", 0o600),
    (K + "/scheduler.conf", "scheduler.conf", 0o600),
]
# (leaf, issuing CA bundle on the node, key) checked on every node of that role
MASTER_CHAINS = [
    (P + "/apiserver.crt", P + "/ca-bundle.crt", P + "/apiserver.key"),
    (P + "/apiserver-kubelet-client.crt", P + "/ca-bundle.crt", P + "/apiserver-kubelet-client.key"),
    (P + "/front-proxy-client.crt", P + "/front-proxy-ca-bundle.crt", P + "/front-proxy-client.key"),
    (P + "/etcd/server.crt", P + "/etcd/ca-bundle.crt", P + "/etcd/server.key"),
    (P + "/etcd/peer.crt", P + "/etcd/ca-bundle.crt", P + "/etcd/peer.key"),
    (P + "/apiserver-etcd-client.crt", P + "/etcd/ca-bundle.crt", P + "/apiserver-etcd-client.key"),
]
COMMON_CHAINS = [(KUBELET + "/kubelet.crt", P + "/ca-bundle.crt", KUBELET + "/kubelet.key")]


def node(host):
    return host.ansible.get_variables()


def expected_files(host):
    return COMMON + (MASTER_ONLY if node(host)["caas_role"] == "master" else [])


def controller_file(src, name):
    with open(os.path.join(PKI_DIR, src.format(node=name)), "rb") as handle:
        return handle.read()


def certificates(pem):
    return x509.load_pem_x509_certificates(pem)


def verify_signed_by(leaf, issuers):
    for issuer in issuers:
        if issuer.subject != leaf.issuer:
            continue
        public = issuer.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(leaf.signature, leaf.tbs_certificate_bytes, ec.ECDSA(leaf.signature_hash_algorithm))
        else:
            public.verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(), leaf.signature_hash_algorithm)
        return issuer
    raise AssertionError("%s is not issued by any of %s" % (leaf.subject, [i.subject for i in issuers]))


def test_the_node_is_the_vm_the_cpi_made(host):
    facts = node(host)
    assert host.check_output("hostname") == facts["caas_name"]
    assert facts["caas_vm_state"] == "running"
    assert facts["caas_ip"] in host.interface("eth0").addresses


def test_ssh_is_the_only_thing_listening_and_runs(host):
    assert host.service("ssh").is_running
    assert host.socket("tcp://0.0.0.0:22").is_listening
    # no Kubernetes service is installed yet, so the role restarted nothing
    for port in (2379, 6443, 10250):
        assert not host.socket("tcp://0.0.0.0:%d" % port).is_listening


def test_directories_are_0755_root(host):
    dirs = {P, KUBELET} | ({P + "/etcd"} if node(host)["caas_role"] == "master" else set())
    for path in dirs:
        d = host.file(path)
        assert d.is_directory and d.mode == 0o755 and d.user == "root", path


def test_every_file_is_there_with_its_mode_and_the_controllers_content(host):
    name = node(host)["caas_name"]
    for path, src, mode in expected_files(host):
        f = host.file(path)
        assert f.is_file, path
        assert (f.mode, f.user, f.group) == (mode, "root", "root"), path
        assert f.sha256sum == hashlib.sha256(controller_file(src, name)).hexdigest(), path


def test_nothing_else_was_placed(host):
    want = sorted(entry[0] for entry in expected_files(host))
    found = host.check_output("find %s %s -type f | sort", K, KUBELET).splitlines()
    assert found == want


def test_a_worker_never_gets_a_ca_key_or_another_nodes_key(host):
    facts = node(host)
    if facts["caas_role"] != "worker":
        pytest.skip("worker only")
    for path in ("ca.key", "sa.key", "apiserver.key", "etcd/server.key", "etcd/peer.key", "front-proxy-client.key"):
        assert not host.file(P + "/" + path).exists, path
    # No byte of any CA key or master key is anywhere on the worker's disk.
    secrets = ["ca.key", "sa.key", "apiserver.key", "etcd/healthcheck-client.key"]
    for master in [n for n in os.listdir(os.path.join(PKI_DIR, "nodes")) if n != facts["caas_name"]]:
        secrets += ["nodes/%s/kubelet.key" % master, "nodes/%s/etcd-server.key" % master]
    for src in secrets:
        body = [line for line in controller_file(src, "").decode().splitlines() if line and not line.startswith("-----")]
        probe = host.run("grep -rlF -- %s /etc /var /root /tmp", body[0])
        assert probe.rc == 1, "%s found on the worker in %s" % (src, probe.stdout)


def test_certificates_are_valid_and_chain_to_the_bundles(host):
    facts = node(host)
    chains = COMMON_CHAINS + (MASTER_CHAINS if facts["caas_role"] == "master" else [])
    now = datetime.datetime.now(datetime.timezone.utc)
    for leaf_path, bundle_path, key_path in chains:
        leaf = certificates(host.file(leaf_path).content)[0]
        bundle = certificates(host.file(bundle_path).content)
        assert leaf.not_valid_before_utc <= now < leaf.not_valid_after_utc, leaf_path
        issuer = verify_signed_by(leaf, bundle)
        assert issuer.not_valid_before_utc <= now < issuer.not_valid_after_utc
        assert issuer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        key = serialization.load_pem_private_key(host.file(key_path).content, password=None)
        assert key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
            leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo), key_path


def test_serving_certificates_name_this_node(host):
    facts = node(host)
    paths = [KUBELET + "/kubelet.crt"] + ([P + "/etcd/server.crt", P + "/etcd/peer.crt"] if facts["caas_role"] == "master" else [])
    for path in paths:
        san = certificates(host.file(path).content)[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert facts["caas_ip"] in [str(ip) for ip in san.get_values_for_type(x509.IPAddress)], path
        assert facts["caas_name"] in san.get_values_for_type(x509.DNSName), path


def test_the_kubelet_client_identity_is_this_node(host):
    facts = node(host)
    conf = host.file(K + "/kubelet.conf").content_string
    data = yaml.safe_load(conf)
    assert data["clusters"][0]["cluster"]["server"].startswith("https://")
    cert = x509.load_pem_x509_certificate(base64.b64decode(data["users"][0]["user"]["client-certificate-data"]))
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    org = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)]
    assert cn == "system:node:%s" % facts["caas_name"] and org == ["system:nodes"]


def test_keys_are_the_seeded_algorithm(host):
    # pki_seed_key_type defaults to ecdsa-p256
    key = serialization.load_pem_private_key(host.file(KUBELET + "/kubelet.key").content, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
