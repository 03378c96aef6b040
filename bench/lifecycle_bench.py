#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Cluster lifecycle benchmark on the embedded default: create, no-op re-run, resize +1 at 2/4/8 workers, resize -1,
heal one worker, heal two workers at once, delete. Each repeated --runs times; medians and spread.

Run as root:  .venv/bin/python bench/lifecycle_bench.py [--runs 3]
Uses its own LXC state dir and nodes CIDR (10.246.16.0/24); writes bench/results/<date>/lifecycle.json.
It times the playbooks as an operator runs them (ansible-playbook wall time, Ansible's own cost included).
VMs only: the same lifecycle with Kubernetes (create to smoke test, heal to Node Ready, against manual_install) is
bench/lifecycle_k8s_bench.py.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import tempfile

from common import ROOT, PlaybookFailed, playbook as run_playbook, private_env, row

CLUSTER = ["-e", "caas_cluster_name=lcb", "-e", "caas_nodes_cidr=10.246.16.0/24"]
# Goals from the lifecycle issue (seconds, or a ratio for the flatness of resize).
GOALS = {"create": 180, "resize_plus1_at_2": 45, "heal_one": 90}


TASK_TIMES = {}


def playbook(state_dir, name, *args, **kwargs):
    times = os.path.join(state_dir, "task-times.json")
    env = private_env(state_dir, ANSIBLE_CALLBACKS_ENABLED="ondemand.caas.task_timer", CAAS_TASK_TIMES=times)
    try:
        took, _ = run_playbook(env, name, *(CLUSTER + list(args)), quiet=True)
    except PlaybookFailed as exc:
        raise SystemExit(str(exc))
    if kwargs.get("key") and os.path.exists(times):
        with open(times) as handle:
            TASK_TIMES[kwargs["key"]] = sorted(json.load(handle), key=lambda t: -t["seconds"])[:3]
    return took


def workers(state_dir):
    out = []
    directory = os.path.join(state_dir, "records", "vms")
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name)) as handle:
            record = json.load(handle)
        if record["metadata"].get("caas_role") == "worker":
            out.append(record)
    return sorted(out, key=lambda r: r["name"])


def kill(state_dir, record):
    subprocess.run(["lxc-stop", "-P", os.path.join(state_dir, "vms"), "-n", record["cid"], "-k"], check=True)


def one_run(samples):
    state_dir = tempfile.mkdtemp(prefix="caas-lifecycle-bench-")

    def measure(key, name, *args):
        samples.setdefault(key, []).append(playbook(state_dir, name, *args, key=key))
        print("  %-22s %6.1fs" % (key, samples[key][-1]), flush=True)

    try:
        measure("create", "create_cluster.yml")
        measure("create_noop", "create_cluster.yml")
        for size in (2, 4, 8):
            if size > 2:
                playbook(state_dir, "resize_cluster.yml", "-e", "caas_workers=%d" % size)
            measure("resize_plus1_at_%d" % size, "resize_cluster.yml", "-e", "caas_workers=%d" % (size + 1))
        measure("resize_minus1", "resize_cluster.yml", "-e", "caas_workers=8", "-e", "caas_delete_removed_disks=true")
        kill(state_dir, workers(state_dir)[0])
        measure("heal_one", "heal_cluster.yml")
        for record in workers(state_dir)[1:3]:
            kill(state_dir, record)
        measure("heal_two", "heal_cluster.yml")
        measure("delete", "delete_cluster.yml")
    finally:
        playbook(state_dir, "delete_cluster.yml")
        shutil.rmtree(state_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    samples = {}
    for run in range(args.runs):
        print("run %d of %d" % (run + 1, args.runs), flush=True)
        one_run(samples)
    rows = [row(key, values, GOALS.get(key)) for key, values in samples.items()]
    at = dict((r["measure"], r["median_s"]) for r in rows)
    ratios = {"resize_at_8_vs_at_2": at["resize_plus1_at_8"] / at["resize_plus1_at_2"],
              "heal_two_vs_heal_one": at["heal_two"] / at["heal_one"]}
    result = {"bench": "lifecycle", "machine": os.uname().nodename, "nproc": os.cpu_count(),
              "load_average": os.getloadavg(), "scope": "VMs, disks and segment (Kubernetes not yet part of create)",
              "results": rows, "ratios": ratios, "slowest_tasks": TASK_TIMES}
    out_dir = os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat())
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "lifecycle.json"), "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    for line in rows:
        print("%-22s median %6.1fs  [%5.1f .. %5.1f]  goal %s"
              % (line["measure"], line["median_s"], line["min_s"], line["max_s"], line["goal_s"] or "-"))
    print("resize +1 at 8 / at 2: %.2fx (goal <= 1.2x); heal two / heal one: %.2fx"
          % (ratios["resize_at_8_vs_at_2"], ratios["heal_two_vs_heal_one"]))


if __name__ == "__main__":
    main()
