# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""module_utils/nsxt/lb.py (LB service, pool, virtual server) against the Policy API test double."""

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import lb, runner, objects
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import (
    NsxtApiError, NsxtConflict, NsxtInvalidInput, NsxtOwnershipError)

SVC, POOL, VS = "/infra/lb-services/api", "/infra/lb-pools/api", "/infra/lb-virtual-servers/api"
MASTERS = ["10.100.0.12", "10.100.0.10", "10.100.0.11"]


def params(**kw):
    p = dict(id="api", state="present", cluster="c1", tags=None, display_name=None, description=None,
             tier1_id="caas-c1", connectivity_path=None, size="SMALL", vip="10.100.0.4", port=6443, members=MASTERS,
             member_port=None, algorithm="ROUND_ROBIN", monitor_path=lb.DEFAULT_MONITOR,
             application_profile_path=lb.DEFAULT_APP_PROFILE, snat="AUTOMAP", delete_timeout=5, vip_segment_id=None, vip_offset=4,
             wait_for_realization=False, realization_timeout=10)
    p.update(kw)
    return p


@pytest.fixture
def tier1(client):
    tier1_params = dict(id="caas-c1", state="present", cluster="c1", tags=None, display_name=None, description=None,
                        tier0_path=None, failover_mode=None, ha_mode=None, pool_allocation=None,
                        route_advertisement_types=["TIER1_CONNECTED", "TIER1_LB_VIP"], type=None)
    runner.run(client, "Tier1", tier1_params, objects.tier1_body)
    return tier1_params


def test_create_in_order_then_idempotent(client, nsx, tier1):
    out = lb.run(client, params())
    assert out["changed"] and out["vip"] == "10.100.0.4"
    assert [(w["method"], w["path"]) for w in nsx.writes()[1:]] == [("PATCH", SVC), ("PATCH", POOL), ("PATCH", VS)]
    svc, pool, vs = nsx.get(SVC), nsx.get(POOL), nsx.get(VS)
    assert svc["connectivity_path"] == "/infra/tier-1s/caas-c1" and svc["size"] == "SMALL"
    assert [m["ip_address"] for m in pool["members"]] == ["10.100.0.10", "10.100.0.11", "10.100.0.12"]
    assert set(m["port"] for m in pool["members"]) == {"6443"}
    assert pool["active_monitor_paths"] == ["/infra/lb-monitor-profiles/default-tcp-lb-monitor"]
    assert pool["snat_translation"] == {"type": "LBSnatAutoMap"}
    assert vs["ip_address"] == "10.100.0.4" and vs["ports"] == ["6443"]
    assert vs["application_profile_path"] == "/infra/lb-app-profiles/default-tcp-lb-app-profile"
    assert (vs["lb_service_path"], vs["pool_path"]) == (SVC, POOL)
    for obj in (svc, pool, vs):
        assert {"scope": "ondemand.caas/cluster", "tag": "c1"} in obj["tags"]
    writes = len(nsx.writes())
    again = lb.run(client, params(members=list(reversed(MASTERS))))
    assert not again["changed"] and len(nsx.writes()) == writes


def test_members_follow_the_masters(client, nsx, tier1):
    lb.run(client, params(members=MASTERS[:1]))
    out = lb.run(client, params())
    assert out["changed"] and len(nsx.get(POOL)["members"]) == 3
    assert out["diff"]["before"]["virtual_server"] == out["diff"]["after"]["virtual_server"]


def test_check_mode_writes_nothing(client, nsx, tier1):
    writes = len(nsx.writes())
    out = lb.run(client, params(), check_mode=True)
    assert out["changed"] and len(nsx.writes()) == writes and nsx.get(VS) is None
    lb.run(client, params())
    assert not lb.run(client, params(), check_mode=True)["changed"]
    assert lb.run(client, params(state="absent"), check_mode=True)["changed"] and nsx.get(VS) is not None


def test_delete_virtual_server_pool_service_in_that_order(client, nsx, tier1):
    lb.run(client, params())
    out = lb.run(client, params(state="absent"))
    assert out["changed"] and out["vip"] is None
    deletes = [w["path"] for w in nsx.writes() if w["method"] == "DELETE"]
    assert deletes == [VS, POOL, SVC]
    assert nsx.get(VS) is None and nsx.get(POOL) is None and nsx.get(SVC) is None
    assert not lb.run(client, params(state="absent"))["changed"]
    # the tier-1 can go now (an attached LB service would block it)
    client.delete("/infra/tier-1s/caas-c1")


def test_double_refuses_the_wrong_delete_order(client, nsx, tier1):
    lb.run(client, params())
    for path in (POOL, SVC, "/infra/tier-1s/caas-c1"):
        with pytest.raises(NsxtConflict, match="still used by"):
            client.delete(path)


def test_double_enforces_references_and_required_fields(client, nsx, tier1):
    with pytest.raises(NsxtApiError, match="connectivity_path '/infra/tier-1s/nope' of /infra/lb-services/x does not exist"):
        client.patch("/infra/lb-services/x", {"connectivity_path": "/infra/tier-1s/nope"})
    with pytest.raises(NsxtApiError, match="pool_path '/infra/lb-pools/nope'"):
        client.patch("/infra/lb-virtual-servers/x", {"ip_address": "10.0.0.1", "ports": ["6443"], "pool_path": "/infra/lb-pools/nope",
                                                     "application_profile_path": lb.DEFAULT_APP_PROFILE})
    with pytest.raises(NsxtApiError, match="application_profile_path is required"):
        client.patch("/infra/lb-virtual-servers/x", {"ip_address": "10.0.0.1", "ports": ["6443"]})
    with pytest.raises(NsxtApiError, match="ip_address is required in LBPoolMember"):
        client.patch("/infra/lb-pools/x", {"members": [{"port": "6443"}]})
    with pytest.raises(NsxtApiError, match="not defined in the LBPool schema"):
        client.patch("/infra/lb-pools/x", {"members": [], "bogus": 1})
    with pytest.raises(NsxtApiError, match="active_monitor_paths"):
        client.patch("/infra/lb-pools/x", {"active_monitor_paths": ["/infra/lb-monitor-profiles/nope"]})
    with pytest.raises(NsxtApiError, match="system owned"):
        client.delete(lb.DEFAULT_MONITOR)
    assert client.get(lb.DEFAULT_APP_PROFILE)["resource_type"] == "LBFastTcpProfile"
    # a second virtual server on the same service, VIP and port
    lb.run(client, params())
    with pytest.raises(NsxtApiError, match="already used by virtual server"):
        client.patch("/infra/lb-virtual-servers/y", {"ip_address": "10.100.0.4", "ports": ["6443"], "lb_service_path": SVC,
                                                     "application_profile_path": lb.DEFAULT_APP_PROFILE})


def test_missing_tier1_is_an_api_error_and_nothing_else_is_created(client, nsx):
    with pytest.raises(NsxtApiError, match="does not exist"):
        lb.run(client, params())
    assert nsx.get(POOL) is None and nsx.get(VS) is None


@pytest.mark.parametrize("change,message", [
    (dict(vip="10.100.0.10"), "the vip 10.100.0.10 is also a member"),
    (dict(vip="10.100.0.999"), "vip '10.100.0.999' is not an IP address"),
    (dict(members=[]), "members must list at least one"),
    (dict(members=["x"]), "member 'x' is not an IP address"),
    (dict(port=70000), "port 70000 is not a TCP port"),
    (dict(tier1_id=None), "tier1_id (or connectivity_path) is required"),
    (dict(vip=None), "vip (or vip_segment_id) is required"),
    (dict(id="a b"), "invalid id 'a b'"),
])
def test_bad_input_sends_nothing(client, nsx, change, message):
    with pytest.raises(NsxtInvalidInput) as e:
        lb.run(client, params(**change))
    assert message in e.value.message
    assert nsx.writes() == []


def test_objects_of_another_cluster_are_not_touched(client, nsx, tier1):
    lb.run(client, params())
    with pytest.raises(NsxtOwnershipError):
        lb.run(client, params(cluster="c2", state="absent"))
    assert nsx.get(VS) is not None


def test_wait_for_realization(client, nsx, tier1):
    out = lb.run(client, params(wait_for_realization=True))
    assert out["changed"]
    states = client.get("/infra/realized-state/realized-entities", query={"intent_path": VS})["results"]
    assert states[0]["state"] == "REALIZED"


def test_vip_from_the_segment(client, nsx, tier1):
    seg = dict(id="caas-c1", state="present", cluster="c1", tags=None, display_name=None, description=None,
               tier1_id="caas-c1", connectivity_path=None, transport_zone_path=None, admin_state=None,
               replication_mode=None, vlan_ids=None, domain_name=None,
               subnets=[{"gateway_address": "10.100.0.1/24", "dhcp_ranges": None}])
    dry = lb.run(client, params(vip=None, vip_segment_id="caas-c1"), check_mode=True)
    assert dry["changed"] and dry["vip"] is None and nsx.get(SVC) is None
    with pytest.raises(NsxtInvalidInput, match="segment caas-c1 does not exist"):
        lb.run(client, params(vip=None, vip_segment_id="caas-c1"))
    runner.run(client, "Segment", seg, objects.segment_body)
    out = lb.run(client, params(vip=None, vip_segment_id="caas-c1"))
    assert out["vip"] == "10.100.0.4" and nsx.get(VS)["ip_address"] == "10.100.0.4"
    with pytest.raises(NsxtInvalidInput, match="gives the gateway 10.100.0.1"):
        lb.run(client, params(vip=None, vip_segment_id="caas-c1", vip_offset=1))
    with pytest.raises(NsxtInvalidInput, match="outside the host addresses"):
        lb.run(client, params(vip=None, vip_segment_id="caas-c1", vip_offset=255))
