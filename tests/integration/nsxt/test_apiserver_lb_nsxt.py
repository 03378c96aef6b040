# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The apiserver endpoint nsxt_lb (roles/network tasks_from apiserver) against the Policy API test double: the LB
service on the cluster's tier-1, the pool of the masters with the TCP monitor, the virtual server on the VIP; the VIP
first in the kubeconfigs and in the apiserver certificate's SANs (as playbooks/kubernetes_nodes.yml seeds the PKI);
idempotent, check mode, and network_state=absent (delete_cluster) removing virtual server, pool and service before
the segment and the tier-1 (the double answers 409 to any other order)."""

import ipaddress
import os

import pytest
import yaml
from cryptography import x509

pytestmark = pytest.mark.slow

MASTERS = ["10.100.0.10", "10.100.0.11", "10.100.0.12"]
LB = ["/infra/lb-services/caas-c1-apiserver", "/infra/lb-pools/caas-c1-apiserver", "/infra/lb-virtual-servers/caas-c1-apiserver"]

PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    caas_cluster_name: c1
    network_provider: nsxt
    network_nodes_pool: 10.100.0.0/23
    network_nsxt_realization_timeout: 10
  tasks:
    - name: network
      ansible.builtin.include_role: {name: ondemand.caas.network}
    - name: apiserver
      ansible.builtin.include_role: {name: ondemand.caas.network, tasks_from: apiserver}
      vars:
        network_apiserver_endpoint: "{{ endpoint | default('nsxt_lb') }}"
        network_apiserver_members: %s
    - name: endpoint
      ansible.builtin.debug: {var: network_apiserver}
    - name: pki
      ondemand.caas.cert_seed:
        cluster: c1
        pki_dir: "{{ pki_dir }}"
        masters: [{name: c1-master-0, ip: 10.100.0.10}, {name: c1-master-1, ip: 10.100.0.11}, {name: c1-master-2, ip: 10.100.0.12}]
        workers: [{name: c1-worker-0, ip: 10.100.0.20}]
        api_names: "{{ network_apiserver.api_names + ['127.0.0.1'] }}"
        service_cidr: 10.64.0.0/20
      when: not ansible_check_mode
"""

DELETE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: network
      ansible.builtin.include_role: {name: ondemand.caas.network}
      vars: {caas_cluster_name: c1, network_provider: nsxt, network_state: absent, network_nodes_pool: 10.100.0.0/23}
"""


def failed(out):
    return [(t["name"], t["result"].get("msg")) for t in out["tasks"] if t["result"]["_status"] == "failed"]


def play(members=MASTERS):
    return PLAY % (members,)


def test_apiserver_vip_created_wired_idempotent_and_deleted(playbook, nsx, tmp_path):
    pki = str(tmp_path / "pki")
    dry = playbook.run(play(), "--check", pki_dir=pki)
    assert dry["rc"] == 0, failed(dry)
    assert nsx.writes() == []

    out = playbook.run(play(), pki_dir=pki)
    assert out["rc"] == 0, failed(out)
    endpoint = out["tasks_by_name"]["endpoint"]["network_apiserver"]
    assert endpoint == {"endpoint": "nsxt_lb", "vip": "10.100.0.4", "port": 6443, "api_names": ["10.100.0.4"]}
    svc, pool, vs = (nsx.get(p) for p in LB)
    assert svc["connectivity_path"] == "/infra/tier-1s/caas-c1"
    assert [(m["ip_address"], m["port"]) for m in pool["members"]] == [(ip, "6443") for ip in MASTERS]
    assert pool["active_monitor_paths"] == ["/infra/lb-monitor-profiles/default-tcp-lb-monitor"]
    assert vs["ip_address"] == "10.100.0.4" and vs["ports"] == ["6443"] and vs["pool_path"] == LB[1]
    assert vs["application_profile_path"] == "/infra/lb-app-profiles/default-tcp-lb-app-profile"
    assert ipaddress.ip_address(vs["ip_address"]) in ipaddress.ip_network(nsx.get("/infra/segments/caas-c1")["subnets"][0]["network"])

    # The VIP is the server of the nodes' kubeconfigs and a SAN of the apiserver certificate.
    for conf in ("admin.conf", "kube-proxy.conf", "nodes/c1-worker-0/kubelet.conf"):
        with open(os.path.join(pki, "c1", conf)) as handle:
            assert yaml.safe_load(handle)["clusters"][0]["cluster"]["server"] == "https://10.100.0.4:6443", conf
    with open(os.path.join(pki, "c1", "apiserver.crt"), "rb") as handle:
        sans = x509.load_pem_x509_certificate(handle.read()).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert ipaddress.ip_address(u"10.100.0.4") in sans.value.get_values_for_type(x509.IPAddress)

    again = playbook.run(play(), pki_dir=pki)
    assert again["rc"] == 0 and again["stats_localhost"]["changed"] == 0, [t["name"] for t in again["tasks"] if t["result"].get("changed")]

    # A master replaced at another address: only the pool changes.
    moved = playbook.run(play(MASTERS[:2] + ["10.100.0.13"]), pki_dir=pki)
    assert moved["tasks_by_name"]["apiserver"]["_status"] == "ok"
    assert [m["ip_address"] for m in nsx.get(LB[1])["members"]] == MASTERS[:2] + ["10.100.0.13"]
    assert nsx.get(LB[2])["_revision"] == vs["_revision"]

    gone = playbook.run(DELETE)
    assert gone["rc"] == 0, failed(gone)
    deletes = [w["path"] for w in nsx.writes() if w["method"] == "DELETE"]
    assert deletes[:5] == LB[::-1] + ["/infra/segments/caas-c1", "/infra/tier-1s/caas-c1"], deletes
    assert sorted(nsx.objects) == ["/infra/ip-blocks/caas-nodes"]
    assert [w for w in nsx.writes() if w["status"] != 200] == []


def test_local_proxy_needs_nothing_and_nsxt_lb_needs_nsxt(playbook, nsx, tmp_path):
    out = playbook.run(play(), "-e", "endpoint=local_proxy", pki_dir=str(tmp_path / "pki"))
    assert out["rc"] == 0, failed(out)
    assert out["tasks_by_name"]["endpoint"]["network_apiserver"]["api_names"] == []
    assert not [p for p in nsx.objects if "/lb-" in p]
    bad = playbook.run(play().replace("network_provider: nsxt", "network_provider: linux")
                       .replace("    - name: network\n      ansible.builtin.include_role: {name: ondemand.caas.network}\n", ""),
                       pki_dir=str(tmp_path / "pki"))
    assert bad["rc"] != 0 and any("nsxt_lb needs network_provider nsxt (got linux)" in (msg or "") for _, msg in failed(bad)), failed(bad)
