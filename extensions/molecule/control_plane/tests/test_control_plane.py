# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""k8s_artifacts, etcd and master on a real master VM: units, files and modes, what listens where, who is let in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from molecule_probe import ETCD_BIN, K8S_BIN, K8S_VERSION, https_status, kubectl, listening, pki_dir

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.cache import sha256_file

testinfra_hosts = ["ansible://mcp_masters"]

CLUSTER = "mcp"
IP = "10.241.5.10"
NODE = "mcp-master-0"
PKI = pki_dir(CLUSTER)
UNITS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")


def test_units_run_enabled_from_root_owned_0644_files(host):
    for unit in UNITS:
        service = host.service(unit)
        assert service.is_running and service.is_enabled, unit
        f = host.file("/etc/systemd/system/%s.service" % unit)
        assert (f.mode, f.user) == (0o644, "root"), unit


def test_binaries_are_the_cached_build(host):
    for directory, names in ((K8S_BIN, ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"]),
                             (ETCD_BIN, ["etcd", "etcdctl"])):
        for name in names:
            f = host.file("/usr/local/bin/" + name)
            assert f.mode == 0o755 and f.sha256sum == sha256_file(os.path.join(directory, name)), name
    assert host.check_output("/usr/local/bin/kube-apiserver --version") == "Kubernetes " + K8S_VERSION


def test_ports_listen_only_where_they_should(host):
    assert listening(host) == {
        "0.0.0.0:22", "[::]:22",                                        # sshd
        IP + ":2379", "127.0.0.1:2379", IP + ":2380", "127.0.0.1:2381",  # etcd client, peer, metrics
        "*:6443",                                                       # kube-apiserver (bind-address 0.0.0.0)
        "127.0.0.1:10257", "127.0.0.1:10259",                            # controller-manager, scheduler: local only
    }


def test_etcd_data_is_private_on_the_persistent_disk(host):
    assert host.mount_point("/var/vcap/store").exists
    data = host.file("/var/vcap/store/etcd")
    assert data.is_directory and data.mode == 0o700 and host.file("/var/vcap/store/etcd/member").is_directory
    env = host.file("/etc/kubernetes/etcdctl.env")
    assert (env.mode, env.user) == (0o600, "root")


def test_etcd_is_healthy_and_wants_a_client_certificate():
    ca = os.path.join(PKI, "etcd", "ca-bundle.crt")
    client = (os.path.join(PKI, "etcd", "healthcheck-client.crt"), os.path.join(PKI, "etcd", "healthcheck-client.key"))
    status, body = https_status("https://%s:2379/health" % IP, ca, client)
    assert status == 200 and json.loads(body)["health"] == "true", body
    status, body = https_status("https://%s:2379/health" % IP, ca)
    assert status is None, "etcd answered a client without a certificate: %s %s" % (status, body)


def test_the_apiserver_is_ready_and_refuses_anonymous_requests():
    assert kubectl(CLUSTER, IP, "get", "--raw", "/readyz").strip() == "ok"
    status, body = https_status("https://%s:6443/version" % IP, os.path.join(PKI, "ca-bundle.crt"))
    assert status == 401, body


def test_controller_manager_and_scheduler_lead_from_this_node():
    for component in ("kube-controller-manager", "kube-scheduler"):
        lease = json.loads(kubectl(CLUSTER, IP, "-n", "kube-system", "get", "lease", component, "-o", "json"))
        assert lease["spec"]["holderIdentity"].startswith(NODE + "_"), lease["spec"]


def test_the_apiserver_may_use_every_kubelet_api():
    binding = json.loads(kubectl(CLUSTER, IP, "get", "clusterrolebinding", "caas:kube-apiserver-kubelet-client", "-o", "json"))
    assert binding["roleRef"]["name"] == "system:kubelet-api-admin"
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                    "name": "kube-apiserver-kubelet-client"}]
