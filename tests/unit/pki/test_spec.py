# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The cert set as data: SANs, subjects, usages (kubeadm's set as the reference), and input validation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import InvalidInput
from ansible_collections.ondemand.caas.plugins.module_utils.pki.spec import ClusterInput, cert_specs, kubeconfig_specs


from pkitools import cluster_args


def _specs(**kw):
    return dict((s.name, s) for s in cert_specs(ClusterInput(**cluster_args(**kw))))


def ips(*values):
    return set(ipaddress.ip_address(v) for v in values)


def test_apiserver_sans():
    s = _specs(masters=3)["apiserver"]
    assert set(s.dns) >= {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                          "kubernetes.default.svc.cluster.local", "demo-m0", "demo-m1", "demo-m2", "api.demo.example"}
    assert set(s.ips) == ips("10.96.0.1", "127.0.0.1", "10.10.0.10", "10.10.0.11", "10.10.0.12", "192.0.2.10")
    assert s.usages == ("server",) and s.ca == "kubernetes"


def test_service_ip_and_domain_follow_input():
    s = _specs(service_cidr="172.20.0.0/16", cluster_domain="corp.internal")["apiserver"]
    assert ipaddress.ip_address("172.20.0.1") in s.ips
    assert "kubernetes.default.svc.corp.internal" in s.dns


def test_kubeadm_set_and_usages():
    specs = _specs(masters=2, workers=1)
    expected = {
        "apiserver-kubelet-client": ("kubernetes", "kube-apiserver-kubelet-client", ("system:masters",), ("client",)),
        "apiserver-etcd-client": ("etcd", "kube-apiserver-etcd-client", (), ("client",)),
        "etcd/healthcheck-client": ("etcd", "kube-etcd-healthcheck-client", (), ("client",)),
        "front-proxy-client": ("front-proxy", "front-proxy-client", (), ("client",)),
        "controller-manager": ("kubernetes", "system:kube-controller-manager", (), ("client",)),
        "scheduler": ("kubernetes", "system:kube-scheduler", (), ("client",)),
        "admin": ("kubernetes", "kubernetes-admin", ("system:masters",), ("client",)),
        "kube-proxy": ("kubernetes", "system:kube-proxy", ("system:node-proxier",), ("client",)),
        "nodes/demo-m1/etcd-server": ("etcd", "demo-m1", (), ("server", "client")),
        "nodes/demo-m1/etcd-peer": ("etcd", "demo-m1", (), ("server", "client")),
        "nodes/demo-w0/kubelet": ("kubernetes", "demo-w0", (), ("server",)),
        "nodes/demo-w0/kubelet-client": ("kubernetes", "system:node:demo-w0", ("system:nodes",), ("client",)),
        "nodes/demo-m0/kubelet-client": ("kubernetes", "system:node:demo-m0", ("system:nodes",), ("client",)),
        "registry": ("kubernetes", "registry.demo.example", (), ("server",)),
    }
    for name, (ca, cn, orgs, usages) in expected.items():
        s = specs[name]
        assert (s.ca, s.cn, s.orgs, s.usages) == (ca, cn, orgs, usages), name
    # workers run no etcd
    assert not [n for n in specs if n.startswith("nodes/demo-w0/etcd")]
    assert len(specs) == 9 + 2 * 2 + 3 * 2 + 1


def test_node_sans():
    specs = _specs(masters=1)
    etcd = specs["nodes/demo-m0/etcd-server"]
    assert set(etcd.dns) == {"demo-m0", "localhost"}
    assert set(etcd.ips) == ips("10.10.0.10", "127.0.0.1", "::1")
    kubelet = specs["nodes/demo-w1/kubelet"]
    assert set(kubelet.dns) == {"demo-w1"} and set(kubelet.ips) == ips("10.10.1.11")
    reg = specs["registry"]
    assert set(reg.dns) == {"demo-r0", "registry.demo.example"} and set(reg.ips) == ips("10.10.2.10")
    assert not specs["admin"].dns and not specs["admin"].ips


def test_kubeconfigs():
    inp = ClusterInput(**cluster_args(workers=1))
    confs = dict((k.name, k) for k in kubeconfig_specs(inp))
    assert confs["admin.conf"].server == "https://api.demo.example:6443"
    assert confs["controller-manager.conf"].server == "https://127.0.0.1:6443"
    assert confs["nodes/demo-w0/kubelet.conf"].user == "system:node:demo-w0"
    assert set(confs) == {"admin.conf", "controller-manager.conf", "scheduler.conf", "kube-proxy.conf",
                          "nodes/demo-m0/kubelet.conf", "nodes/demo-w0/kubelet.conf"}
    no_api = ClusterInput(**cluster_args(api_names=[]))
    assert no_api.api_server_url == "https://10.10.0.10:6443"


@pytest.mark.parametrize("change, message", [
    (dict(masters=[{"name": "m0", "ip": "10.0.0.300"}]), "masters[0].ip"),
    (dict(workers=[{"name": "Bad_Name", "ip": "10.0.0.5"}]), "workers[0].name"),
    (dict(workers=[{"name": "w-", "ip": "10.0.0.5"}]), "workers[0].name"),
    (dict(workers=[{"name": "demo-m0", "ip": "10.0.0.5"}]), "name demo-m0 is used twice"),
    (dict(workers=[{"name": "w9", "ip": "10.10.0.10"}]), "IP 10.10.0.10 is used twice"),
    (dict(registry={"name": "r", "ip": "10.10.0.10"}), "IP 10.10.0.10 is used twice"),
    (dict(registry={"name": "r", "ip": "10.3.0.1", "hostnames": ["demo-w0"]}), "also the name of"),
    (dict(api_names=["bad name"]), "api_names"),
    (dict(service_cidr="10.96.0.1/12"), "service_cidr"),
    (dict(service_cidr="10.10.0.0/16"), "inside service_cidr"),
    (dict(cluster="Demo"), "cluster"),
    (dict(masters=[]), "at least one master"),
    (dict(masters=[{"name": "m0"}]), "needs 'name' and 'ip'"),
    (dict(key_type="dsa"), "key_type"),
    (dict(leaf_days=4000), "exceeds"),
    (dict(renew_days=365), "renew_before_days"),
    (dict(cluster_domain="-x"), "cluster_domain"),
    (dict(api_port=70000), "api_port"),
])
def test_bad_input(change, message):
    args = cluster_args()
    args.update(change)
    with pytest.raises(InvalidInput) as err:
        ClusterInput(**args)
    assert message in str(err.value)
