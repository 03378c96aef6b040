#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""LXC CPI benchmark: create and delete 10 VMs with persistent disks; per-operation medians.

Goals (issue 2): create_vm + SSH-ready under 2 s per VM, delete_vm under 0.5 s.
Run as root:  .venv/bin/python bench/lxc_cpi_bench.py [--vms 10]
Writes bench/results/<date>/lxc_cpi.json and prints a table.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "pyroot"))

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import wait_for_ssh  # noqa: E402

CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
IMAGE = os.path.join(CACHE, "stemcells", "bosh-lxc-debian-bookworm-1.tar")


def timed(samples, name, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    samples.setdefault(name, []).append(time.perf_counter() - start)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=10)
    args = parser.parse_args()
    state_dir = tempfile.mkdtemp(prefix="caas-bench-")
    cloud = Cloud("lxc", {"lxc_state_dir": state_dir})
    samples = {}
    key = open(os.path.expanduser("~/.ssh/id_ed25519.pub")).read()
    try:
        stemcell = cloud.create_stemcell(IMAGE, {"name": "bench", "version": "1", "debootstrap": {}})
        cloud.create_network({"name": "caas-bench", "range": "10.246.0.0/24"})
        vms = []
        for i in range(args.vms):
            start = time.perf_counter()
            vm_cid, nets = timed(samples, "create_vm", cloud.create_vm, "bench-%d" % i, stemcell, {"cpu": 1, "ram": 256},
                                 {"default": {"ip": "10.246.0.%d" % (10 + i), "cloud_properties": {"name": "caas-bench"}}},
                                 [], {"ssh_authorized_keys": [key], "bosh": {"tags": {"caas_name": "bench-%d" % i}}})
            wait_for_ssh(nets["default"]["ip"], 120)
            samples.setdefault("create_vm+ssh_ready", []).append(time.perf_counter() - start)
            disk = timed(samples, "create_disk", cloud.create_disk, 256, {}, vm_cid)
            timed(samples, "attach_disk", cloud.attach_disk, vm_cid, disk)
            vms.append((vm_cid, disk))
        for vm_cid, disk in vms:
            timed(samples, "detach_disk", cloud.detach_disk, vm_cid, disk)
            timed(samples, "delete_vm", cloud.delete_vm, vm_cid)
            timed(samples, "delete_disk", cloud.delete_disk, disk)
    finally:
        cloud.delete_everything()
        shutil.rmtree(state_dir, ignore_errors=True)
    goals = {"create_vm+ssh_ready": 2.0, "delete_vm": 0.5}
    rows = []
    print("%-22s %8s %8s %8s %6s  %s" % ("operation", "median", "min", "max", "n", "goal"))
    for name, values in samples.items():
        goal = goals.get(name)
        median = statistics.median(values)
        verdict = "" if goal is None else ("<= %.1fs %s" % (goal, "met" if median <= goal else "MISSED"))
        print("%-22s %7.3fs %7.3fs %7.3fs %6d  %s" % (name, median, min(values), max(values), len(values), verdict))
        rows.append({"measure": name, "median_s": median, "min_s": min(values), "max_s": max(values),
                     "n": len(values), "goal_s": goal})
    out_dir = os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat())
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "lxc_cpi.json"), "w") as handle:
        json.dump({"bench": "lxc_cpi", "machine": os.uname().nodename, "nproc": os.cpu_count(),
                   "scope": "10 VMs with a 256 MiB disk each", "results": rows}, handle, indent=2)


if __name__ == "__main__":
    main()
