# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""node_health: an ansible-rulebook event source that watches a cluster's VMs through the CPI.

Every ``interval`` seconds it reads the cluster's VMs from the IaaS and probes their SSH banner (as
``ondemand.caas.cluster_health`` does), and emits an event on each change:

- ``{"type": "node_down", "cluster", "name", "ip", "health", "reason"}`` when a VM becomes unhealthy
  (and, at start, for every VM already unhealthy);
- ``{"type": "node_up", "cluster", "name", "ip"}`` when it is healthy again.

Arguments: ``cluster`` (required), ``provider`` (default lxc), ``interval`` (default 5), ``probe_timeout``
(default 2), and any provider setting by its option name (``lxc_state_dir``, ``vsphere_hostname``, ...); settings
also come from their environment variables, as for the modules.

Example:

    sources:
      - ondemand.caas.node_health:
          cluster: demo
          interval: 5
"""

import asyncio
import os
import sys

_COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
if _COLLECTION.split(os.sep)[-3:-1] == ["ansible_collections", "ondemand"]:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(_COLLECTION))))

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.health import classify, ssh_answers  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.providers import settings_from_environment  # noqa: E402


def _snapshot(cloud, cluster, probe_timeout):
    """Health of every VM of the cluster right now: {name: (health, reason, ip)}."""
    vms = [v for v in cloud.list_vms() if (v.get("metadata") or {}).get("caas_cluster") == cluster]
    result = {}
    for vm in vms:
        ip = (vm.get("ips") or [None])[0]
        ssh_ok = bool(ip) and vm["state"] == "running" and ssh_answers(ip, 22, probe_timeout)
        health, reason = classify(vm, ssh_ok, None)
        result[vm["name"]] = (health, reason, ip)
    return result


async def main(queue, args):
    cluster = args["cluster"]
    settings = settings_from_environment()
    settings.update(dict((k, v) for k, v in args.items() if k not in ("cluster", "provider", "interval", "probe_timeout")))
    cloud = Cloud(args.get("provider") or os.environ.get("CAAS_PROVIDER", "lxc"), settings)
    interval = float(args.get("interval", 5))
    probe_timeout = float(args.get("probe_timeout", 2))
    known = {}
    while True:
        current = await asyncio.get_running_loop().run_in_executor(None, _snapshot, cloud, cluster, probe_timeout)
        for name, (health, reason, ip) in sorted(current.items()):
            was = known.get(name, ("healthy",))[0]
            if health != "healthy" and was == "healthy":
                await queue.put({"type": "node_down", "cluster": cluster, "name": name, "ip": ip,
                                 "health": health, "reason": reason})
            elif health == "healthy" and was != "healthy" and name in known:
                await queue.put({"type": "node_up", "cluster": cluster, "name": name, "ip": ip})
        known = current
        await asyncio.sleep(interval)


if __name__ == "__main__":
    class _PrintQueue:
        async def put(self, event):
            print(event, flush=True)

    asyncio.run(main(_PrintQueue(), {"cluster": sys.argv[1], "interval": 2}))
