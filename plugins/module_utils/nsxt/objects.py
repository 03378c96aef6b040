# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Request bodies for the Policy objects we manage, built from module parameters.

Only fields listed in the NSX Policy API schemas (shared/specs/nsxt/schemas-notes.md) and writable
there may appear in a body; ``WRITABLE`` is that list and ``body_for`` refuses anything else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtInvalidInput
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.resource import tags_with_cluster, validate_id

COMMON = ("display_name", "description", "tags", "resource_type")
WRITABLE = {
    "Segment": COMMON + ("admin_state", "connectivity_path", "transport_zone_path", "subnets", "replication_mode",
                         "vlan_ids", "domain_name", "dhcp_config_path"),
    "SegmentSubnet": ("gateway_address", "dhcp_ranges"),
    "Tier1": COMMON + ("tier0_path", "failover_mode", "ha_mode", "pool_allocation", "route_advertisement_types",
                       "type", "disable_firewall", "enable_standby_relocation"),
    "IpAddressBlock": COMMON + ("cidrs", "visibility"),
    "IpAddressPool": COMMON,
    "IpAddressPoolBlockSubnet": COMMON + ("ip_block_path", "subnet_size", "start_ip", "auto_assign_gateway"),
}


def path_for(kind, object_id, parent_id=None):
    validate_id(object_id)
    if kind == "Segment":
        return "/infra/segments/%s" % object_id
    if kind == "Tier1":
        return "/infra/tier-1s/%s" % object_id
    if kind == "IpAddressBlock":
        return "/infra/ip-blocks/%s" % object_id
    if kind == "IpAddressPool":
        return "/infra/ip-pools/%s" % object_id
    if kind == "IpAddressPoolBlockSubnet":
        return "/infra/ip-pools/%s/ip-subnets/%s" % (validate_id(parent_id, "pool id"), object_id)
    raise NsxtInvalidInput("unknown kind %s" % kind)


def body_for(kind, params, fields, with_resource_type=False):
    """The body for ``kind``: every listed field the user set (not None), plus tags and resource_type."""
    body = {}
    for name in fields:
        if name not in WRITABLE[kind]:
            raise NsxtInvalidInput("%s is not a writable field of %s" % (name, kind))
        if params.get(name) is not None:
            body[name] = params[name]
    tags = tags_with_cluster(params.get("tags"), params.get("cluster"))
    if tags is not None:
        body["tags"] = tags
    if with_resource_type:
        body["resource_type"] = kind
    return body


def segment_body(params):
    body = body_for("Segment", params, ("display_name", "description", "admin_state", "connectivity_path",
                                        "transport_zone_path", "replication_mode", "vlan_ids", "domain_name"))
    if params.get("tier1_id"):
        body["connectivity_path"] = path_for("Tier1", params["tier1_id"])
    if params.get("subnets") is not None:
        subnets = []
        for s in params["subnets"]:
            _check_gateway(s.get("gateway_address"))
            subnets.append(dict((k, v) for k, v in s.items() if v is not None and k in WRITABLE["SegmentSubnet"]))
        if len(subnets) > 1:
            raise NsxtInvalidInput("a segment holds at most one subnet (schema: 'Max 1 subnet')")
        body["subnets"] = subnets
    return body


def _check_gateway(value):
    try:
        iface = ipaddress.ip_interface(u"%s" % value)
    except ValueError:
        raise NsxtInvalidInput("gateway_address %r is not an address with a prefix length, e.g. 10.100.1.1/24" % value)
    if "/" not in str(value) or iface.ip == iface.network.network_address:
        raise NsxtInvalidInput("gateway_address %r must be a host address with its prefix, e.g. 10.100.1.1/24" % value)


def tier1_body(params):
    return body_for("Tier1", params, ("display_name", "description", "tier0_path", "failover_mode", "ha_mode",
                                      "pool_allocation", "route_advertisement_types", "type"))


def ip_block_body(params):
    for cidr in params.get("cidrs") or []:
        try:
            ipaddress.ip_network(u"%s" % cidr, strict=True)
        except ValueError as e:
            raise NsxtInvalidInput("cidr %r of block %s is invalid: %s" % (cidr, params.get("id"), e))
    return body_for("IpAddressBlock", params, ("display_name", "description", "cidrs", "visibility"))


def ip_pool_body(params):
    return body_for("IpAddressPool", params, ("display_name", "description"))


def block_subnet_body(params, block):
    """Body of the pool's block subnet: ``subnet_size`` addresses carved out of ``block``."""
    size = params.get("subnet_size")
    if size is not None and (size < 4 or size & (size - 1)):
        raise NsxtInvalidInput("subnet_size %s must be a power of two >= 4 (256 = one /24)" % size)
    cidrs = block.get("cidrs") or ([block["cidr"]] if block.get("cidr") else [])
    nets = [ipaddress.ip_network(u"%s" % c, strict=False) for c in cidrs]
    if params.get("start_ip"):
        try:
            start = ipaddress.ip_address(u"%s" % params["start_ip"])
        except ValueError:
            raise NsxtInvalidInput("start_ip %r is not an IP address" % params["start_ip"])
        if not any(start in n for n in nets):
            raise NsxtInvalidInput("start_ip %s is not in IP block %s (%s)" % (start, block.get("id"), ", ".join(cidrs)))
        if size and not any(start in n and int(start) + size - 1 <= int(n.broadcast_address) for n in nets):
            raise NsxtInvalidInput("a subnet of %s addresses from %s does not fit in IP block %s (%s)"
                                   % (size, start, block.get("id"), ", ".join(cidrs)))
    if size is not None and nets and size > max(n.num_addresses for n in nets):
        raise NsxtInvalidInput("subnet_size %s is larger than IP block %s (%s)" % (size, block.get("id"), ", ".join(cidrs)))
    sub = {"display_name": params.get("subnet_id"), "cluster": params.get("cluster"),
           "ip_block_path": block.get("path") or path_for("IpAddressBlock", block["id"]),
           "subnet_size": str(size) if size is not None else None, "start_ip": params.get("start_ip"),
           "auto_assign_gateway": params.get("auto_assign_gateway")}
    fields = ("display_name", "ip_block_path", "subnet_size", "start_ip", "auto_assign_gateway")
    return body_for("IpAddressPoolBlockSubnet", sub, fields, with_resource_type=True)


def subnet_summary(subnet):
    """The allocation as later roles use it: cidr, gateway, netmask, prefix."""
    cidr = (subnet or {}).get("cidr") or (subnet or {}).get("allocated_cidr")
    if not cidr:
        return {}
    net = ipaddress.ip_network(u"%s" % cidr, strict=False)
    gw = subnet.get("gateway_address")
    return {"cidr": str(net), "network_address": str(net.network_address), "netmask": str(net.netmask),
            "prefix": net.prefixlen, "gateway": gw.split("/")[0] if gw else None,
            "gateway_cidr": ("%s/%s" % (gw.split("/")[0], net.prefixlen)) if gw else None}
