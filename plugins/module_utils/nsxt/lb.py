# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""An L4 TCP load balancer through the Policy API: an LBService on a tier-1, an LBPool of members with an
active TCP monitor, and an LBVirtualServer (VIP:port, fast-TCP application profile) tying them together.

The three objects share one id (they live in different collections: ``/infra/lb-services``, ``/infra/lb-pools``,
``/infra/lb-virtual-servers``). Present creates them service -> pool -> virtual server (the virtual server refers
to both); absent deletes them in the reverse order, waiting until each is gone, because NSX-T refuses to delete
a pool or a service a virtual server still refers to, and a tier-1 an LB service is attached to.

Fields (NSX Policy API LBService, LBPool/LBPoolMember, LBVirtualServer, LBSnatTranslation): only those in
``WRITABLE`` may appear in a body.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import realization, resource
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtInvalidInput
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.objects import path_for as base_path_for

COMMON = ("display_name", "description", "tags", "resource_type")
WRITABLE = {
    "LBService": COMMON + ("connectivity_path", "enabled", "size", "error_log_level", "access_log_enabled",
                           "relax_scale_validation"),
    "LBPool": COMMON + ("members", "algorithm", "active_monitor_paths", "passive_monitor_path", "min_active_members",
                        "snat_translation", "tcp_multiplexing_enabled", "tcp_multiplexing_number", "member_group"),
    "LBPoolMember": ("ip_address", "port", "display_name", "weight", "admin_state", "backup_member",
                     "max_concurrent_connections"),
    "LBVirtualServer": COMMON + ("ip_address", "ports", "application_profile_path", "lb_service_path", "pool_path",
                                 "enabled", "default_pool_member_ports", "lb_persistence_profile_path",
                                 "max_concurrent_connections", "max_new_connection_rate", "access_log_enabled",
                                 "sorry_pool_path", "log_significant_event_only"),
}
COLLECTIONS = {"LBService": "lb-services", "LBPool": "lb-pools", "LBVirtualServer": "lb-virtual-servers"}
SNAT = {"AUTOMAP": "LBSnatAutoMap", "DISABLED": "LBSnatDisabled"}
DEFAULT_MONITOR = "/infra/lb-monitor-profiles/default-tcp-lb-monitor"
DEFAULT_APP_PROFILE = "/infra/lb-app-profiles/default-tcp-lb-app-profile"


def path_for(kind, object_id):
    resource.validate_id(object_id)
    return "/infra/%s/%s" % (COLLECTIONS[kind], object_id)


def paths(object_id):
    return dict((kind, path_for(kind, object_id)) for kind in ("LBService", "LBPool", "LBVirtualServer"))


def _body(kind, fields, params):
    body = {}
    for name, value in fields.items():
        if name not in WRITABLE[kind]:
            raise NsxtInvalidInput("%s is not a writable field of %s" % (name, kind))
        if value is not None:
            body[name] = value
    for name in ("display_name", "description"):
        if params.get(name) is not None:
            body[name] = params[name]
    tags = resource.tags_with_cluster(params.get("tags"), params.get("cluster"))
    if tags is not None:
        body["tags"] = tags
    return body


def _ip(value, what):
    try:
        return str(ipaddress.ip_address(u"%s" % value))
    except ValueError:
        raise NsxtInvalidInput("%s %r is not an IP address" % (what, value))


def _port(value, what):
    if value is None or not 1 <= int(value) <= 65535:
        raise NsxtInvalidInput("%s %r is not a TCP port (1-65535)" % (what, value))
    return str(int(value))


def vip_from_segment(client, segment_id, offset, check_mode=False):
    """The address at ``offset`` in the subnet of segment ``segment_id`` (e.g. 4 -> 10.100.0.4 in 10.100.0.0/24);
    None in check mode when the segment is missing (an earlier task may only have pretended to create it)."""
    segment = client.get_or_none(base_path_for("Segment", segment_id))
    subnets = (segment or {}).get("subnets") or []
    if segment is None and check_mode:
        return None
    if not subnets or not subnets[0].get("gateway_address"):
        raise NsxtInvalidInput("segment %s does not exist or has no subnet: cannot take a VIP from it; give vip" % segment_id)
    iface = ipaddress.ip_interface(u"%s" % subnets[0]["gateway_address"])
    net = iface.network
    if not 0 < offset < net.num_addresses - 1:
        raise NsxtInvalidInput("vip_offset %s is outside the host addresses of %s" % (offset, net))
    vip = net.network_address + offset
    if vip == iface.ip:
        raise NsxtInvalidInput("vip_offset %s gives the gateway %s of segment %s" % (offset, vip, segment_id))
    return str(vip)


def validate(params):
    """Refuse a bad request before any request is sent; return (vip, members) normalised."""
    if not params.get("vip"):
        raise NsxtInvalidInput("vip (or vip_segment_id) is required with state=present")
    vip = _ip(params["vip"], "vip")
    members = sorted(set(_ip(m, "member") for m in params.get("members") or []), key=ipaddress.ip_address)
    if not members:
        raise NsxtInvalidInput("members must list at least one IP address (the backends, e.g. the masters)")
    if vip in members:
        raise NsxtInvalidInput("the vip %s is also a member; a VIP needs an address of its own" % vip)
    if not (params.get("tier1_id") or params.get("connectivity_path")):
        raise NsxtInvalidInput("tier1_id (or connectivity_path) is required with state=present: an LB service "
                               "is attached to a tier-1 gateway")
    return vip, members


def service_body(params):
    connectivity = params.get("connectivity_path") or base_path_for("Tier1", params["tier1_id"])
    return _body("LBService", {"connectivity_path": connectivity, "size": params.get("size"), "enabled": True}, params)


def pool_body(params, members):
    port = _port(params.get("member_port") or params.get("port"), "member_port")
    rows = [{"ip_address": ip, "port": port, "display_name": ip} for ip in members]  # LBPoolMember fields
    monitor = params.get("monitor_path")
    return _body("LBPool", {"members": rows, "algorithm": params.get("algorithm"),
                            "active_monitor_paths": [monitor] if monitor else None,
                            "snat_translation": {"type": SNAT[params.get("snat") or "AUTOMAP"]}}, params)


def virtual_server_body(params, vip, object_paths):
    return _body("LBVirtualServer", {
        "ip_address": vip, "ports": [_port(params.get("port"), "port")],
        "application_profile_path": params.get("application_profile_path") or DEFAULT_APP_PROFILE,
        "lb_service_path": object_paths["LBService"], "pool_path": object_paths["LBPool"], "enabled": True}, params)


def run(client, params, check_mode=False, sleep=None):
    """Converge the three objects; return ``{changed, vip, paths, service, pool, virtual_server, diff}``."""
    object_paths = paths(params["id"])
    cluster = params.get("cluster")
    timeout = params.get("delete_timeout", 60)
    kinds = ("LBService", "LBPool", "LBVirtualServer")
    results = {}
    if params["state"] == "absent":
        extra = {"sleep": sleep} if sleep else {}
        for kind in reversed(kinds):  # virtual server, then pool, then service
            results[kind] = resource.ensure_absent(client, object_paths[kind], check_mode, cluster, timeout, **extra)
        vip = None
    else:
        if not params.get("vip") and params.get("vip_segment_id"):
            vip = vip_from_segment(client, params["vip_segment_id"], params.get("vip_offset") or 4, check_mode)
            if vip is None:  # check mode before the segment exists: everything would be created
                return {"changed": True, "vip": None, "port": params.get("port"), "paths": dict(
                    (k, v) for k, v in zip(("service", "pool", "virtual_server"), (object_paths[k] for k in kinds))),
                    "service": {}, "pool": {}, "virtual_server": {}, "diff": {"before": {}, "after": {}}}
            params = dict(params, vip=vip)
        vip, members = validate(params)
        bodies = {"LBService": service_body(params), "LBPool": pool_body(params, members),
                  "LBVirtualServer": virtual_server_body(params, vip, object_paths)}
        for kind in kinds:  # the virtual server refers to the other two: created last
            results[kind] = resource.ensure_present(client, object_paths[kind], bodies[kind], check_mode, cluster)
        if params.get("wait_for_realization") and not check_mode:
            realization.wait_realized(client, object_paths["LBVirtualServer"], params.get("realization_timeout", 300))
    names = {"LBService": "service", "LBPool": "pool", "LBVirtualServer": "virtual_server"}
    out = {"changed": any(r["changed"] for r in results.values()), "vip": vip, "port": params.get("port"),
           "paths": dict((names[k], object_paths[k]) for k in kinds),
           "diff": {"before": dict((names[k], results[k]["before"]) for k in kinds),
                    "after": dict((names[k], results[k]["after"]) for k in kinds)}}
    for kind in kinds:
        obj = results[kind]["object"]
        out[names[kind]] = resource.visible(obj) if obj else {}
    return out
