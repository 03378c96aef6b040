# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""module_utils/nsxt against the Policy API test double (real HTTPS on 127.0.0.1)."""

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import objects, realization, resource, runner
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import PolicyClient
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import (
    NsxtApiError, NsxtConflict, NsxtInvalidInput, NsxtOwnershipError, NsxtPreconditionFailed, NsxtTimeout)

SEG = "/infra/segments/s1"


def seg_params(**kw):
    p = dict(id="s1", state="present", cluster="c1", tags=None, display_name=None, description=None,
             tier1_id=None, connectivity_path=None, transport_zone_path=None, admin_state=None,
             replication_mode=None, vlan_ids=None, domain_name=None,
             subnets=[{"gateway_address": "10.100.1.1/24", "dhcp_ranges": None}])
    p.update(kw)
    return p


def test_create_then_idempotent(client, nsx):
    r1 = runner.run(client, "Segment", seg_params(), objects.segment_body, result_key="segment")
    assert r1["changed"] and r1["segment"]["subnets"][0]["gateway_address"] == "10.100.1.1/24"
    assert r1["revision"] == 0
    r2 = runner.run(client, "Segment", seg_params(), objects.segment_body)
    assert not r2["changed"]
    assert [r["method"] for r in nsx.writes()] == ["PATCH"]
    assert nsx.get(SEG)["tags"] == [{"scope": "ondemand.caas/cluster", "tag": "c1"}]


def test_update_sends_revision_and_only_user_fields(client, nsx):
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    r = runner.run(client, "Segment", seg_params(admin_state="DOWN"), objects.segment_body)
    assert r["changed"] and r["revision"] == 1
    body = nsx.writes()[-1]["body"]
    assert body["_revision"] == 0
    assert set(body) == {"_revision", "admin_state", "subnets", "tags"}
    assert r["diff"]["before"].get("admin_state") is None and r["diff"]["after"]["admin_state"] == "DOWN"


def test_check_mode_changes_nothing(client, nsx):
    r = runner.run(client, "Segment", seg_params(), objects.segment_body, check_mode=True)
    assert r["changed"] and nsx.get(SEG) is None and not nsx.writes()
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    r = runner.run(client, "Segment", seg_params(admin_state="DOWN"), objects.segment_body, check_mode=True)
    assert r["changed"] and nsx.get(SEG).get("admin_state") is None
    r = runner.run(client, "Segment", seg_params(), objects.segment_body, check_mode=True)
    assert not r["changed"]


def test_stale_revision_is_retried_once(client, nsx):
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    nsx.bump_after_get[SEG] = 1  # someone else writes right after our GET
    r = runner.run(client, "Segment", seg_params(admin_state="DOWN"), objects.segment_body)
    assert r["changed"] and nsx.get(SEG)["admin_state"] == "DOWN"
    statuses = [w["status"] for w in nsx.writes()]
    assert statuses == [200, 412, 200]


def test_stale_revision_twice_is_a_clear_error(client, nsx):
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    nsx.bump_after_get[SEG] = 2
    with pytest.raises(NsxtPreconditionFailed, match="changed again while we were updating"):
        runner.run(client, "Segment", seg_params(admin_state="DOWN"), objects.segment_body)


def test_put_contract_of_the_double(client, nsx):
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    with pytest.raises(NsxtPreconditionFailed):
        client.put(SEG, {"admin_state": "UP"})
    with pytest.raises(NsxtPreconditionFailed):
        client.put(SEG, {"admin_state": "UP", "_revision": 7})
    obj = client.put(SEG, {"admin_state": "UP", "_revision": 0})
    assert obj["_revision"] == 1
    with pytest.raises(NsxtApiError) as e:
        client.put("/infra/segments/new", {"_revision": 0})
    assert e.value.status == 400


def test_double_rejects_fields_not_in_schema(client):
    with pytest.raises(NsxtApiError, match="not defined in the Segment schema"):
        client.patch(SEG, {"mtu": 1500})
    with pytest.raises(NsxtApiError, match="SegmentSubnet"):
        client.patch(SEG, {"subnets": [{"gateway_address": "10.0.0.1/24", "prefix": 24}]})


def test_every_body_uses_only_listed_fields(client, nsx, nsxt_double_module):
    dbl = nsxt_double_module
    runner.run(client, "Tier1", dict(id="t1", state="present", cluster="c1", tags=None, display_name="T",
                                     description=None, tier0_path="/infra/tier-0s/t0", failover_mode=None,
                                     ha_mode=None, pool_allocation=None, type=None,
                                     route_advertisement_types=["TIER1_CONNECTED"]), objects.tier1_body)
    runner.run(client, "Segment", seg_params(tier1_id="t1"), objects.segment_body)
    block = dict(id="b", state="present", cluster=None, tags=None, display_name=None, description=None,
                 cidrs=["10.100.0.0/16"], visibility=None)
    runner.run(client, "IpAddressBlock", block, objects.ip_block_body)
    runner.run_pool(client, pool_params())
    for w in nsx.writes():
        if w["method"] != "PATCH":
            continue
        kind = w["body"].get("resource_type") or {"segments": "Segment", "tier-1s": "Tier1", "ip-blocks":
                                                  "IpAddressBlock", "ip-pools": "IpAddressPool"}[w["path"].split("/")[2]]
        assert set(w["body"]) <= dbl.BASE_FIELDS | dbl.FIELDS[kind], w


def pool_params(**kw):
    p = dict(id="p1", subnet_id="nodes", state="present", cluster="c1", tags=None, display_name=None,
             description=None, ip_block_id="b", subnet_size=256, start_ip=None, auto_assign_gateway=None,
             wait_for_realization=True, realization_timeout=5)
    p.update(kw)
    return p


def make_block(client, cidr="10.100.0.0/23"):
    runner.run(client, "IpAddressBlock", dict(id="b", state="present", cluster=None, tags=None, display_name=None,
                                              description=None, cidrs=[cidr], visibility=None), objects.ip_block_body)


def test_pool_allocates_one_24_per_cluster_until_exhausted(client, nsx):
    make_block(client)
    a = runner.run_pool(client, pool_params(id="p1", cluster="c1"))
    b = runner.run_pool(client, pool_params(id="p2", cluster="c2"))
    assert a["allocation"]["cidr"] == "10.100.0.0/24" and a["allocation"]["gateway"] == "10.100.0.1"
    assert b["allocation"]["cidr"] == "10.100.1.0/24" and b["allocation"]["netmask"] == "255.255.255.0"
    again = runner.run_pool(client, pool_params(id="p1", cluster="c1"))
    assert not again["changed"] and again["allocation"] == a["allocation"]
    with pytest.raises(NsxtApiError, match="exhausted"):
        runner.run_pool(client, pool_params(id="p3", cluster="c3"))
    gone = runner.run_pool(client, pool_params(id="p2", cluster="c2", state="absent"))
    assert gone["changed"] and nsx.get("/infra/ip-pools/p2") is None
    c = runner.run_pool(client, pool_params(id="p3", cluster="c3"))
    assert c["allocation"]["cidr"] == "10.100.1.0/24"


def test_start_ip_outside_block_is_refused_before_any_write(client, nsx):
    make_block(client)
    n = len(nsx.writes())
    with pytest.raises(NsxtInvalidInput, match="not in IP block b"):
        runner.run_pool(client, pool_params(start_ip="10.200.0.0"))
    assert len(nsx.writes()) == n
    with pytest.raises(NsxtInvalidInput, match="power of two"):
        runner.run_pool(client, pool_params(subnet_size=100))


def test_invalid_id_is_refused_before_any_request(client, nsx):
    with pytest.raises(NsxtInvalidInput, match="invalid id"):
        runner.run(client, "Segment", seg_params(id="bad/id"), objects.segment_body)
    with pytest.raises(NsxtInvalidInput):
        runner.run(client, "Segment", seg_params(id="-x"), objects.segment_body)
    assert nsx.requests == []


def test_gateway_must_be_a_host_address_with_prefix():
    with pytest.raises(NsxtInvalidInput):
        objects.segment_body(seg_params(subnets=[{"gateway_address": "10.1.1.0/24", "dhcp_ranges": None}]))
    with pytest.raises(NsxtInvalidInput):
        objects.segment_body(seg_params(subnets=[{"gateway_address": "10.1.1.1", "dhcp_ranges": None}]))


def test_delete_waits_until_gone_and_409_with_ports(client, nsx):
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    nsx.segment_ports[SEG] = 2
    with pytest.raises(NsxtConflict, match="ports"):
        runner.run(client, "Segment", seg_params(state="absent"), objects.segment_body)
    nsx.segment_ports[SEG] = 0
    r = runner.run(client, "Segment", seg_params(state="absent"), objects.segment_body)
    assert r["changed"] and client.get_or_none(SEG) is None
    assert not runner.run(client, "Segment", seg_params(state="absent"), objects.segment_body)["changed"]


def test_other_clusters_objects_are_never_touched(client, nsx):
    runner.run(client, "Segment", seg_params(cluster="c2"), objects.segment_body)
    with pytest.raises(NsxtOwnershipError, match="belongs to cluster 'c2'"):
        runner.run(client, "Segment", seg_params(cluster="c1", state="absent"), objects.segment_body)
    with pytest.raises(NsxtOwnershipError):
        runner.run(client, "Segment", seg_params(cluster="c1", admin_state="DOWN"), objects.segment_body)
    assert nsx.get(SEG) is not None


def test_realization_wait_and_timeout(client, nsx):
    runner.run(client, "Segment", seg_params(), objects.segment_body)
    assert realization.wait_realized(client, SEG, timeout=5, interval=0.05)[0]["state"] == "REALIZED"
    nsx.never_realize.add(SEG)
    with pytest.raises(NsxtTimeout, match="was not realized within 0.5 s .last state: IN_PROGRESS"):
        realization.wait_realized(client, SEG, timeout=0.5, interval=0.1)


def test_retries_429_and_503(client, nsx):
    nsx.inject(429, method="GET", times=2, retry_after=0)
    nsx.inject(503, method="GET", times=1)
    assert client.get_or_none(SEG) is None
    assert [r["status"] for r in nsx.requests] == [429, 429, 503, 404]
    nsx.inject(503, times=10)
    with pytest.raises(NsxtApiError) as e:
        client.get(SEG)
    assert e.value.status == 503


def test_session_auth_and_bad_credentials(nsx):
    c = PolicyClient(nsx.host, nsx.username, nsx.password, ca_path=nsx.ca_path, auth_mode="session")
    assert c.get_or_none(SEG) is None
    assert nsx.requests[-1]["auth"] == "session"
    bad = PolicyClient(nsx.host, nsx.username, "wrong", ca_path=nsx.ca_path)
    with pytest.raises(NsxtApiError) as e:
        bad.get(SEG)
    assert e.value.status == 403


def test_certificate_is_validated(nsx):
    from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError
    c = PolicyClient(nsx.host, nsx.username, nsx.password, validate_certs=True)
    with pytest.raises(NsxtError, match="cannot reach|CERTIFICATE"):
        c.get(SEG)
    insecure = PolicyClient(nsx.host, nsx.username, nsx.password, validate_certs=False)
    assert insecure.get_or_none(SEG) is None


def test_matches_semantics():
    assert resource.matches({"a": 1}, {"a": 1, "b": 2})
    assert not resource.matches({"a": 1}, {"a": 2})
    assert resource.matches({"tags": [{"scope": "x", "tag": "1"}, {"scope": "y", "tag": "2"}]},
                            {"tags": [{"scope": "y", "tag": "2"}, {"scope": "x", "tag": "1"}]})
    assert not resource.matches({"tags": [{"scope": "x", "tag": "1"}]}, {"tags": []})
    assert resource.matches({"subnets": [{"gateway_address": "10.0.0.1/24"}]},
                            {"subnets": [{"gateway_address": "10.0.0.1/24", "network": "10.0.0.0/24"}]})
    assert resource.matches({"l": ["B", "A"]}, {"l": ["A", "B"]})
