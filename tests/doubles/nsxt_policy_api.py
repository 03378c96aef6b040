# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""TEST DOUBLE of the NSX-T Policy API (``/policy/api/v1``) -- not NSX-T, not a simulator of it.

No NSX Manager can run here, so the nsxt_* modules are tested against this small HTTPS server on
127.0.0.1. It enforces only what shared/specs/nsxt/schemas-notes.md documents, transcribed here on
its own (it does not import the collection's field lists, so a wrong list there is caught here):

- PATCH creates or merges (top-level fields), answers 200 with no body; PUT answers the object;
  ``_revision`` starts at 0 and increments on every write; a PATCH/PUT carrying a stale ``_revision``,
  or a PUT on an existing object without one, gets 412; a PUT that creates must not carry one (400);
- request bodies may only use fields the schema notes list (read-only ones included) -> 400 otherwise;
  enums and the documented limits are checked;
- realization takes ``realization_delay`` seconds after each write (``never_realize``/``fail_realize``
  make it hang or fail); ``/infra/realized-state/realized-entities?intent_path=`` reports it;
- GET of a missing object is 404; DELETE marks for delete, the object disappears ``delete_delay`` later;
  DELETE of a segment with ports is 409 (so is a tier-1 a segment connects to, a block a pool subnet
  uses, a pool that still has subnets);
- IpAddressPoolBlockSubnet allocates ``subnet_size`` addresses from its block (start_ip outside the block
  -> 400, block exhausted -> 400); the allocation shows in the subnet once realized;
- basic auth or a session (``POST /api/session/create``); faults (429/503...) can be injected;
- load balancer (LBService, LBPool, LBVirtualServer; fields from the NSX Policy API reference, not from
  schemas-notes.md, which does not transcribe them): required fields (a virtual server's ``ip_address``,
  ``ports`` and ``application_profile_path``, a pool member's ``ip_address``), enums, and references that must
  exist and not be marked for delete (``connectivity_path`` a tier-1, ``lb_service_path``, ``pool_path``,
  ``active_monitor_paths`` a monitor profile, ``application_profile_path`` an application profile); two
  virtual servers of one service on the same IP and port -> 400; DELETE of a pool or service a virtual server
  refers to, or of a tier-1 an LB service is attached to, -> 409. The built-in default profiles
  (``default-tcp-lb-app-profile``, ``default-tcp-lb-monitor``...) exist and are read-only (system owned).
"""

from __future__ import absolute_import, division, print_function

import base64
import ipaddress
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from https_double import HttpsDouble  # noqa: E402  (doubles are loaded by file path)

BASE = "/policy/api/v1"
ID = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,254})"
ROUTES = [
    (re.compile(r"^/infra/segments/" + ID + "$"), "Segment"),
    (re.compile(r"^/infra/tier-1s/" + ID + "$"), "Tier1"),
    (re.compile(r"^/infra/ip-blocks/" + ID + "$"), "IpAddressBlock"),
    (re.compile(r"^/infra/ip-pools/" + ID + "$"), "IpAddressPool"),
    (re.compile(r"^/infra/ip-pools/" + ID + "/ip-subnets/" + ID + "$"), "IpAddressPoolSubnet"),
    (re.compile(r"^/infra/lb-services/" + ID + "$"), "LBService"),
    (re.compile(r"^/infra/lb-pools/" + ID + "$"), "LBPool"),
    (re.compile(r"^/infra/lb-virtual-servers/" + ID + "$"), "LBVirtualServer"),
    (re.compile(r"^/infra/lb-app-profiles/" + ID + "$"), "LBAppProfile"),
    (re.compile(r"^/infra/lb-monitor-profiles/" + ID + "$"), "LBMonitorProfile"),
]
LISTS = {"/infra/segments": "Segment", "/infra/tier-1s": "Tier1", "/infra/ip-blocks": "IpAddressBlock",
         "/infra/ip-pools": "IpAddressPool", "/infra/lb-services": "LBService", "/infra/lb-pools": "LBPool",
         "/infra/lb-virtual-servers": "LBVirtualServer", "/infra/lb-app-profiles": "LBAppProfile",
         "/infra/lb-monitor-profiles": "LBMonitorProfile"}
READ_ONLY_KINDS = ("LBAppProfile", "LBMonitorProfile")  # only the built-in, system-owned defaults are served

# --- transcribed from schemas-notes.md -------------------------------------------------------------
BASE_FIELDS = {"id", "display_name", "description", "tags", "resource_type", "_revision"}
READ_ONLY_BASE = {"_create_time", "_create_user", "_last_modified_time", "_last_modified_user", "_protection",
                  "_system_owned", "marked_for_delete", "overridden", "path", "parent_path", "relative_path",
                  "remote_path", "unique_id", "realization_id", "owner_id", "origin_site_id", "_links", "_schema",
                  "_self"}
FIELDS = {
    "Segment": {"address_bindings", "admin_state", "advanced_config", "bridge_profiles", "connectivity_path",
                "dhcp_config_path", "domain_name", "evpn_segment", "evpn_tenant_config_path", "extra_configs",
                "federation_config", "l2_extension", "ls_id", "mac_pool_id", "metadata_proxy_paths", "overlay_id",
                "replication_mode", "subnets", "transport_zone_path", "type", "vlan_ids"},
    "Tier1": {"arp_limit", "default_rule_logging", "dhcp_config_paths", "disable_firewall",
              "enable_standby_relocation", "failover_mode", "federation_config", "force_whitelisting", "ha_mode",
              "intersite_config", "ipv6_profile_paths", "pool_allocation", "qos_profile",
              "route_advertisement_rules", "route_advertisement_types", "tier0_path", "type"},
    "IpAddressPool": {"check_overlap_with_existing_pools", "ip_address_type", "ip_release_delay", "pool_usage",
                      "sync_realization", "visibility"},
    "IpAddressBlock": {"available_allocation_size", "cidr", "cidrs", "excluded_ips", "ip_address_type", "ranges",
                       "subnet_exclusive", "sync_realization", "third_party_ipam", "total_size",
                       "usage_percentage", "used_size", "visibility"},
    "IpAddressPoolBlockSubnet": {"sync_realization", "allocated_cidr", "allocation_range", "auto_assign_gateway",
                                 "broadcast_address", "cidr", "gateway_address", "ip_block_path",
                                 "network_address", "size", "start_ip", "subnet_size"},
    "IpAddressPoolStaticSubnet": {"sync_realization", "allocation_ranges", "cidr", "dns_nameservers", "dns_suffix",
                                  "gateway_ip"},
    # --- load balancer, from the NSX Policy API reference (LBService, LBPool, LBVirtualServer) ---
    "LBService": {"access_log_enabled", "connectivity_path", "enabled", "error_log_level", "relax_scale_validation",
                  "size", "children"},
    "LBPool": {"active_monitor_paths", "algorithm", "member_group", "members", "min_active_members",
               "passive_monitor_path", "snat_translation", "tcp_multiplexing_enabled", "tcp_multiplexing_number",
               "children"},
    "LBVirtualServer": {"access_list_control", "access_log_enabled", "application_profile_path",
                        "client_ssl_profile_binding", "default_pool_member_ports", "enabled", "ip_address",
                        "lb_persistence_profile_path", "lb_service_path", "log_significant_event_only",
                        "max_concurrent_connections", "max_new_connection_rate", "pool_path", "ports", "rules",
                        "server_ssl_profile_binding", "sorry_pool_path", "waf_profile_binding", "children"},
}
LB_MEMBER_FIELDS = {"admin_state", "backup_member", "display_name", "ip_address", "max_concurrent_connections", "port",
                    "weight"}
LB_REQUIRED = {"LBVirtualServer": ("ip_address", "ports", "application_profile_path")}
LB_SNAT_TYPES = {"LBSnatAutoMap", "LBSnatDisabled", "LBSnatIpPool"}
# built-in profiles every NSX-T manager has (system owned): path -> resource_type
LB_DEFAULT_PROFILES = {
    "/infra/lb-app-profiles/default-tcp-lb-app-profile": "LBFastTcpProfile",
    "/infra/lb-app-profiles/default-udp-lb-app-profile": "LBFastUdpProfile",
    "/infra/lb-app-profiles/default-http-lb-app-profile": "LBHttpProfile",
    "/infra/lb-monitor-profiles/default-tcp-lb-monitor": "LBTcpMonitorProfile",
    "/infra/lb-monitor-profiles/default-http-lb-monitor": "LBHttpMonitorProfile",
    "/infra/lb-monitor-profiles/default-icmp-lb-monitor": "LBIcmpMonitorProfile",
}
SEGMENT_SUBNET_FIELDS = {"dhcp_config", "dhcp_ranges", "gateway_address", "network"}
TAG_FIELDS = {"scope", "tag"}
ENUMS = {
    ("Segment", "admin_state"): {"UP", "DOWN"},
    ("Segment", "replication_mode"): {"MTEP", "SOURCE"},
    ("Tier1", "failover_mode"): {"PREEMPTIVE", "NON_PREEMPTIVE"},
    ("Tier1", "ha_mode"): {"ACTIVE_STANDBY", "ACTIVE_ACTIVE"},
    ("Tier1", "pool_allocation"): {"ROUTING", "LB_SMALL", "LB_MEDIUM", "LB_LARGE", "LB_XLARGE"},
    ("Tier1", "type"): {"ROUTED", "ISOLATED", "NATTED"},
    ("IpAddressPool", "visibility"): {"PRIVATE", "PUBLIC"},
    ("IpAddressBlock", "visibility"): {"PRIVATE", "EXTERNAL"},
    ("LBService", "size"): {"SMALL", "MEDIUM", "LARGE", "XLARGE", "DLB"},
    ("LBService", "error_log_level"): {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"},
    ("LBPool", "algorithm"): {"ROUND_ROBIN", "WEIGHTED_ROUND_ROBIN", "LEAST_CONNECTION", "WEIGHTED_LEAST_CONNECTION",
                              "IP_HASH"},
}
ROUTE_TYPES = {"TIER1_STATIC_ROUTES", "TIER1_CONNECTED", "TIER1_NAT", "TIER1_LB_VIP", "TIER1_LB_SNAT",
               "TIER1_DNS_FORWARDER_IP", "TIER1_IPSEC_LOCAL_ENDPOINT"}


class ApiFault(Exception):
    def __init__(self, status, message, code=None):
        super(ApiFault, self).__init__(message)
        self.status = status
        self.message = message
        self.code = code


class PolicyApiDouble(HttpsDouble):
    """TEST DOUBLE. ``start()`` serves HTTPS on 127.0.0.1; state and knobs are plain attributes."""

    name = "nsxt-policy-api-test-double"

    def __init__(self, username="admin", password="VMware1!VMware1!", realization_delay=0.3, delete_delay=0.2):
        self.username = username
        self.password = password
        self.realization_delay = realization_delay
        self.delete_delay = delete_delay
        self.objects = {}          # path -> stored object (public fields + _revision + hidden '_x_' fields)
        self.requests = []         # dicts: method, path, query, body, status, auth
        self.segment_ports = {}    # segment path -> number of ports (409 on delete when > 0)
        self.never_realize = set()
        self.fail_realize = set()
        self.faults = []           # dicts: status, method, path, times, retry_after
        self.bump_after_get = {}   # path -> times: after serving a GET, another writer bumps _revision
        self.sessions = set()
        self.lock = threading.RLock()
        self.server = None
        self.tmpdir = None

    # --- knobs for tests -------------------------------------------------------------------------
    def inject(self, status, method=None, path=None, times=1, retry_after=None):
        self.faults.append({"status": status, "method": method, "path": path, "times": times,
                            "retry_after": retry_after})

    def writes(self):
        return [r for r in self.requests if r["method"] in ("PATCH", "PUT", "DELETE", "POST")
                and r["path"].startswith("/infra")]

    def get(self, path):
        with self.lock:
            self._reap()
            obj = self.objects.get(path)
            return self._public(path, obj) if obj else None

    # --- request handling ------------------------------------------------------------------------
    def handle(self, method, path, query, body):
        with self.lock:
            self._reap()
            for fault in self.faults:
                if fault["times"] > 0 and (fault["method"] in (None, method)) and (fault["path"] in (None, path)):
                    fault["times"] -= 1
                    headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
                    return fault["status"], {"error_message": "injected fault", "httpStatus": fault["status"]}, headers
            if path == "/infra/realized-state/realized-entities" and method == "GET":
                return 200, self._realized(query.get("intent_path", [""])[0]), {}
            if path == "/infra/realized-state/status" and method == "GET":
                ents = self._realized(query.get("intent_path", [""])[0])["results"]
                state = "REALIZED" if ents and all(e["state"] == "REALIZED" for e in ents) else "IN_PROGRESS"
                return 200, {"consolidated_status": {"consolidated_status": state}}, {}
            if method == "GET" and (path in LISTS or re.match(r"^/infra/ip-pools/%s/ip-subnets$" % ID, path)):
                prefix = path + "/"
                items = [self._public(p, o) for p, o in sorted(self.objects.items())
                         if p.startswith(prefix) and "/" not in p[len(prefix):]]
                return 200, {"results": items, "result_count": len(items)}, {}
            if method == "GET" and path in LISTS and LISTS[path] in READ_ONLY_KINDS:
                items = [self._default_profile(p) for p in sorted(LB_DEFAULT_PROFILES) if p.startswith(path + "/")]
                return 200, {"results": items, "result_count": len(items)}, {}
            kind, ids = _route(path)
            if kind is None:
                raise ApiFault(404, "The requested URI: %s could not be found." % path, 216)
            if kind in READ_ONLY_KINDS:
                if path not in LB_DEFAULT_PROFILES:
                    raise ApiFault(404, "%s not found (this double serves only the built-in profiles)" % path, 500090)
                if method != "GET":
                    raise ApiFault(403, "%s is system owned and cannot be modified or deleted" % path, 500014)
                return 200, self._default_profile(path), {}
            if method == "GET":
                obj = self.objects.get(path)
                if obj is None:
                    raise ApiFault(404, "%s not found" % path, 500090)
                answer = self._public(path, obj)
                if self.bump_after_get.get(path, 0) > 0:
                    self.bump_after_get[path] -= 1
                    self._touch(obj)
                return 200, answer, {}
            if method in ("PATCH", "PUT"):
                return self._write(method, path, kind, ids, body)
            if method == "DELETE":
                return self._delete(path, kind)
            raise ApiFault(405, "method %s not allowed" % method)

    def _touch(self, obj):
        obj["_revision"] += 1
        obj["_last_modified_time"] = int(time.time() * 1000)
        obj["_x_modified"] = time.monotonic()

    def _write(self, method, path, kind, ids, body):
        if not isinstance(body, dict):
            raise ApiFault(400, "request body must be a JSON object", 255)
        existing = self.objects.get(path)
        if existing is not None and existing.get("marked_for_delete"):
            raise ApiFault(400, "%s is marked for deletion" % path, 500012)
        real_kind = kind
        if kind == "IpAddressPoolSubnet":
            real_kind = body.get("resource_type") or (existing or {}).get("resource_type")
            if real_kind not in ("IpAddressPoolBlockSubnet", "IpAddressPoolStaticSubnet"):
                raise ApiFault(400, "resource_type must be IpAddressPoolBlockSubnet or IpAddressPoolStaticSubnet", 255)
        _validate(real_kind, body, ids[-1])
        revision = body.get("_revision")
        if existing is None:
            if method == "PUT" and revision is not None:
                raise ApiFault(400, "_revision must not be set when creating %s" % path, 255)
            if kind == "IpAddressPool" or kind == "IpAddressPoolSubnet":
                if kind == "IpAddressPoolSubnet" and ("/infra/ip-pools/%s" % ids[0]) not in self.objects:
                    raise ApiFault(404, "IP pool %s not found" % ids[0], 500090)
            obj = {"id": ids[-1], "resource_type": real_kind, "display_name": ids[-1], "_revision": -1,
                   "_create_time": int(time.time() * 1000), "_create_user": self.username, "_protection": "NOT_PROTECTED",
                   "_system_owned": False, "marked_for_delete": False, "overridden": False, "path": path,
                   "parent_path": path.rsplit("/", 2)[0] if kind == "IpAddressPoolSubnet" else "/infra",
                   "relative_path": ids[-1], "unique_id": str(uuid.uuid4())}
            new = dict(obj)
        else:
            if revision is None and method == "PUT":
                raise ApiFault(412, "The object was modified by somebody else: PUT needs _revision", 602)
            if revision is not None and revision != existing["_revision"]:
                raise ApiFault(412, "The object was modified by somebody else (stale _revision %s, current %s)"
                               % (revision, existing["_revision"]), 602)
            new = dict(existing)
            if method == "PUT":
                for k in list(new):
                    if not k.startswith("_") and k not in READ_ONLY_BASE and k not in ("id", "resource_type"):
                        del new[k]
        for k, v in body.items():
            if k != "_revision":
                new[k] = v
        if kind == "Segment":
            self._check_segment(new)
        if kind == "IpAddressBlock":
            self._check_block(path, existing, new)
        if real_kind == "IpAddressPoolBlockSubnet":
            self._allocate(path, existing, new)
        if kind in ("LBService", "LBPool", "LBVirtualServer"):
            self._check_lb(kind, path, new)
        if kind == "Tier1" and new.get("tier0_path") and new["tier0_path"] not in self.objects \
                and not new["tier0_path"].startswith("/infra/tier-0s/"):
            raise ApiFault(400, "tier0_path %s is not a Tier-0 path" % new["tier0_path"], 503040)
        self._touch(new)
        self.objects[path] = new
        if method == "PUT":
            return 200, self._public(path, new), {}
        return 200, None, {}

    def _exists(self, path):
        obj = self.objects.get(path)
        return path in LB_DEFAULT_PROFILES or (obj is not None and not obj.get("marked_for_delete"))

    def _default_profile(self, path):
        return {"id": path.rsplit("/", 1)[1], "display_name": path.rsplit("/", 1)[1], "path": path,
                "resource_type": LB_DEFAULT_PROFILES[path], "_system_owned": True, "_revision": 0,
                "_protection": "NOT_PROTECTED", "parent_path": "/infra", "relative_path": path.rsplit("/", 1)[1]}

    def _check_lb(self, kind, path, new):
        """Required fields and references of the load balancer objects (checked on the object after the merge)."""
        def must_exist(field, ref, prefix, what):
            if ref is None:
                return
            if not isinstance(ref, str) or not ref.startswith(prefix) or not self._exists(ref):
                raise ApiFault(400, "%s %r of %s does not exist (expected an existing %s)" % (field, ref, path, what), 600)
        for field in LB_REQUIRED.get(kind, ()):
            if new.get(field) in (None, "", []):
                raise ApiFault(400, "%s is required in %s" % (field, kind), 255)
        if kind == "LBService":
            must_exist("connectivity_path", new.get("connectivity_path"), "/infra/tier-1s/", "tier-1 gateway")
        if kind == "LBPool":
            for monitor in new.get("active_monitor_paths") or []:
                must_exist("active_monitor_paths", monitor, "/infra/lb-monitor-profiles/", "LB monitor profile")
            if len(new.get("active_monitor_paths") or []) > 1:
                raise ApiFault(400, "only one active monitor per pool", 255)
            must_exist("passive_monitor_path", new.get("passive_monitor_path"), "/infra/lb-monitor-profiles/", "LB monitor profile")
        if kind == "LBVirtualServer":
            try:
                ipaddress.ip_address(new["ip_address"])
            except ValueError:
                raise ApiFault(400, "ip_address %r is not an IP address" % new["ip_address"], 255)
            ports = new["ports"]
            if not isinstance(ports, list) or not all(isinstance(p, str) and re.match(r"^\d{1,5}(-\d{1,5})?$", p) for p in ports):
                raise ApiFault(400, "ports must be a list of port strings like \"6443\" or \"1234-1236\"", 255)
            must_exist("application_profile_path", new["application_profile_path"], "/infra/lb-app-profiles/",
                       "LB application profile")
            must_exist("lb_service_path", new.get("lb_service_path"), "/infra/lb-services/", "LB service")
            must_exist("pool_path", new.get("pool_path"), "/infra/lb-pools/", "LB pool")
            must_exist("sorry_pool_path", new.get("sorry_pool_path"), "/infra/lb-pools/", "LB pool")
            for other_path, other in self.objects.items():
                if other_path != path and other.get("resource_type") == "LBVirtualServer" \
                        and not other.get("marked_for_delete") and new.get("lb_service_path") \
                        and other.get("lb_service_path") == new.get("lb_service_path") \
                        and other.get("ip_address") == new["ip_address"] and set(other.get("ports") or []) & set(ports):
                    raise ApiFault(400, "%s:%s is already used by virtual server %s on the same LB service"
                                   % (new["ip_address"], ",".join(ports), other_path), 600)

    def _check_segment(self, seg):
        cp = seg.get("connectivity_path")
        if cp and cp not in self.objects and not cp.startswith("/infra/tier-0s/"):
            raise ApiFault(400, "connectivity_path %s does not exist" % cp, 503040)
        for sub in seg.get("subnets") or []:
            try:
                iface = ipaddress.ip_interface(sub.get("gateway_address", ""))
            except ValueError:
                raise ApiFault(400, "invalid gateway_address %r" % sub.get("gateway_address"), 255)
            for other_path, other in self.objects.items():
                if other.get("resource_type") != "Segment" or other_path == seg["path"]:
                    continue
                for osub in other.get("subnets") or []:
                    if ipaddress.ip_interface(osub["gateway_address"]).network.overlaps(iface.network) \
                            and other.get("connectivity_path") and other.get("connectivity_path") == cp:
                        raise ApiFault(400, "subnet %s overlaps segment %s on the same gateway" % (iface.network, other_path), 503126)

    def _check_block(self, path, existing, new):
        if existing is not None:
            old = set(existing.get("cidrs") or [existing.get("cidr")])
            used = [o for o in self.objects.values() if o.get("ip_block_path") == path]
            if used and not old <= set(new.get("cidrs") or [new.get("cidr")]):
                raise ApiFault(400, "cannot remove CIDRs of IP block %s while subnets are allocated from it" % path, 5140)
        for c in new.get("cidrs") or ([new["cidr"]] if new.get("cidr") else []):
            try:
                ipaddress.ip_network(c)
            except ValueError:
                raise ApiFault(400, "invalid CIDR %r" % c, 5120)

    def _allocate(self, path, existing, new):
        if existing is not None:
            for field in ("ip_block_path", "subnet_size", "start_ip", "size"):
                if field in new and new.get(field) != existing.get(field):
                    raise ApiFault(400, "%s of an allocated subnet cannot be changed" % field, 5145)
            return
        block = self.objects.get(new.get("ip_block_path") or "")
        if block is None:
            raise ApiFault(400, "ip_block_path %r does not exist" % new.get("ip_block_path"), 5141)
        size = int(new.get("subnet_size") or new.get("size") or 0)
        if size < 1 or size & (size - 1):
            raise ApiFault(400, "subnet_size must be a power of two", 5142)
        nets = [ipaddress.ip_network(c) for c in (block.get("cidrs") or [block.get("cidr")])]
        prefix = nets[0].max_prefixlen - (size.bit_length() - 1)
        taken = [ipaddress.ip_network(o["_x_cidr"]) for o in self.objects.values() if o.get("_x_cidr")
                 and o.get("ip_block_path") == new["ip_block_path"]]
        if new.get("start_ip"):
            start = ipaddress.ip_address(new["start_ip"])
            if not any(start in n for n in nets):
                raise ApiFault(400, "start_ip %s is not in IP block %s" % (start, block["id"]), 5143)
            candidates = [ipaddress.ip_network("%s/%d" % (start, prefix), strict=False)]
            if candidates[0].network_address != start or not any(candidates[0].subnet_of(n) for n in nets):
                raise ApiFault(400, "%s/%d is not an aligned subnet of IP block %s" % (start, prefix, block["id"]), 5143)
        else:
            candidates = [s for n in nets if prefix >= n.prefixlen for s in n.subnets(new_prefix=prefix)]
        for cand in candidates:
            if not any(cand.overlaps(t) for t in taken):
                new["_x_cidr"] = str(cand)
                return
        raise ApiFault(400, "IP block %s is exhausted: no free subnet of %d addresses" % (block["id"], size), 5144)

    def _delete(self, path, kind):
        obj = self.objects.get(path)
        if obj is None or obj.get("marked_for_delete"):
            return 200, None, {}
        if kind == "Segment" and self.segment_ports.get(path, 0) > 0:
            raise ApiFault(409, "Segment %s has %d ports attached; delete them first"
                           % (path, self.segment_ports[path]), 503040)
        users = [p for p, o in self.objects.items() if not o.get("marked_for_delete") and (
            o.get("connectivity_path") == path or o.get("ip_block_path") == path
            or (kind == "IpAddressPool" and p.startswith(path + "/ip-subnets/"))
            or (kind == "LBPool" and path in (o.get("pool_path"), o.get("sorry_pool_path")))
            or (kind == "LBService" and o.get("lb_service_path") == path))]
        if users:
            raise ApiFault(409, "%s is still used by %s" % (path, ", ".join(sorted(users))), 500030)
        obj["marked_for_delete"] = True
        obj["_x_deleted"] = time.monotonic()
        return 200, None, {}

    def _reap(self):
        now = time.monotonic()
        for p in [p for p, o in self.objects.items() if o.get("_x_deleted") and now - o["_x_deleted"] >= self.delete_delay]:
            del self.objects[p]
            self.segment_ports.pop(p, None)

    def _realized_state(self, path, obj):
        if path in self.fail_realize:
            return "ERROR"
        if path in self.never_realize or time.monotonic() - obj["_x_modified"] < self.realization_delay:
            return "IN_PROGRESS"
        return "REALIZED"

    def _realized(self, intent_path):
        obj = self.objects.get(intent_path)
        if obj is None:
            return {"results": [], "result_count": 0}
        state = self._realized_state(intent_path, obj)
        ent = {"id": obj["unique_id"], "entity_type": "Realized" + obj["resource_type"], "state": state,
               "intent_reference": [intent_path], "publish_status": state, "runtime_status": "UP",
               "extended_attributes": []}
        if state == "ERROR":
            ent["runtime_status"] = "realization failed (injected)"
        if obj.get("_x_cidr") and state == "REALIZED":
            ent["extended_attributes"] = [{"key": "allocated_cidr", "values": [obj["_x_cidr"]]}]
        return {"results": [ent], "result_count": 1}

    def _public(self, path, obj):
        out = dict((k, v) for k, v in obj.items() if not k.startswith("_x_"))
        if obj.get("_x_cidr") and self._realized_state(path, obj) == "REALIZED":
            net = ipaddress.ip_network(obj["_x_cidr"])
            hosts = net.num_addresses
            out.update({"cidr": str(net), "allocated_cidr": str(net), "network_address": str(net.network_address),
                        "broadcast_address": str(net.broadcast_address)})
            if obj.get("auto_assign_gateway", True) and hosts >= 4:
                out["gateway_address"] = "%s/%d" % (net.network_address + 1, net.prefixlen)
        if obj.get("resource_type") == "Segment":
            for sub in out.get("subnets") or []:
                sub["network"] = str(ipaddress.ip_interface(sub["gateway_address"]).network)
            out["type"] = "ROUTED" if out.get("connectivity_path") else "DISCONNECTED"
        return out


def _route(path):
    for pattern, kind in ROUTES:
        m = pattern.match(path)
        if m:
            return kind, m.groups()
    if re.match(r"^/infra/(segments|tier-1s|ip-blocks|ip-pools|lb-services|lb-pools|lb-virtual-servers|lb-app-profiles|"
                r"lb-monitor-profiles)/", path):
        raise ApiFault(400, "invalid object id in %s" % path, 500011)
    return None, None


def _validate(kind, body, object_id):
    allowed = BASE_FIELDS | READ_ONLY_BASE | FIELDS[kind]
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiFault(400, "Field(s) %s are not defined in the %s schema" % (", ".join(unknown), kind), 255)
    if body.get("id") not in (None, object_id):
        raise ApiFault(400, "id %r in the body does not match the path" % body["id"], 255)
    if len(body.get("display_name") or "") > 255 or len(body.get("description") or "") > 1024:
        raise ApiFault(400, "display_name/description too long", 255)
    tags = body.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or len(tags) > 30:
            raise ApiFault(400, "tags must be a list of at most 30 items", 255)
        for t in tags:
            if not isinstance(t, dict) or set(t) - TAG_FIELDS:
                raise ApiFault(400, "a tag has only scope and tag: %r" % (t,), 255)
    for (k, field), values in ENUMS.items():
        if k == kind and field in body and body[field] not in values:
            raise ApiFault(400, "%s: %r is not one of %s" % (field, body[field], sorted(values)), 255)
    if kind == "Tier1":
        bad = [r for r in body.get("route_advertisement_types") or [] if r not in ROUTE_TYPES]
        if bad:
            raise ApiFault(400, "route_advertisement_types: %s not allowed" % bad, 255)
    if kind == "LBPool":
        for member in body.get("members") or []:
            if not isinstance(member, dict) or set(member) - LB_MEMBER_FIELDS:
                raise ApiFault(400, "Field(s) %s are not defined in the LBPoolMember schema"
                               % sorted(set(member) - LB_MEMBER_FIELDS if isinstance(member, dict) else ["?"]), 255)
            if not member.get("ip_address"):
                raise ApiFault(400, "ip_address is required in LBPoolMember", 255)
            if member.get("admin_state") not in (None, "ENABLED", "DISABLED", "GRACEFUL_DISABLED"):
                raise ApiFault(400, "admin_state %r is not allowed" % member["admin_state"], 255)
        snat = body.get("snat_translation")
        if snat is not None and (not isinstance(snat, dict) or snat.get("type") not in LB_SNAT_TYPES):
            raise ApiFault(400, "snat_translation.type must be one of %s" % sorted(LB_SNAT_TYPES), 255)
    if kind == "Segment" and body.get("subnets") is not None:
        if len(body["subnets"]) > 1:
            raise ApiFault(400, "a segment has at most 1 subnet", 255)
        for sub in body["subnets"]:
            extra = sorted(set(sub) - SEGMENT_SUBNET_FIELDS)
            if extra:
                raise ApiFault(400, "Field(s) %s are not defined in the SegmentSubnet schema" % extra, 255)


class _Handler(BaseHTTPRequestHandler):
    api = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _auth(self):
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, pwd = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            return "basic" if (user, pwd) == (self.api.username, self.api.password) else None
        cookie = self.headers.get("Cookie", "")
        token = cookie.split("JSESSIONID=", 1)[1].split(";")[0] if "JSESSIONID=" in cookie else None
        if token in self.api.sessions and self.headers.get("X-XSRF-TOKEN") == token[::-1]:
            return "session"
        return None

    def _reply(self, status, body, headers=None):
        raw = json.dumps(body).encode("utf-8") if body is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if raw:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path == "/api/session/create" and self.command == "POST":
            form = parse_qs(raw.decode("utf-8"))
            if (form.get("j_username", [""])[0], form.get("j_password", [""])[0]) != (self.api.username, self.api.password):
                return self._reply(403, {"error_message": "Not Authorized", "error_code": 403})
            token = uuid.uuid4().hex
            self.api.sessions.add(token)
            return self._reply(200, None, {"Set-Cookie": "JSESSIONID=%s; Path=/; Secure; HttpOnly" % token,
                                           "X-XSRF-TOKEN": token[::-1]})
        auth = self._auth()
        path = unquote(url.path)
        record = {"method": self.command, "path": path[len(BASE):] if path.startswith(BASE) else path,
                  "query": parse_qs(url.query), "body": None, "status": None, "auth": auth}
        self.api.requests.append(record)
        if auth is None:
            record["status"] = 403
            return self._reply(403, {"error_message": "The credentials were incorrect or the account specified "
                                     "has been locked.", "error_code": 403})
        if not path.startswith(BASE + "/"):
            record["status"] = 404
            return self._reply(404, {"error_message": "unknown URI", "error_code": 216})
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            record["status"] = 400
            return self._reply(400, {"error_message": "body is not JSON", "error_code": 255})
        record["body"] = body
        try:
            status, answer, headers = self.api.handle(self.command, record["path"], record["query"], body)
        except ApiFault as fault:
            record["status"] = fault.status
            return self._reply(fault.status, {"httpStatus": fault.status, "error_code": fault.code,
                                              "error_message": fault.message, "module_name": "nsx-policy-double"})
        record["status"] = status
        return self._reply(status, answer, headers)

    do_GET = do_PATCH = do_PUT = do_DELETE = do_POST = _any



PolicyApiDouble.handler_class = _Handler


if __name__ == "__main__":  # manual use: python tests/doubles/nsxt_policy_api.py
    d = PolicyApiDouble().start()
    print(json.dumps({"host": d.host, "ca_path": d.ca_path, "username": d.username, "password": d.password}))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        d.stop()
