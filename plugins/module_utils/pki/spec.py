# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Which certificates a cluster needs: input validation and the cert set, as pure data.

The set follows kubeadm's (``kubeadm certs list``) so that Kubernetes 1.20 with etcd 3.4 and
current Kubernetes with etcd 3.5 both run on it. Nothing here touches files or keys.

Layout of ``<pki_dir>/<cluster>/`` (relative paths are the ``name`` of each spec, + .crt/.key):

    ca, front-proxy-ca, etcd/ca                 the three CAs (+ ``*-bundle.crt`` trust bundles,
                                                ``*.next.*`` / ``*.prev.crt`` during a CA rotation)
    apiserver, apiserver-kubelet-client, apiserver-etcd-client, front-proxy-client,
    etcd/healthcheck-client, controller-manager, scheduler, admin, kube-proxy, registry
    nodes/<name>/kubelet, nodes/<name>/kubelet-client          every node (masters included)
    nodes/<master>/etcd-server, nodes/<master>/etcd-peer        every master
    sa.key, sa.pub                              service-account key pair
    admin.conf, controller-manager.conf, scheduler.conf, kube-proxy.conf, nodes/<name>/kubelet.conf
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import InvalidInput

KEY_TYPES = ("ecdsa-p256", "rsa-2048", "rsa-4096")
CA_NAMES = ("kubernetes", "etcd", "front-proxy")
CA_PATHS = {"kubernetes": "ca", "etcd": "etcd/ca", "front-proxy": "front-proxy-ca"}
CA_SUBJECTS = {"kubernetes": "kubernetes", "etcd": "etcd-ca", "front-proxy": "front-proxy-ca"}
SERVER = ("server",)
CLIENT = ("client",)
BOTH = ("server", "client")

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _ip(value, what):
    try:
        return ipaddress.ip_address(u"%s" % (value,))
    except ValueError:
        raise InvalidInput("%s: %r is not a valid IP address" % (what, value))


def _hostname(value, what):
    """An RFC 1123 hostname in lower case (what Kubernetes accepts as a node name)."""
    text = u"%s" % (value,)
    if not text or len(text) > 253 or text.endswith(".") or text != text.lower():
        raise InvalidInput("%s: %r is not a valid lower-case hostname" % (what, value))
    if not all(_LABEL.match(label) for label in text.split(".")):
        raise InvalidInput("%s: %r is not a valid lower-case hostname" % (what, value))
    return text


def _is_ip(value):
    try:
        ipaddress.ip_address(u"%s" % (value,))
        return True
    except ValueError:
        return False


class Node:
    __slots__ = ("name", "ip", "role")

    def __init__(self, name, ip, role):
        self.name = name
        self.ip = ip
        self.role = role


class ClusterInput:
    """The validated description of a cluster. Raises ``InvalidInput`` naming the bad field."""

    def __init__(self, cluster, masters, workers=(), registry=None, api_names=(), api_port=6443,
                 service_cidr="10.96.0.0/12", cluster_domain="cluster.local", key_type="ecdsa-p256",
                 ca_days=3650, leaf_days=365, renew_days=30):
        if not cluster or not _LABEL.match(u"%s" % cluster):
            raise InvalidInput("cluster: %r is not a valid name (lower-case DNS label)" % (cluster,))
        self.cluster = cluster
        if key_type not in KEY_TYPES:
            raise InvalidInput("key_type: %r is not one of %s" % (key_type, ", ".join(KEY_TYPES)))
        self.key_type = key_type
        for what, days in (("ca_validity_days", ca_days), ("leaf_validity_days", leaf_days)):
            if int(days) < 1:
                raise InvalidInput("%s must be at least 1" % what)
        if int(leaf_days) > int(ca_days):
            raise InvalidInput("leaf_validity_days (%s) exceeds ca_validity_days (%s)" % (leaf_days, ca_days))
        if int(renew_days) < 0 or int(renew_days) >= int(leaf_days):
            raise InvalidInput("renew_before_days must be between 0 and leaf_validity_days - 1")
        self.ca_days, self.leaf_days, self.renew_days = int(ca_days), int(leaf_days), int(renew_days)
        if not masters:
            raise InvalidInput("masters: at least one master is needed")
        self.masters = [self._node(m, "master", "masters[%d]" % i) for i, m in enumerate(masters)]
        self.workers = [self._node(w, "worker", "workers[%d]" % i) for i, w in enumerate(workers or ())]
        self.registry = None
        self.registry_names = []
        if registry:
            self.registry = self._node(registry, "registry", "registry")
            extra = registry.get("hostnames") or []
            self.registry_names = [_hostname(h, "registry.hostnames") for h in extra]
        self._check_overlaps()
        try:
            self.service_network = ipaddress.ip_network(u"%s" % service_cidr, strict=True)
        except ValueError as exc:
            raise InvalidInput("service_cidr: %r is not a valid network (%s)" % (service_cidr, exc))
        if self.service_network.num_addresses < 4:
            raise InvalidInput("service_cidr: %s is too small" % service_cidr)
        self.service_ip = self.service_network.network_address + 1
        for node in self.nodes + ([self.registry] if self.registry else []):
            if node.ip in self.service_network:
                raise InvalidInput("%s %s: IP %s lies inside service_cidr %s"
                                   % (node.role, node.name, node.ip, service_cidr))
        self.cluster_domain = _hostname(cluster_domain, "cluster_domain")
        self.api_dns, self.api_ips = [], []
        for name in api_names or ():
            if _is_ip(name):
                self.api_ips.append(_ip(name, "api_names"))
            else:
                self.api_dns.append(_hostname(name, "api_names"))
        port = int(api_port)
        if not 0 < port < 65536:
            raise InvalidInput("api_port: %r is not a TCP port" % (api_port,))
        self.api_port = port

    @staticmethod
    def _node(item, role, what):
        if not isinstance(item, dict) or "name" not in item or "ip" not in item:
            raise InvalidInput("%s: needs 'name' and 'ip', got %r" % (what, item))
        return Node(_hostname(item["name"], what + ".name"), _ip(item["ip"], what + ".ip"), role)

    @property
    def nodes(self):
        return self.masters + self.workers

    def _check_overlaps(self):
        everyone = self.nodes + ([self.registry] if self.registry else [])
        seen_names, seen_ips = {}, {}
        for node in everyone:
            if node.name in seen_names:
                raise InvalidInput("name %s is used twice (%s and %s)" % (node.name, seen_names[node.name], node.role))
            seen_names[node.name] = node.role
            if node.ip in seen_ips:
                raise InvalidInput("IP %s is used twice (%s and %s %s)" % (node.ip, seen_ips[node.ip], node.role, node.name))
            seen_ips[node.ip] = "%s %s" % (node.role, node.name)
        for name in self.registry_names:
            if name in seen_names and name != (self.registry.name if self.registry else None):
                raise InvalidInput("registry hostname %s is also the name of %s" % (name, seen_names[name]))

    @property
    def api_server_url(self):
        host = self.api_dns[0] if self.api_dns else (self.api_ips[0] if self.api_ips else self.masters[0].ip)
        host = u"%s" % host
        if ":" in host:
            host = u"[%s]" % host
        return u"https://%s:%d" % (host, self.api_port)


class CertSpec:
    """One leaf certificate: subject, SANs, extended usages, signing CA."""

    __slots__ = ("name", "ca", "cn", "orgs", "dns", "ips", "usages", "node")

    def __init__(self, name, ca, cn, orgs=(), dns=(), ips=(), usages=CLIENT, node=None):
        self.name = name
        self.ca = ca
        self.cn = cn
        self.orgs = tuple(orgs)
        self.dns = tuple(sorted(set(dns)))
        self.ips = tuple(sorted(set(ipaddress.ip_address(u"%s" % i) for i in ips), key=lambda a: (a.version, a)))
        self.usages = tuple(usages)
        self.node = node

    def __repr__(self):
        return "CertSpec(%s)" % self.name


class KubeconfigSpec:
    __slots__ = ("name", "cert", "user", "server")

    def __init__(self, name, cert, user, server):
        self.name = name
        self.cert = cert
        self.user = user
        self.server = server


LOCAL_API = u"https://127.0.0.1:%d"


def cert_specs(inp):
    """Every leaf of the cluster, in a stable order."""
    domain = inp.cluster_domain
    master_names = [m.name for m in inp.masters]
    master_ips = [m.ip for m in inp.masters]
    api_dns = ["kubernetes", "kubernetes.default", "kubernetes.default.svc",
               "kubernetes.default.svc.%s" % domain, "localhost"] + master_names + inp.api_dns
    api_ips = [inp.service_ip, "127.0.0.1"] + master_ips + inp.api_ips
    specs = [
        CertSpec("apiserver", "kubernetes", "kube-apiserver", dns=api_dns, ips=api_ips, usages=SERVER),
        CertSpec("apiserver-kubelet-client", "kubernetes", "kube-apiserver-kubelet-client", orgs=["system:masters"]),
        CertSpec("apiserver-etcd-client", "etcd", "kube-apiserver-etcd-client"),
        CertSpec("etcd/healthcheck-client", "etcd", "kube-etcd-healthcheck-client"),
        CertSpec("front-proxy-client", "front-proxy", "front-proxy-client"),
        CertSpec("controller-manager", "kubernetes", "system:kube-controller-manager"),
        CertSpec("scheduler", "kubernetes", "system:kube-scheduler"),
        CertSpec("admin", "kubernetes", "kubernetes-admin", orgs=["system:masters"]),
        CertSpec("kube-proxy", "kubernetes", "system:kube-proxy", orgs=["system:node-proxier"]),
    ]
    for m in inp.masters:
        etcd_dns = [m.name, "localhost"]
        etcd_ips = [m.ip, "127.0.0.1", "::1"]
        specs.append(CertSpec("nodes/%s/etcd-server" % m.name, "etcd", m.name, dns=etcd_dns, ips=etcd_ips,
                              usages=BOTH, node=m.name))
        specs.append(CertSpec("nodes/%s/etcd-peer" % m.name, "etcd", m.name, dns=etcd_dns, ips=etcd_ips,
                              usages=BOTH, node=m.name))
    for n in inp.nodes:
        specs.append(CertSpec("nodes/%s/kubelet" % n.name, "kubernetes", n.name, dns=[n.name], ips=[n.ip],
                              usages=SERVER, node=n.name))
        specs.append(CertSpec("nodes/%s/kubelet-client" % n.name, "kubernetes", "system:node:%s" % n.name,
                              orgs=["system:nodes"], node=n.name))
    if inp.registry:
        r = inp.registry
        specs.append(CertSpec("registry", "kubernetes", (inp.registry_names or [r.name])[0],
                              dns=[r.name] + inp.registry_names, ips=[r.ip], usages=SERVER, node=r.name))
    return specs


def kubeconfig_specs(inp):
    local = LOCAL_API % inp.api_port
    specs = [
        KubeconfigSpec("admin.conf", "admin", "kubernetes-admin", inp.api_server_url),
        KubeconfigSpec("controller-manager.conf", "controller-manager", "system:kube-controller-manager", local),
        KubeconfigSpec("scheduler.conf", "scheduler", "system:kube-scheduler", local),
        KubeconfigSpec("kube-proxy.conf", "kube-proxy", "system:kube-proxy", inp.api_server_url),
    ]
    for n in inp.nodes:
        specs.append(KubeconfigSpec("nodes/%s/kubelet.conf" % n.name, "nodes/%s/kubelet-client" % n.name,
                                    "system:node:%s" % n.name, inp.api_server_url))
    return specs
