# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The nsxt_* modules through ansible-playbook against the Policy API test double (HTTPS, CA validated)."""

import pytest

pytestmark = pytest.mark.slow

NETWORK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: block
      ondemand.caas.nsxt_ip_block: {id: caas-nodes, cidrs: [10.100.0.0/23]}
    - name: tier1
      ondemand.caas.nsxt_tier1:
        id: caas-c1
        cluster: c1
        tier0_path: /infra/tier-0s/t0
        route_advertisement_types: [TIER1_CONNECTED, TIER1_NAT]
        admin_marker: "{{ omit }}"
    - name: pool
      ondemand.caas.nsxt_ip_pool: {id: caas-c1, cluster: c1, ip_block_id: caas-nodes, realization_timeout: 10}
      register: pool
    - name: segment
      ondemand.caas.nsxt_segment:
        id: caas-c1
        cluster: c1
        tier1_id: caas-c1
        admin_state: "{{ admin_state | default(omit) }}"
        subnets: [{gateway_address: "{{ pool.allocation.gateway_cidr }}"}]
        wait_for_realization: true
        realization_timeout: 10
    - name: realized
      ondemand.caas.nsxt_realization_info: {intent_path: /infra/segments/caas-c1, timeout: 10, interval: 0.1}
""".replace("        admin_marker: \"{{ omit }}\"\n", "")


def test_second_run_changes_nothing(playbook, nsx):
    first = playbook.run(NETWORK)
    assert first["rc"] == 0, first
    assert first["stats_localhost"]["changed"] == 4
    assert first["tasks_by_name"]["pool"]["allocation"]["cidr"] == "10.100.0.0/24"
    assert nsx.get("/infra/segments/caas-c1")["subnets"][0]["gateway_address"] == "10.100.0.1/24"
    writes = len(nsx.writes())
    second = playbook.run(NETWORK)
    assert second["rc"] == 0 and second["stats_localhost"]["changed"] == 0
    assert len(nsx.writes()) == writes  # no PATCH at all on the second run


def test_check_mode_and_diff(playbook, nsx):
    dry = playbook.run(NETWORK.replace("    - name: realized\n      ondemand.caas.nsxt_realization_info: "
                                       "{intent_path: /infra/segments/caas-c1, timeout: 10, interval: 0.1}\n", "")
                       .replace('"{{ pool.allocation.gateway_cidr }}"', "10.100.0.1/24"), "--check")
    assert dry["rc"] == 0, dry
    assert dry["stats_localhost"]["changed"] == 4 and nsx.writes() == []
    playbook.run(NETWORK)
    diff = playbook.run(NETWORK, "--check", "--diff", admin_state="DOWN")
    seg = diff["tasks_by_name"]["segment"]
    assert seg["changed"] and seg["diff"]["after"]["admin_state"] == "DOWN"
    assert "admin_state" not in seg["diff"]["before"]
    assert nsx.get("/infra/segments/caas-c1").get("admin_state") is None


def test_stale_revision_retried_once(playbook, nsx):
    playbook.run(NETWORK)
    nsx.bump_after_get["/infra/segments/caas-c1"] = 1
    out = playbook.run(NETWORK, admin_state="DOWN")
    assert out["rc"] == 0 and out["tasks_by_name"]["segment"]["changed"]
    assert [w["status"] for w in nsx.writes() if w["path"] == "/infra/segments/caas-c1"][-2:] == [412, 200]
    nsx.bump_after_get["/infra/segments/caas-c1"] = 2
    out = playbook.run(NETWORK, admin_state="UP")
    assert out["rc"] != 0
    assert "changed again while we were updating it" in out["tasks_by_name"]["segment"]["msg"]


def test_realization_timeout_is_a_clear_error(playbook, nsx):
    playbook.run(NETWORK)
    nsx.never_realize.add("/infra/segments/caas-c1")
    out = playbook.run("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: wait
      ondemand.caas.nsxt_realization_info: {intent_path: /infra/segments/caas-c1, timeout: 1, interval: 0.2}
""")
    assert out["rc"] != 0
    assert out["tasks_by_name"]["wait"]["msg"].startswith(
        "/infra/segments/caas-c1 was not realized within 1 s (last state: IN_PROGRESS)")


BAD = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: block
      ondemand.caas.nsxt_ip_block: {id: small, cidrs: [10.100.0.0/24]}
    - name: bad
      ondemand.caas.nsxt_ip_pool: %s
      ignore_errors: true
"""


@pytest.mark.parametrize("args,message", [
    ("{id: p1, ip_block_id: small, start_ip: 10.200.0.0}", "start_ip 10.200.0.0 is not in IP block small (10.100.0.0/24)"),
    ("{id: p1, ip_block_id: small, subnet_size: 512}", "subnet_size 512 is larger than IP block small"),
    ("{id: 'p 1', ip_block_id: small}", "invalid id 'p 1'"),
    ("{id: p1, ip_block_id: nope}", "IP block nope does not exist"),
])
def test_bad_input(playbook, nsx, args, message):
    out = playbook.run(BAD % args)
    assert out["tasks_by_name"]["bad"]["_status"] == "failed"
    assert message in out["tasks_by_name"]["bad"]["msg"]
    assert [w for w in nsx.writes() if "ip-pools" in w["path"]] == []


def test_block_exhausted(playbook, nsx):
    out = playbook.run(BAD % "{id: p1, ip_block_id: small}")
    assert out["tasks_by_name"]["bad"]["_status"] == "ok"
    out = playbook.run(BAD % "{id: p2, ip_block_id: small}")
    msg = out["tasks_by_name"]["bad"]["msg"]
    assert "HTTP 400" in msg and "IP block small is exhausted" in msg


def test_password_is_not_logged_and_env_fallback(playbook, nsx):
    out = playbook.run("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: seg
      ondemand.caas.nsxt_segment: {id: s1, auth_mode: session}
      register: r
""", "-vvv")
    assert out["rc"] == 0
    assert nsx.password not in str(out)
    assert nsx.requests[-1]["auth"] == "session"
