# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""What every nsxt_* module does with one object: present/absent, realization wait, result and diff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt import objects, realization, resource
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtInvalidInput


def run(client, kind, params, build_body, check_mode=False, result_key="object"):
    path = objects.path_for(kind, params["id"])
    if params["state"] == "absent":
        res = resource.ensure_absent(client, path, check_mode, params.get("cluster"), params.get("delete_timeout", 60))
    else:
        res = resource.ensure_present(client, path, build_body(params), check_mode, params.get("cluster"))
        if params.get("wait_for_realization") and not check_mode:
            realization.wait_realized(client, path, params.get("realization_timeout", 300))
    return result(res, path, result_key)


def result(res, path, result_key):
    obj = res["object"]
    return {"changed": res["changed"], "path": path, result_key: resource.visible(obj) if obj else {},
            "revision": (obj or {}).get("_revision"), "diff": {"before": res["before"], "after": res["after"]}}


def run_pool(client, params, check_mode=False):
    """An IP pool holding one block subnet (the cluster's allocation from the nodes block)."""
    pool_path = objects.path_for("IpAddressPool", params["id"])
    sub_path = objects.path_for("IpAddressPoolBlockSubnet", params["subnet_id"], params["id"])
    cluster = params.get("cluster")
    if params["state"] == "absent":
        sub = resource.ensure_absent(client, sub_path, check_mode, cluster, params.get("delete_timeout", 60))
        pool = resource.ensure_absent(client, pool_path, check_mode, cluster, params.get("delete_timeout", 60))
        out = result(pool, pool_path, "pool")
        out.update(changed=sub["changed"] or pool["changed"], subnet={}, allocation={}, subnet_path=sub_path)
        return out
    block_path = objects.path_for("IpAddressBlock", params["ip_block_id"])
    block = client.get_or_none(block_path)
    if block is None and check_mode:
        # in check mode an earlier task may only have pretended to create the block
        block = {"id": params["ip_block_id"], "path": block_path, "cidrs": []}
    elif block is None:
        raise NsxtInvalidInput("IP block %s does not exist" % params["ip_block_id"])
    sub_body = objects.block_subnet_body(params, block)
    pool = resource.ensure_present(client, pool_path, objects.ip_pool_body(params), check_mode, cluster)
    if check_mode and pool["changed"] and not pool["before"]:
        sub = {"changed": True, "object": sub_body, "before": {}, "after": sub_body}
    else:
        sub = resource.ensure_present(client, sub_path, sub_body, check_mode, cluster)
    if params.get("wait_for_realization") and not check_mode:
        realization.wait_realized(client, sub_path, params.get("realization_timeout", 300))
        sub["object"] = client.get(sub_path)
    out = result(pool, pool_path, "pool")
    subnet = resource.visible(sub["object"])
    out.update(changed=pool["changed"] or sub["changed"], subnet_path=sub_path, subnet=subnet,
               allocation=objects.subnet_summary(subnet),
               diff={"before": {"pool": pool["before"], "subnet": sub["before"]},
                     "after": {"pool": pool["after"], "subnet": sub["after"]}})
    return out
