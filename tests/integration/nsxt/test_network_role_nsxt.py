# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""roles/network with network_provider=nsxt against the Policy API test double."""

import pytest

pytestmark = pytest.mark.slow

ROLE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: network
      ansible.builtin.include_role: {name: ondemand.caas.network}
      vars:
        network_provider: nsxt
        network_nodes_pool: 10.100.0.0/23
        network_nsxt_realization_timeout: 10
    - name: facts
      ansible.builtin.debug: {var: network_facts}
"""


def test_two_clusters_then_delete_one(playbook, nsx, tmp_path):
    play = ROLE
    a = playbook.run(play, "-e", "caas_cluster_name=c1")
    assert a["rc"] == 0, a["tasks"]
    net = a["tasks_by_name"]["facts"]["network_facts"]
    assert net["provider"] == "nsxt" and net["segment"] == "caas-c1" and net["nodes_cidr"] == "10.100.0.0/24"
    assert net["gateway"] == "10.100.0.1" and net["node_ips"][0] == "10.100.0.11"
    b = playbook.run(play, "-e", "caas_cluster_name=c2")
    net_b = b["tasks_by_name"]["facts"]["network_facts"]
    assert net_b["nodes_cidr"] == "10.100.1.0/24" and net_b["pod_cidr"] != net["pod_cidr"]
    assert nsx.get("/infra/segments/caas-c2")["connectivity_path"] == "/infra/tier-1s/caas-c2"
    again = playbook.run(play, "-e", "caas_cluster_name=c1")
    assert again["rc"] == 0 and again["stats_localhost"]["changed"] == 0
    gone = playbook.run(play, "-e", "caas_cluster_name=c1", "-e", "network_state=absent")
    assert gone["rc"] == 0, gone["tasks"]
    left = sorted(p for p in nsx.objects)
    assert left == ["/infra/ip-blocks/caas-nodes", "/infra/ip-pools/caas-c2", "/infra/ip-pools/caas-c2/ip-subnets/nodes",
                    "/infra/segments/caas-c2", "/infra/tier-1s/caas-c2"]
    for path in left[1:]:
        assert {"scope": "ondemand.caas/cluster", "tag": "c2"} in nsx.get(path)["tags"]
