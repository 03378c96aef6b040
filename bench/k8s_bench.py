#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Kubernetes-on-LXC benchmark: time from the cluster's VMs up to all nodes Ready, and idle memory per VM kind.

Goals (issue 6): all nodes Ready <= 60 s after the VMs exist; idle worker <= 150 MB.
Run as root:  .venv/bin/python bench/k8s_bench.py [--masters 1] [--workers 2] [--runs 1]
Creates its own cluster (own LXC state dir, nodes CIDR 10.246.8.0/24) with create_cluster, then times
kubernetes_nodes (pki -> etcd -> master -> worker -> all Ready), waits 30 s, reads each VM's memory cgroup
(rss = anonymous memory; working set = usage - inactive file, what kubelet reports), deletes everything.
Writes bench/results/<date>/k8s.json and prints a table.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "pyroot"))

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402

PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
CLUSTER = "k8sbench"
NODES_CIDR = "10.246.8.0/24"


def playbook(state_dir, pki_dir, name, *args):
    env = dict(os.environ, CAAS_LXC_STATE_DIR=state_dir, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "pyroot"))
    argv = [PLAYBOOK_BIN, os.path.join(ROOT, "playbooks", name), "-e", "caas_cluster_name=" + CLUSTER,
            "-e", "caas_nodes_cidr=" + NODES_CIDR, "-e", "caas_pki_dir=" + pki_dir] + list(args)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.exit("%s failed:\n%s" % (name, proc.stdout[-4000:]))
    return time.perf_counter() - start


def memory(cloud):
    out = {}
    for vm in cloud.list_vms():
        base = "/sys/fs/cgroup/memory/lxc.payload.%s" % vm["cid"]
        with open(os.path.join(base, "memory.stat")) as handle:
            stat = dict((k, int(v)) for k, v in (line.split() for line in handle))
        with open(os.path.join(base, "memory.usage_in_bytes")) as handle:
            usage = int(handle.read())
        kind = vm["metadata"]["caas_role"]
        out.setdefault(kind, []).append({"rss_mb": stat["total_rss"] / 2 ** 20,
                                         "working_set_mb": (usage - stat["total_inactive_file"]) / 2 ** 20})
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--masters", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    plan = json.dumps({"caas_plan": "bench", "caas_plans": {"bench": {
        "masters": args.masters, "workers": args.workers, "master_vm": {"cpu": 2, "ram": 2048},
        "worker_vm": {"cpu": 2, "ram": 2048}, "persistent_disk_mb": 256}}})
    stemcell = "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")
    ready, mem = [], {}
    for _ in range(args.runs):
        root = tempfile.mkdtemp(prefix="caas-k8s-bench-")
        state_dir, pki_dir = os.path.join(root, "lxc"), os.path.join(root, "pki")
        os.makedirs(pki_dir)
        cloud = Cloud("lxc", {"lxc_state_dir": state_dir})
        try:
            playbook(state_dir, pki_dir, "create_cluster.yml", "-e", plan, "-e", stemcell)
            ready.append(playbook(state_dir, pki_dir, "kubernetes_nodes.yml"))
            time.sleep(30)
            for kind, values in memory(cloud).items():
                mem.setdefault(kind, []).extend(values)
        finally:
            cloud.delete_everything()
            shutil.rmtree(root, ignore_errors=True)
    result = {
        "date": datetime.datetime.utcnow().isoformat() + "Z", "masters": args.masters, "workers": args.workers,
        "runs": args.runs, "vms_up_to_all_ready_s_median": round(statistics.median(ready), 1),
        "goal_ready_s": 60, "goal_idle_worker_mb": 150,
        "idle_memory_mb_median": dict((kind, {
            "rss": round(statistics.median(v["rss_mb"] for v in values)),
            "working_set": round(statistics.median(v["working_set_mb"] for v in values))}) for kind, values in mem.items()),
    }
    out_dir = os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat())
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "k8s.json"), "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
