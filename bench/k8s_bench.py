#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Kubernetes-on-LXC benchmark: "VMs up -> all nodes Ready" for this checkout and a baseline, side by side, and
idle memory of each kind of VM.

Goals (issue 6): all nodes Ready <= 60 s after the VMs exist; idle worker <= 150 MB.
Run as root:  .venv/bin/python bench/k8s_bench.py [--masters 1] [--workers 2] [--runs 1] [--baseline-ref REF]
              [--resize-to N] [--alone] [--out bench/results/<dir>]
With --alone only this checkout runs, one cluster at a time: the absolute figure the goal is about (k8s_alone.json).

Two variants run at the same time, so both see the same machine load (this machine is shared and noisy: compare
their ratio, not seconds across runs):
  - ``current``: this checkout;
  - ``baseline``: a copy of this checkout whose collection code (roles, playbooks, plugins, ansible.cfg) is that of
    --baseline-ref (default: the start of session 3, before the one-call worker role, the registry in the background
    and the pod routes from Node objects). The CPI's LXC host code (module_utils) is compared too, so a VM-level
    change shows in the ratio.
Each variant gets its own cluster, LXC state dir, PKI dir and half of the nodes CIDR 10.234.0.0/24; create_cluster
makes the VMs, then kubernetes_nodes runs from the moment they are up. A poller asks the apiserver for the nodes
every second: "ready" is the first moment every worker reports Ready. After 30 s idle, each VM's memory cgroup is
read (rss = anonymous memory; working set = usage - inactive file, what kubelet reports). With --resize-to N, each
variant then grows its cluster one worker at a time to N workers (resize_cluster, both variants at once): how the
cost of adding a worker grows with the cluster, in each variant. Everything is deleted.
Writes <out>/k8s.json (default bench/results/<date>/) with the slowest tasks of each variant, and prints it.
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
import threading
import time

from common import KUBECTL, PLAYBOOK_BIN, ROOT, row

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402  (common's path)
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers  # noqa: E402

# What this benchmark compares; everything else (tests, bench, scripts) is this checkout in both variants.
COMPARED = ["roles", "playbooks", "plugins", "ansible.cfg"]
BASELINE_REF = "0c0da53"
VARIANTS = (("current", "k8sbc", "10.234.0.0/25"), ("baseline", "k8sbb", "10.234.0.128/25"))
IDLE_S = 30


def baseline_tree(ref, root):
    """This checkout (tracked and new files) with COMPARED taken from ref, as a collection tree under root."""
    tree = os.path.join(root, "ansible_collections", "ondemand", "caas")
    os.makedirs(tree)
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-co", "--exclude-standard", "-z"], check=True,
                           stdout=subprocess.PIPE).stdout
    # --ignore-missing-args: a file deleted but not committed yet is still listed
    subprocess.run(["rsync", "-a", "--ignore-missing-args", "--from0", "--files-from=-", ROOT + "/", tree + "/"],
                   input=files, check=True)
    for path in COMPARED:
        target = os.path.join(tree, path)
        if os.path.isdir(target):
            shutil.rmtree(target)
    archive = subprocess.run(["git", "-C", ROOT, "archive", ref] + COMPARED, check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    return tree


class Variant:
    def __init__(self, name, cluster, cidr, tree, pyroot, work):
        self.name, self.cluster, self.cidr, self.tree, self.pyroot = name, cluster, cidr, tree, pyroot
        self.state_dir, self.pki_dir = os.path.join(work, name, "lxc"), os.path.join(work, name, "pki")
        self.times_file = os.path.join(work, name, "tasks.json")
        os.makedirs(self.pki_dir)
        self.cloud = Cloud("lxc", {"lxc_state_dir": self.state_dir})
        self.result = {}

    def playbook(self, name, *args, **env_extra):
        env = dict(os.environ, CAAS_LXC_STATE_DIR=self.state_dir, ANSIBLE_CONFIG=os.path.join(self.tree, "ansible.cfg"),
                   ANSIBLE_COLLECTIONS_PATH=self.pyroot, ANSIBLE_FORCE_COLOR="0", **env_extra)
        argv = [PLAYBOOK_BIN, os.path.join(self.tree, "playbooks", name), "-e", "caas_cluster_name=" + self.cluster,
                "-e", "caas_nodes_cidr=" + self.cidr, "-e", "caas_pki_dir=" + self.pki_dir] + list(args)
        proc = subprocess.run(argv, cwd=self.tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True)
        if proc.returncode != 0:
            raise RuntimeError("%s (%s) failed:\n%s" % (name, self.name, proc.stdout[-4000:]))

    def workers_ready(self, master_ip, workers):
        conf = os.path.join(self.pki_dir, self.cluster, "admin.conf")
        if not os.path.exists(conf):
            return False
        proc = subprocess.run([KUBECTL, "--kubeconfig", conf, "--server", "https://%s:6443" % master_ip,
                               "--request-timeout=5s", "get", "nodes", "--no-headers"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
        ready = [line for line in proc.stdout.splitlines() if line.split()[1:2] == ["Ready"]]
        return proc.returncode == 0 and len(ready) >= workers

    def run(self, plan, workers):
        try:
            self.playbook("create_cluster.yml", "-e", plan, "-e",
                          "@" + os.path.join(self.tree, "playbooks", "vars", "node_stemcell.yml"))
            master_ip = [vm for vm in self.cloud.list_vms() if vm["metadata"].get("caas_role") == "master"][0]["ips"][0]
            done = threading.Event()
            started = time.perf_counter()

            def poll():
                while not done.is_set():
                    if self.workers_ready(master_ip, workers):
                        self.result["ready_s"] = time.perf_counter() - started
                        return
                    done.wait(1)
            poller = threading.Thread(target=poll)
            poller.start()
            try:
                self.playbook("kubernetes_nodes.yml", ANSIBLE_CALLBACKS_ENABLED="ondemand.caas.task_timer",
                              CAAS_TASK_TIMES=self.times_file)
            finally:
                self.result["playbook_s"] = time.perf_counter() - started
                done.set()
                poller.join()
            with open(self.times_file) as handle:
                tasks = json.load(handle)
            self.result["slowest_tasks"] = sorted(tasks, key=lambda t: -t["seconds"])[:8]
        except Exception as exc:  # pylint: disable=broad-except  # reported with the other variant's numbers
            self.result["error"] = str(exc)

    def resize(self, plan, workers, to):
        """resize_cluster +1 from workers to `to` workers, each timed; stops at the first failure."""
        try:
            for size in range(workers, to):
                started = time.perf_counter()
                self.playbook("resize_cluster.yml", "-e", plan, "-e", "caas_workers=%d" % (size + 1))
                self.result.setdefault("resize_s", {})[size] = time.perf_counter() - started
        except RuntimeError as exc:
            self.result["error"] = str(exc)

    def memory(self):
        out = {}
        for vm in self.cloud.list_vms():
            memory = Containers.memory_mb(vm["cid"])
            if memory:
                out.setdefault(vm["metadata"].get("caas_role", "other"), []).append(memory)
        return out

    def delete(self):
        try:
            self.playbook("delete_cluster.yml")
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
        self.cloud.delete_everything()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--masters", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat()))
    parser.add_argument("--resize-to", type=int, default=0,
                        help="then resize each cluster +1 at a time up to this many workers, timing each step")
    parser.add_argument("--alone", action="store_true",
                        help="only this checkout, one cluster at a time (the absolute figure the goal is about); "
                             "writes k8s_alone.json")
    args = parser.parse_args()
    chosen = [v for v in VARIANTS if not args.alone or v[0] == "current"]
    plan = json.dumps({"caas_plan": "bench", "caas_plans": {"bench": {
        "masters": args.masters, "workers": args.workers, "master_vm": {"cpu": 2, "ram": 2048},
        "worker_vm": {"cpu": 2, "ram": 2048}, "persistent_disk_mb": 256}}})
    samples = dict((name, {"ready": [], "playbook": [], "memory": {}, "slowest_tasks": [], "resize": {}})
                   for name, _, _ in chosen)
    errors = []
    load = os.getloadavg()
    for _ in range(args.runs):
        work = tempfile.mkdtemp(prefix="caas-k8s-bench-")
        trees = {"current": (ROOT, os.path.join(ROOT, ".build", "pyroot"))}
        if not args.alone:
            trees["baseline"] = (baseline_tree(args.baseline_ref, os.path.join(work, "baseline-tree")),
                                 os.path.join(work, "baseline-tree"))
        variants = [Variant(name, cluster, cidr, trees[name][0], trees[name][1], work) for name, cluster, cidr in chosen]
        try:
            threads = [threading.Thread(target=v.run, args=(plan, args.workers)) for v in variants]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            time.sleep(IDLE_S)
            for v in variants:
                if "error" in v.result or "ready_s" not in v.result:
                    errors.append("%s: %s" % (v.name, v.result.get("error", "workers never all Ready")))
                    continue
                s = samples[v.name]
                s["ready"].append(v.result["ready_s"])
                s["playbook"].append(v.result["playbook_s"])
                s["slowest_tasks"] = [{"task": t["task"], "seconds": t["seconds"]} for t in v.result["slowest_tasks"]]
                for kind, values in v.memory().items():
                    s["memory"].setdefault(kind, []).extend(values)
            if args.resize_to > args.workers:
                threads = [threading.Thread(target=v.resize, args=(plan, args.workers, args.resize_to))
                           for v in variants if "error" not in v.result]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for v in variants:
                    if "error" in v.result:
                        errors.append("%s: %s" % (v.name, v.result["error"]))
                    for size, seconds in v.result.get("resize_s", {}).items():
                        samples[v.name]["resize"].setdefault(size, []).append(seconds)
        finally:
            for v in variants:
                v.delete()
            shutil.rmtree(work, ignore_errors=True)
    results, ratios, slowest, memory = [], {}, {}, {}
    for name, _, _ in chosen:
        s = samples[name]
        if s["ready"]:
            results.append(row("%s_vms_up_to_all_ready" % name, s["ready"], 60 if name == "current" else None))
            results.append(row("%s_kubernetes_nodes_playbook" % name, s["playbook"]))
            slowest[name] = s["slowest_tasks"]
            for size, values in sorted(s["resize"].items()):
                results.append(row("%s_resize_+1_at_%d" % (name, size), values))
            first, last = s["resize"].get(args.workers), s["resize"].get(args.resize_to - 1)
            if first and last:
                ratios["resize +1 at %d / at %d, %s" % (args.resize_to - 1, args.workers, name)] = (
                    statistics.median(last) / statistics.median(first))
            memory[name] = dict((kind, {
                "rss": round(statistics.median(v["rss_mb"] for v in values)),
                "working_set": round(statistics.median(v["working_set_mb"] for v in values))})
                for kind, values in s["memory"].items())
    if not args.alone and samples["current"]["ready"] and samples["baseline"]["ready"]:
        ratios["vms_up_to_all_ready current/baseline"] = (
            statistics.median(samples["current"]["ready"]) / statistics.median(samples["baseline"]["ready"]))
        ratios["kubernetes_nodes playbook current/baseline"] = (
            statistics.median(samples["current"]["playbook"]) / statistics.median(samples["baseline"]["playbook"]))
        for size in sorted(set(samples["current"]["resize"]) & set(samples["baseline"]["resize"])):
            ratios["resize +1 at %d current/baseline" % size] = (
                statistics.median(samples["current"]["resize"][size])
                / statistics.median(samples["baseline"]["resize"][size]))
    result = {
        "bench": "k8s", "date": datetime.datetime.utcnow().isoformat() + "Z", "machine": os.uname().nodename,
        "nproc": os.cpu_count(), "load_average": [round(x, 1) for x in load],
        "scope": ("%d master(s) + %d workers, this checkout alone" % (args.masters, args.workers)) if args.alone else
                 "%d master(s) + %d workers per variant%s, both variants at once; baseline = %s of %s"
                 % (args.masters, args.workers, ", then resize +1 up to %d workers" % args.resize_to
                    if args.resize_to > args.workers else "", ", ".join(COMPARED), args.baseline_ref),
        "runs": args.runs, "results": results, "ratios": ratios, "slowest_tasks": slowest,
        "idle_memory_mb_median": memory, "goal_idle_worker_mb": 150, "errors": errors,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "k8s_alone.json" if args.alone else "k8s.json"), "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
