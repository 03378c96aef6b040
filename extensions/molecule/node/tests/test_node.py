# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""worker, local_volumes and k8s_node on a real worker VM: units, files and modes, what listens where, the kubelet
refusing anonymous requests, images from the registry, local PersistentVolumes on the persistent disk, and a drain
(k8s_node) that the workload's data survived."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from molecule_probe import K8S_BIN, MOLECULE_DIR, https_status, kubectl, listening, pki_dir

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.cache import sha256_file

testinfra_hosts = ["ansible://mnode_workers"]

CLUSTER = "mnode"
MASTER = "10.241.6.10"
REGISTRY = "10.241.6.5:5000"
PKI = pki_dir(CLUSTER)
UNITS = ("containerd", "kubelet", "kube-proxy", "caas-apiserver-proxy", "caas-pod-routes")


def me(host):
    return host.ansible.get_variables()


def test_units_run_enabled(host):
    for unit in UNITS:
        service = host.service(unit)
        assert service.is_running and service.is_enabled, unit


def test_binaries_are_the_cached_build(host):
    for name in ("kubelet", "kube-proxy"):
        f = host.file("/usr/local/bin/" + name)
        assert f.mode == 0o755 and f.sha256sum == sha256_file(os.path.join(K8S_BIN, name)), name


def test_ports_listen_only_where_they_should(host):
    found = listening(host)
    # from the segment: sshd and the kubelet API only
    assert {s for s in found if not s.startswith("127.")} == {"0.0.0.0:22", "[::]:22", "*:10250"}
    # kubelet healthz, kube-proxy metrics and healthz, the local apiserver endpoint: loopback
    assert {"127.0.0.1:10248", "127.0.0.1:10249", "127.0.0.1:10256", "127.0.0.1:6443"} <= found
    assert not any(s.endswith(":10255") for s in found)  # no read-only kubelet port


def test_the_kubelet_refuses_anonymous_requests_and_serves_the_apiserver(host):
    url = "https://%s:10250/pods" % me(host)["caas_ip"]
    ca = os.path.join(PKI, "ca-bundle.crt")  # also checks the serving certificate names the node's IP
    status, body = https_status(url, ca)
    assert status == 401, body
    apiserver = (os.path.join(PKI, "apiserver-kubelet-client.crt"), os.path.join(PKI, "apiserver-kubelet-client.key"))
    status, body = https_status(url, ca, apiserver)
    assert status == 200 and json.loads(body)["kind"] == "PodList", body


def test_the_node_is_ready_schedulable_and_runs_the_cached_version(host):
    node = json.loads(kubectl(CLUSTER, MASTER, "get", "node", me(host)["caas_name"], "-o", "json"))
    ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"][0]
    assert ready["status"] == "True", ready
    assert not node["spec"].get("unschedulable")
    assert node["status"]["nodeInfo"]["kubeletVersion"] == "v1.34.4"
    assert {"type": "InternalIP", "address": me(host)["caas_ip"]} in node["status"]["addresses"]


def test_containerd_trusts_and_pulls_from_the_registry_only(host):
    hosts_toml = host.file("/etc/containerd/certs.d/%s/hosts.toml" % REGISTRY)
    assert hosts_toml.mode == 0o600 and hosts_toml.user == "root"
    assert "%s/library/pause:3.10.1" % REGISTRY in host.file("/etc/containerd/config.toml").content_string
    images = host.check_output("ctr -n k8s.io images ls -q").splitlines()
    named = [i for i in images if not i.startswith("sha256:")]
    assert "%s/library/pause:3.10.1" % REGISTRY in named and "%s/library/busybox:1.35.0" % REGISTRY in named
    assert all(i.startswith(REGISTRY + "/") for i in named), named


def test_configuration_files_and_modes(host):
    for path, mode in (("/etc/kubernetes/kubelet-config.yaml", 0o644), ("/etc/kubernetes/kube-proxy-config.yaml", 0o644),
                       ("/etc/kubernetes/kubelet.conf", 0o600), ("/etc/kubernetes/kube-proxy.conf", 0o600),
                       ("/var/lib/kubelet/pki/kubelet.key", 0o600), ("/etc/cni/net.d/10-caas-bridge.conflist", 0o644)):
        f = host.file(path)
        assert (f.mode, f.user) == (mode, "root"), path


def test_local_volumes_are_directories_on_the_disk_with_their_pvs(host):
    name = me(host)["caas_name"]
    assert host.mount_point("/var/vcap/store").exists
    pvs = json.loads(kubectl(CLUSTER, MASTER, "get", "pv", "-l", "ondemand.caas/node=" + name, "-o", "json"))["items"]
    assert sorted(pv["metadata"]["name"] for pv in pvs) == ["%s-vol%d" % (name, i) for i in range(3)]
    for pv in pvs:
        spec = pv["spec"]
        path = spec["local"]["path"]
        assert path.startswith("/var/vcap/store/local-volumes/") and host.file(path).is_directory
        assert host.file(path).mode == 0o755
        assert spec["storageClassName"] == "local" and spec["persistentVolumeReclaimPolicy"] == "Retain"
        term = spec["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
        assert term["key"] == "kubernetes.io/hostname" and term["values"] == [name]
    sc = json.loads(kubectl(CLUSTER, MASTER, "get", "storageclass", "local", "-o", "json"))
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer" and sc["provisioner"] == "kubernetes.io/no-provisioner"


def test_the_drain_emptied_and_cordoned_the_node(host):
    with open(os.path.join(MOLECULE_DIR, "drained-%s.json" % me(host)["caas_name"])) as handle:
        drained = json.load(handle)
    assert drained["unschedulable"] == "true"
    assert not [p for p in drained["pods"] if "molecule-writer" in p], drained


def test_the_workloads_data_survived_the_drain_on_the_local_volume(host):
    claim = json.loads(kubectl(CLUSTER, MASTER, "get", "pvc", "molecule-data", "-o", "json"))
    assert claim["status"]["phase"] == "Bound"
    pv = json.loads(kubectl(CLUSTER, MASTER, "get", "pv", claim["spec"]["volumeName"], "-o", "json"))
    written = host.file(pv["spec"]["local"]["path"] + "/pods").content_string.split()
    # the pod before the drain and the one after it, both writing to the same directory on the persistent disk
    assert len(written) == 2 and len(set(written)) == 2 and all(w.startswith("molecule-writer-") for w in written)
