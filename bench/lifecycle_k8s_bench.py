#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The cluster lifecycle with Kubernetes on the embedded LXC default, automated and by hand side by side, artefacts
cached. One run is:

1. create_cluster (1 master, 2 workers, registry; caas_kubernetes=true, node stemcell), playbook start to the end of
   its smoke test, and AT THE SAME TIME the hand path for the same cluster (manual_bench.manual_path: its VMs made
   beforehand, then manual_install), so both see the same machine load;
2. resources (first run): each VM's disk (overlay delta, ephemeral data, persistent disk) and its memory cgroup:
   peak since boot (cgroup max usage, page cache included), idle (median of samples over IDLE_S s) and the highest
   sample while a second create_cluster runs its smoke test;
3. create_cluster again: the no-op run (every VM and node already as asked);
4. heal one worker: its container stopped hard at t0; the EDA event source (extensions/eda node_health, interval
   3 s as in the resurrector rulebook) runs through the step and its node_down event is "detected"; heal_cluster
   starts then (what the rulebook does); its own probe, the VM recreated and the Node Ready again are time-stamped
   from t0. AT THE SAME TIME a worker of the manual cluster is stopped and replaced by hand (manual/vms.yml
   manual_replace, then manual_heal.yml, which first waits to see the Node NotReady);
5. heal two workers at once (both workers of the cluster), loss to both Nodes Ready;
6. resize_cluster +1 worker at 2, 3, ... 8 workers, and AT THE SAME TIME the manual cluster one worker at a time
   (manual/vms.yml caas_workers=n+1, then manual_resize.yml): resize time vs cluster size, automated and manual;
7. the cost of Ansible itself (first run, --ansible-matrix): the no-op resize_cluster at 9 workers with pipelining
   on/off and forks 5/20, 3 interleaved rounds; every playbook above runs with the task_timer callback (slowest tasks, time per host);
8. resize -1 (9 -> 8 workers, the removed worker's disk deleted), then delete_cluster.

Goals (lifecycle issue): create <= 180 s and >= 3x faster than VMs + manual_install; resize +1 <= 45 s and at 8
<= 1.2x at 2; heal detected <= 30 s and Ready <= 90 s after the loss; heal two about the cost of one (<= 1.3x).
The break-even figure: the human seconds per operator step from which the automated path is >= 3x faster than the
manual one, whose machine time is Ansible typing the commands: (3 x automated - manual machine time) / steps.

Run as root:  .venv/bin/python bench/lifecycle_k8s_bench.py [--runs N] [--out bench/results/<date>]
              [--no-ansible-matrix] [--max-workers 9] [--plot JSON PNG_PREFIX]
--runs defaults to $CAAS_BENCH_RUNS or 1; each run is a fresh pair of clusters; the table has median and min..max.
Own LXC state dirs and PKI dirs in a temp dir; the cluster on 10.224.0.0/24, the manual one on 10.225.0.0/24;
everything is deleted at the end, also on failure. A playbook that fails (e.g. roles being edited under the run)
is retried once after --retry-wait seconds (the retry is recorded). Writes <out>/lifecycle_k8s.json after every
step (partial results survive) and the plots <out>/lifecycle_k8s_resize.png and lifecycle_k8s_heal.png.
"""

import argparse
import asyncio
import datetime
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from common import BENCH_VENV, ROOT, PlaybookFailed, kubectl, playbook, private_env, row
from manual_bench import GOAL_SPEEDUP, break_even, manual_heal, manual_path, manual_resize

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402  (common's path)
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "extensions", "eda", "plugins", "event_source"))
import node_health  # noqa: E402

NAME, CIDR = "lkb", "10.224.0.0/24"
BASE = ["-e", "caas_cluster_name=" + NAME, "-e", "caas_nodes_cidr=" + CIDR, "-e", "caas_plan=small",
        "-e", "caas_kubernetes=true", "-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
MANUAL_NAME = "lkh"
MANUAL = ["-e", "caas_cluster_name=" + MANUAL_NAME, "-e", "caas_nodes_cidr=10.225.0.0/24", "-e", "caas_plan=small",
          "-e", "manual_persistent_disk_mb=1024"]
SIZES = list(range(2, 9))   # resize +1 at each of these worker counts, automated and by hand (--max-workers)
COMPARED = (2, 4, 8)        # the sizes the goals compare
MATRIX = [(True, 20), (False, 20), (True, 5), (False, 5)]   # (pipelining, forks) for the no-op resize at 9 workers
MATRIX_ROUNDS = 3
IDLE_S = 20
GOALS = {"create": 180, "resize_plus1": 45, "resize_ratio_8_vs_2": 1.2, "heal_detect": 30, "heal_ready": 90,
         "heal_two_vs_one": 1.3, "speedup": GOAL_SPEEDUP}
# heal_cluster's steps, by the first PLAY/TASK header that contains the text (its start, or the end of the one before).
HEAL_STEPS = [("heal_cluster probe starts", "Probe every VM"), ("heal_cluster probe saw it", "Report what was found"),
              ("VM recreation starts", "Recreate the unhealthy VMs"), ("VM recreated", "Wait until the recreated VMs"),
              ("Kubernetes plays start (kubernetes_nodes)", "PLAY [Plan Kubernetes on cluster"),
              ("registry play starts", "PLAY [Registry VM of cluster"),
              ("node roles play starts", "PLAY [Certificates, then etcd"),
              ("worker role starts on the recreated VM", "TASK [ondemand.caas.worker :"),
              ("waits for the registry's background run", "Wait for the registry's background run"),
              ("smoke test starts", "PLAY [Smoke test"),
              ("waits for Ready and uncordons", "PLAY [Recreated workers Ready"),
              ("uncordon (schedulable again)", "k8s_node : Uncordon"), ("heal_cluster ends", "PLAY RECAP")]


def heal_timeline(heal):
    """[label, seconds after the loss] of the heal: the events the run recorded, and heal_cluster's steps from its
    time-stamped output (derived here, so a results file is read with the current list of steps)."""
    labels = set(label for label, _ in HEAL_STEPS) | {"Kubernetes plays start", "waits for Ready"}  # older names
    steps = [[label, t] for label, t in heal.get("timeline", []) if label not in labels]
    for label, text in HEAL_STEPS:
        hit = [t for t, line in heal.get("heal_cluster_marks", []) if text in line]
        if hit:
            steps.append([label, hit[0]])
    return sorted(steps, key=lambda step: step[1])


class Watch:
    """The node_health event source, run as ansible-rulebook runs it, in a thread; keeps (epoch, event)."""

    def __init__(self, state_dir):
        self.events, self.loop, self.task = [], asyncio.new_event_loop(), None
        self.args = {"cluster": NAME, "interval": 3, "lxc_state_dir": state_dir}
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def put(self, event):
        self.events.append((time.time(), event))

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(node_health.main(self, self.args))
        try:
            self.loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            pass

    def start(self):
        self.thread.start()

    def stop(self):
        if self.task:
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(timeout=30)

    def first(self, kind, name, after):
        return next((t for t, e in self.events if t >= after and e["type"] == kind and e["name"] == name), None)


def cost(task):
    """A task_timer entry's longest time on one host (under strategy free the wall time between task headers is not
    the task's), else its wall time."""
    return max(list((task.get("hosts") or {}).values()) or [task["seconds"]])


class Bench:
    def __init__(self, root, out, runs):
        self.root, self.out = root, out
        self.loads = [os.getloadavg()]
        self.samples = {}      # measure -> [seconds, one per run]
        self.env = self.manual_env = self.cloud = self.manual_cloud = None
        self.result = {"bench": "lifecycle_k8s", "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
                       "machine": os.uname().nodename, "nproc": os.cpu_count(), "goals": GOALS, "retries": [],
                       "runs": runs, "per_run": [], "tasks": {},
                       "scope": "1 master + 2 workers + registry, Kubernetes v1.34.4, LXC VMs from the node stemcell, "
                                "artefacts cached; the manual path ran at the same time as create, heal one and the "
                                "resizes; %d run(s), each with a fresh pair of clusters" % runs}

    def fresh(self, run):
        base = os.path.join(self.root, "run%d" % run)
        self.env = private_env(os.path.join(base, "auto", "lxc"), os.path.join(base, "auto", "pki"),
                               ANSIBLE_CALLBACKS_ENABLED="ondemand.caas.task_timer")
        self.manual_env = private_env(os.path.join(base, "manual", "lxc"), os.path.join(base, "manual", "pki"))
        self.manual_dir = os.path.join(base, "manual", "work")
        for env in (self.env, self.manual_env):
            os.makedirs(env["CAAS_PKI_DIR"])
        self.cloud = Cloud("lxc", {"lxc_state_dir": self.env["CAAS_LXC_STATE_DIR"]})
        self.manual_cloud = Cloud("lxc", {"lxc_state_dir": self.manual_env["CAAS_LXC_STATE_DIR"]})

    def args(self):
        return BASE + ["-e", "caas_pki_dir=" + self.env["CAAS_PKI_DIR"]]

    def add(self, measure, value):
        if value is not None:
            self.samples.setdefault(measure, []).append(round(value, 1))
            self.result["per_run"][-1][measure] = round(value, 1)

    def save(self):
        self.loads.append(os.getloadavg())
        self.result["load_average_samples"] = [[round(x, 1) for x in load] for load in self.loads]
        self.result["load_average"] = [round(max(load[i] for load in self.loads), 1) for i in range(3)]
        self.result["rows"] = [row(measure, values) for measure, values in sorted(self.samples.items())]
        self.result.update(summary(self.result))
        os.makedirs(self.out, exist_ok=True)
        with open(os.path.join(self.out, "lifecycle_k8s.json"), "w") as handle:
            json.dump(self.result, handle, indent=2, sort_keys=True)

    def retrying(self, what, run, wait, cleanup=None):
        """run(); once more after wait seconds (and cleanup()) if a playbook failed."""
        try:
            return run()
        except PlaybookFailed as exc:
            print("%s failed, retrying in %d s:\n%s" % (what, wait, str(exc)[-1500:]), flush=True)
            self.result["retries"].append({"step": what, "error": str(exc)[-600:]})
            if cleanup:
                cleanup()
            time.sleep(wait)
            return run()

    def play(self, key, name, *args, **kwargs):
        """playbooks/<name> against the automated cluster with the task_timer callback; (seconds, output). The task
        times of the last run of each key are kept: the slowest tasks, and the seconds each host spent in tasks."""
        times = os.path.join(self.root, "tasks-%s.json" % key.replace(" ", "_"))
        env = dict(self.env, CAAS_TASK_TIMES=times, **kwargs.pop("env", {}))
        took, out = playbook(env, name, *(self.args() + list(args)), **kwargs)
        if os.path.exists(times):
            with open(times) as handle:
                tasks = json.load(handle)
            hosts = {}
            for task in tasks:
                for host, seconds in (task.get("hosts") or {}).items():
                    hosts[host] = hosts.get(host, 0) + seconds
            self.result["tasks"][key] = {
                "playbook": name, "seconds": round(took, 1), "tasks": len(tasks),
                "slowest": [{"task": t["task"], "seconds": round(cost(t), 1), "wall_s": t["seconds"],
                             "slowest_host": max(t["hosts"].items(), key=lambda h: h[1])[0] if t.get("hosts") else None}
                            for t in sorted(tasks, key=lambda t: -cost(t))[:6]],
                "host_seconds": dict((h, round(s, 1)) for h, s in sorted(hosts.items()))}
            os.unlink(times)
        return took, out

    def vms(self, role=None, cloud=None, cluster=NAME):
        vms = [v for v in (cloud or self.cloud).list_vms() if (v.get("metadata") or {}).get("caas_cluster") == cluster]
        return sorted((v for v in vms if role is None or v["metadata"].get("caas_role") == role), key=lambda v: v["name"])

    def node(self, name):
        """(ready, last heartbeat epoch) of Node name, or None."""
        conf = os.path.join(self.env["CAAS_PKI_DIR"], NAME, "admin.conf")
        rc, out = kubectl(conf, "https://%s:6443" % self.vms("master")[0]["ips"][0], "get", "node", name, "-o", "json")
        if rc != 0:
            return None
        try:
            ready = [c for c in json.loads(out)["status"]["conditions"] if c["type"] == "Ready"][0]
        except (ValueError, KeyError, IndexError):
            return None
        beat = datetime.datetime.strptime(ready["lastHeartbeatTime"], "%Y-%m-%dT%H:%M:%SZ")
        return ready["status"] == "True", beat.replace(tzinfo=datetime.timezone.utc).timestamp()

    def side_by_side(self, manual):
        """Start manual() in a thread; returns (thread, dict that gets its result or its error)."""
        got = {}

        def run():
            try:
                got.update(manual())
            except Exception as exc:  # pylint: disable=broad-except  # reported with the automated numbers
                got["error"] = str(exc)[-2000:]
        thread = threading.Thread(target=run)
        thread.start()
        return thread, got

    def manual_error(self, what, got):
        if "error" in got:
            print("manual %s failed:\n%s" % (what, got["error"][-1500:]), flush=True)
            self.result.setdefault("manual_errors", []).append({"step": what, "error": got["error"][-600:]})
            return True
        return False

    # 1. create, and the hand path at the same time
    def create(self, wait):
        thread, manual = self.side_by_side(
            lambda: manual_path(self.manual_env, self.manual_dir, MANUAL, quiet=True))
        marks = []
        try:
            # a failed create is deleted before the retry, which then measures a create from scratch again
            create_s, _ = self.retrying("create_cluster", lambda: self.play(
                "create", "create_cluster.yml", marks=marks), wait, cleanup=self.delete_auto)
        finally:
            thread.join()
        self.add("create", create_s)
        marks = marks[max([0] + [i for i, (_, line) in enumerate(marks) if line.startswith("PLAY [Create cluster")]):]
        smoke = [t for t, line in marks if line.startswith("PLAY [Smoke test")]
        self.add("create: playbook start -> smoke test play", smoke[0] - marks[0][0] if smoke else None)
        if not self.manual_error("install", manual):
            self.add("manual: VMs made beforehand", manual["vms_s"])
            self.add("manual: manual_install", manual["install_s"])
            self.add("manual: VMs + manual_install", manual["vms_s"] + manual["install_s"])
            self.result["manual_steps"] = dict(self.result.get("manual_steps", {}), install=manual["steps"])
            self.result["manual_install_by_step"] = manual["per_step"]
        self.save()

    # 2. resources, 3. the no-op create (under the memory sampler: its smoke test is the workload)
    def create_noop(self, wait, resources):
        sampler = Sampler(self.vms()) if resources else None
        if sampler:
            sampler.peak_since_boot()
            sampler.disks(self.env["CAAS_LXC_STATE_DIR"])
            sampler.idle(IDLE_S)
            sampler.start()
        try:
            took, _ = self.retrying("create_cluster (no-op)", lambda: self.play(
                "create (no-op)", "create_cluster.yml"), wait)
        finally:
            if sampler:
                sampler.stop()
        self.add("create again (no-op)", took)
        if sampler:
            self.result["resources"] = sampler.report()
        self.save()

    # 4./5. heal: the workers stopped hard at once; heal_cluster when the event source saw the first one down
    def heal(self, wait, count):
        workers = self.vms("worker")[:count]
        names = [w["name"] for w in workers]
        state_dir = self.env["CAAS_LXC_STATE_DIR"]
        watch = Watch(state_dir)
        watch.start()
        time.sleep(10)   # the event source has seen the cluster healthy
        seen = dict((name, {}) for name in names)
        done = threading.Event()

        def poll():
            while not done.is_set():
                now = time.time()
                for worker in workers:
                    name, mark = worker["name"], seen[worker["name"]]
                    vm = [v for v in self.vms("worker") if v["name"] == name]
                    if "vm_recreated" not in mark and vm and vm[0]["cid"] != worker["cid"] and vm[0]["state"] == "running":
                        mark["vm_recreated"] = now
                    if "node_ready" in mark:
                        continue
                    state = self.node(name)
                    if state and not state[0] and "node_not_ready" not in mark:
                        mark["node_not_ready"] = now   # Kubernetes' own view (node-monitor-grace-period)
                    if state and state[0] and "vm_recreated" in mark and state[1] >= mark["vm_recreated"] - 1:
                        mark["node_ready"] = now
                if all("node_ready" in mark for mark in seen.values()):
                    return
                done.wait(1)
        manual = dead = None
        if count == 1 and "manual: VMs + manual_install" in self.result["per_run"][-1]:
            # the same loss on the manual cluster (when it was made), replaced by hand at the same time
            dead = self.vms("worker", self.manual_cloud, MANUAL_NAME)[-1]
            # data on its persistent disk, which manual_heal checks the new VM has again (a stateful worker)
            subprocess.run(["lxc-attach", "-P", os.path.join(self.manual_env["CAAS_LXC_STATE_DIR"], "vms"), "-n",
                            dead["cid"], "--", "sh", "-c", "date > /var/vcap/store/caas-bench-data"], check=True)
        lost = time.time()
        for worker in workers:
            subprocess.run(["lxc-stop", "-P", os.path.join(state_dir, "vms"), "-n", worker["cid"], "-k"], check=True)
        if dead:
            subprocess.run(["lxc-stop", "-P", os.path.join(self.manual_env["CAAS_LXC_STATE_DIR"], "vms"), "-n",
                            dead["cid"], "-k"], check=True)
            thread, manual = self.side_by_side(lambda: dict(manual_heal(
                self.manual_env, self.manual_dir, MANUAL, 2, dead["name"], quiet=True), ended=time.time()))
        poller = threading.Thread(target=poll)
        poller.start()
        marks = []
        key = "heal one worker" if count == 1 else "heal %d workers at once" % count
        try:
            deadline = time.time() + 180
            while watch.first("node_down", names[0], lost) is None and time.time() < deadline:
                time.sleep(0.2)
            detected = watch.first("node_down", names[0], lost)
            started = time.time()
            heal_s, _ = self.retrying(key, lambda: self.play(key, "heal_cluster.yml", marks=marks), wait)
            poller.join(timeout=240)
        finally:
            done.set()
            poller.join()
            watch.stop()
            if manual is not None:
                thread.join()
        first = seen[names[0]]
        ready = [mark.get("node_ready") for mark in seen.values()]
        ready_s = max(ready) - lost if all(ready) else None
        if count == 1:
            self.add("heal one: loss -> detected", detected - lost if detected else None)
            self.add("heal one: loss -> Node Ready", ready_s)
            self.add("heal one: heal_cluster playbook", heal_s)
            if manual is not None and not self.manual_error("heal", manual):
                self.add("manual heal: loss -> manual_heal done", manual["ended"] - lost)
                self.add("manual heal: machine time (VM again + manual_heal)", manual["seconds"])
                self.result["manual_steps"] = dict(self.result.get("manual_steps", {}), heal=manual["steps"])
        else:
            self.add("heal two at once: loss -> both Nodes Ready", ready_s)
            self.add("heal two at once: heal_cluster playbook", heal_s)
        if count == 1 and len(self.result["per_run"]) == 1:   # the timeline of the first run
            marks = marks[max([0] + [i for i, (_, line) in enumerate(marks) if line.startswith("PLAY [Heal cluster")]):]
            timeline = [("loss (lxc-stop -k)", lost), ("EDA node_health node_down", detected),
                        ("heal_cluster starts", started),
                        ("VM running again (CPI record, polled)", first.get("vm_recreated")),
                        ("Kubernetes marked the Node NotReady", first.get("node_not_ready")),
                        ("Node Ready again (kubelet heartbeat after recreation)", first.get("node_ready")),
                        ("EDA node_health node_up", watch.first("node_up", names[0], lost))]
            if manual and "ended" in manual:
                timeline.append(("manual: VM again + manual_heal done (other cluster)", manual["ended"]))
            self.result["heal"] = {
                "worker": names[0], "detected_by": "EDA node_health event source (extensions/eda), interval 3 s",
                "detect_s": round(detected - lost, 1) if detected else None,
                "ready_s": round(first["node_ready"] - lost, 1) if "node_ready" in first else None,
                "timeline": [[label, round(t - lost, 1)] for label, t in timeline if t],
                "heal_cluster_marks": [[round(t - lost, 1), line] for t, line in marks]}
            self.result["heal"]["timeline"] = heal_timeline(self.result["heal"])
        self.save()

    # 6. resize +1 at each size, automated and by hand at the same time
    def resize(self, wait):
        steps = []   # the manual steps done, kept when a later one fails

        def by_hand():
            for size in SIZES:
                steps.append(manual_resize(self.manual_env, self.manual_dir, MANUAL, MANUAL_NAME, size, quiet=True))
            return {}
        thread, manual = self.side_by_side(by_hand)
        plays = {}
        try:
            for size in SIZES:
                marks = []
                took, _ = self.retrying("resize %d->%d" % (size, size + 1), lambda: self.play(
                    "resize +1", "resize_cluster.yml", "-e", "caas_workers=%d" % (size + 1), marks=marks), wait)
                self.add("resize +1 at %d" % size, took)
                # where the time goes: each play's start, in seconds after the (last) run's start
                marks = marks[max([0] + [i for i, (_, line) in enumerate(marks) if line.startswith("PLAY [Resize")]):]
                plays[size] = [[round(t - marks[0][0], 1), line] for t, line in marks
                               if line.startswith(("PLAY [", "PLAY RECAP"))]
                self.save()
        finally:
            thread.join()
        self.result["resize_plays"] = plays
        self.manual_error("resize", manual)
        for step in steps:
            self.add("manual resize +1 at %d" % step["from"], step["seconds"])
        # a resize by hand has more steps in a bigger cluster (a route on every other worker)
        self.result["manual_steps"] = dict(self.result.get("manual_steps", {}), **dict(
            ("resize_at_%d" % step["from"], step["steps"]) for step in steps))
        self.save()

    # 7. Ansible's own cost: one play, pipelining and forks
    def ansible_matrix(self, wait):
        workers = len(self.vms("worker"))
        samples = dict(((pipelining, forks), []) for pipelining, forks in MATRIX)
        host_seconds = {}
        # Interleaved rounds: each setting sees the machine's load drift alike; the medians are compared.
        for _round in range(MATRIX_ROUNDS):
            for pipelining, forks in MATRIX:
                key = "no-op resize, pipelining %s, forks %d" % ("on" if pipelining else "off", forks)
                took, _ = self.retrying(key, lambda: self.play(
                    key, "resize_cluster.yml", "-e", "caas_workers=%d" % workers,
                    env={"ANSIBLE_PIPELINING": str(pipelining), "ANSIBLE_FORKS": str(forks)}), wait)
                samples[(pipelining, forks)].append(round(took, 1))
                if key in self.result["tasks"]:
                    host_seconds.setdefault((pipelining, forks), []).append(
                        sum(self.result["tasks"][key]["host_seconds"].values()))
        rows = [{"pipelining": pipelining, "forks": forks, "seconds": round(statistics.median(runs), 1),
                 "min": min(runs), "max": max(runs), "runs": runs,
                 "host_seconds_total": round(statistics.median(host_seconds[(pipelining, forks)]), 1)
                 if host_seconds.get((pipelining, forks)) else None}
                for (pipelining, forks), runs in samples.items()]
        best = min(rows, key=lambda r: r["seconds"])
        self.result["ansible_matrix"] = {"play": "resize_cluster.yml, no-op, at %d workers (%d hosts)" % (
            workers, workers + 2), "rounds": MATRIX_ROUNDS, "rows": rows, "best": best}
        self.save()

    # 8. resize -1, delete
    def shrink_and_delete(self, wait):
        workers = len(self.vms("worker"))
        took, _ = self.retrying("resize -1", lambda: self.play(
            "resize -1", "resize_cluster.yml", "-e", "caas_workers=%d" % (workers - 1),
            "-e", "caas_delete_removed_disks=true"), wait)
        self.add("resize -1 at %d" % workers, took)
        took, _ = self.play("delete", "delete_cluster.yml")
        self.add("delete_cluster", took)
        self.save()

    def delete_auto(self):
        try:
            playbook(self.env, "delete_cluster.yml", *self.args(), quiet=True)
        except PlaybookFailed as exc:
            print(exc, file=sys.stderr)
        self.cloud.delete_everything()

    def delete(self):
        if self.cloud:
            self.delete_auto()
            self.manual_cloud.delete_everything()
            self.cloud = None   # once per run

    def one_run(self, run, wait, matrix):
        print("run %d of %d" % (run + 1, self.result["runs"]), flush=True)
        self.result["per_run"].append({})
        self.fresh(run)
        try:
            self.create(wait)
            self.create_noop(wait, resources=run == 0)
            self.heal(wait, 1)
            self.heal(wait, 2)
            self.resize(wait)
            if matrix and run == 0:
                self.ansible_matrix(wait)
            self.shrink_and_delete(wait)
        finally:
            self.delete()


class Sampler:
    """The memory cgroups and disks of a cluster's VMs: peak since boot, idle, and the highest sample in a window."""

    def __init__(self, vms):
        self.vms = dict((v["cid"], v) for v in vms)
        self.high = {}
        self.out = {"vms": dict((v["name"], {"kind": v["metadata"].get("caas_role")}) for v in vms)}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _vm(self, cid):
        return self.out["vms"][self.vms[cid]["name"]]

    def peak_since_boot(self):
        base = "/sys/fs/cgroup/memory/lxc.payload.%s/memory.max_usage_in_bytes"
        for cid in self.vms:
            try:
                with open(base % cid) as handle:
                    self._vm(cid)["peak_since_boot_mb"] = int(handle.read()) // 2 ** 20
            except IOError:
                pass

    def disks(self, state_dir):
        def du(path):
            if not os.path.exists(path):
                return 0
            out = subprocess.run(["du", "-sk", path], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
            return int(out.split()[0]) // 1024
        disks = {}
        records = os.path.join(state_dir, "records", "disks")
        for name in os.listdir(records) if os.path.isdir(records) else []:
            with open(os.path.join(records, name)) as handle:
                disk = json.load(handle)
            disks.setdefault(disk.get("vm_cid"), []).append(disk)
        total = 0
        for cid in self.vms:
            vm = self._vm(cid)
            vm["disk_mb"] = {"overlay_delta": du(os.path.join(state_dir, "vms", cid, "delta")),
                             "ephemeral": du(os.path.join(state_dir, "vms", cid, "data")),
                             "persistent_allocated": sum(du(d["image"]) for d in disks.get(cid, []))}
            total += sum(vm["disk_mb"].values())
        stemcells = du(os.path.join(state_dir, "stemcells"))
        self.out["cluster_disk_mb"] = {"vms": total, "stemcells_shared": stemcells, "total": total + stemcells}

    def sample(self):
        for cid in self.vms:
            memory = Containers.memory_mb(cid)
            if memory:
                yield cid, memory

    def idle(self, seconds):
        samples = {}
        for _ in range(max(1, seconds // 2)):
            for cid, memory in self.sample():
                samples.setdefault(cid, []).append(memory)
            time.sleep(2)
        for cid, values in samples.items():
            self._vm(cid)["idle_mb"] = dict((k, int(statistics.median(v[k] for v in values))) for k in values[0])

    def _run(self):
        while not self.done.is_set():
            for cid, memory in self.sample():
                high = self.high.setdefault(cid, dict(memory))
                for key, value in memory.items():
                    high[key] = max(high[key], value)
            self.done.wait(1)

    def start(self):
        self.thread.start()

    def stop(self):
        self.done.set()
        self.thread.join(timeout=30)
        for cid, high in self.high.items():
            self._vm(cid)["under_smoke_workload_max_mb"] = high

    def report(self):
        """The figures per VM and, per kind, the highest of its VMs."""
        kinds = {}
        for vm in self.out["vms"].values():
            kind = kinds.setdefault(vm["kind"], {})
            for key in ("idle_mb", "under_smoke_workload_max_mb"):
                for field, value in (vm.get(key) or {}).items():
                    kind.setdefault(key, {})[field] = max(kind.get(key, {}).get(field, 0), value)
            if "peak_since_boot_mb" in vm:
                kind["peak_since_boot_mb"] = max(kind.get("peak_since_boot_mb", 0), vm["peak_since_boot_mb"])
            for field, value in (vm.get("disk_mb") or {}).items():
                kind.setdefault("disk_mb", {})[field] = max(kind.get("disk_mb", {}).get(field, 0), value)
        return dict(self.out, kinds=kinds, idle_s=IDLE_S, workload="create_cluster no-op run (its smoke test Job)")


def summary(result):
    """The derived figures: ratios, automated vs by hand, and the break-even human seconds per operator step."""
    at = dict((r["measure"], r["median_s"]) for r in result.get("rows", []))
    steps = result.get("manual_steps") or {}
    out = {}
    if "resize +1 at 8" in at and "resize +1 at 2" in at:
        out["resize_ratio_8_vs_2"] = round(at["resize +1 at 8"] / at["resize +1 at 2"], 2)
    if "heal two at once: loss -> both Nodes Ready" in at and "heal one: loss -> Node Ready" in at:
        out["heal_two_vs_one"] = round(at["heal two at once: loss -> both Nodes Ready"] / at["heal one: loss -> Node Ready"], 2)
    versus = []
    pairs = [("create", "create", "manual: VMs + manual_install", "install"),
             ("heal one worker", "heal one: loss -> Node Ready", "manual heal: machine time (VM again + manual_heal)", "heal")]
    pairs += [("resize +1 at %d" % size, "resize +1 at %d" % size, "manual resize +1 at %d" % size,
               "resize_at_%d" % size) for size in range(1, 21)]
    for label, auto, manual, kind in pairs:
        if auto in at and manual in at and steps.get(kind):
            versus.append({"operation": label, "automated_s": at[auto], "manual_machine_s": at[manual],
                           "manual_steps": steps[kind], "manual_over_automated": round(at[manual] / at[auto], 2),
                           "break_even_human_s_per_step": break_even(at[auto], at[manual], steps[kind])})
    out["versus_manual"] = versus
    return out


def rows_of(result):
    """The median rows of a results file; an older file (one run, no rows) is read into the same form."""
    if "rows" in result:
        return result["rows"]
    rows = []
    if result.get("create"):
        rows.append(row("create", [result["create"]["seconds"]]))
    for step in result.get("resize", []):
        if step["to"] == step["from"] + 1:
            rows.append(row("resize +1 at %d" % step["from"], [step["seconds"]]))
    heal = result.get("heal") or {}
    for key, measure in (("detect_s", "heal one: loss -> detected"), ("ready_s", "heal one: loss -> Node Ready")):
        if heal.get(key) is not None:
            rows.append(row(measure, [heal[key]]))
    return rows


def goal_of(measure, goals):
    """(goal text, test) of a measure, or None."""
    if measure == "create":
        return "<= %d s" % goals["create"], lambda v: v <= goals["create"]
    for size in COMPARED:
        if measure == "resize +1 at %d" % size:
            return "<= %d s" % goals["resize_plus1"], lambda v: v <= goals["resize_plus1"]
    if measure == "heal one: loss -> detected":
        return "<= %d s" % goals["heal_detect"], lambda v: v <= goals["heal_detect"]
    if measure in ("heal one: loss -> Node Ready", "heal two at once: loss -> both Nodes Ready"):
        return "<= %d s" % goals["heal_ready"], lambda v: v <= goals["heal_ready"]
    return None


def verdicts(result):
    """(measure, median text, min..max text, runs, goal text, met) rows for the table and the report."""
    goals = dict(GOALS, **result.get("goals", {}))
    out = []
    for line in rows_of(result):
        goal = goal_of(line["measure"], goals)
        out.append((line["measure"], "%.1f s" % line["median_s"], "%.1f .. %.1f" % (line["min_s"], line["max_s"]),
                    line["n"], goal[0] if goal else "", goal[1](line["median_s"]) if goal else None))
    derived = dict(summary(dict(result, rows=rows_of(result))), **dict(
        (k, result[k]) for k in ("resize_ratio_8_vs_2", "heal_two_vs_one") if k in result))
    for key, label, goal in (("resize_ratio_8_vs_2", "resize +1 at 8 / at 2", goals["resize_ratio_8_vs_2"]),
                             ("heal_two_vs_one", "heal two at once / heal one (to Ready)", goals["heal_two_vs_one"])):
        if key in derived:
            out.append((label, "%.2fx" % derived[key], "", "", "<= %.1fx" % goal, derived[key] <= goal))
    for versus in derived.get("versus_manual", []):
        # the issue sets the speed-up goal for create only; the other operations are shown without one
        goal = goals["speedup"] if versus["operation"] == "create" else None
        out.append(("manual / automated, %s" % versus["operation"], "%.2fx" % versus["manual_over_automated"], "", "",
                    ">= %.0fx" % goal if goal else "", versus["manual_over_automated"] >= goal if goal else None))
    old = result.get("create_vs_manual")   # an older file
    if old and not derived.get("versus_manual"):
        out.append(("manual / create", "%.2fx" % old["speedup_create_vs_manual"], "", 1, ">= %.0fx" % goals["speedup"],
                    old["speedup_create_vs_manual"] >= goals["speedup"]))
    return out


def plot(result, prefix):
    """Two PNGs: <prefix>_resize.png (resize +1 time vs cluster size, automated and by hand) and <prefix>_heal.png
    (the heal timeline of the first run)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    goals = dict(GOALS, **result.get("goals", {}))
    rows = dict((r["measure"], r) for r in rows_of(result))
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, measure, colour in (("resize_cluster +1 worker (automated)", "resize +1 at %d", "tab:blue"),
                                   ("manual_resize.yml + its VM (by hand, machine time)", "manual resize +1 at %d",
                                    "tab:gray")):
        sizes = [s for s in range(1, 21) if measure % s in rows]
        if sizes:
            medians = [rows[measure % s]["median_s"] for s in sizes]
            low = [rows[measure % s]["median_s"] - rows[measure % s]["min_s"] for s in sizes]
            high = [rows[measure % s]["max_s"] - rows[measure % s]["median_s"] for s in sizes]
            axes.errorbar(sizes, medians, yerr=[low, high], marker="o", capsize=3, color=colour, label=label)
    axes.axhline(goals["resize_plus1"], color="tab:green", linestyle=":", label="goal, automated (<= %d s)"
                 % goals["resize_plus1"])
    axes.set_xlabel("workers before the resize")
    axes.set_ylabel("seconds (median, min..max over %s run(s))" % result.get("runs", 1))
    axes.set_ylim(bottom=0)
    axes.set_title("Adding a worker vs cluster size")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(prefix + "_resize.png")
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(9, 5))
    steps = heal_timeline(result.get("heal") or {})
    for i, (label, t) in enumerate(steps):
        axes.plot([t], [i], marker="o", color="tab:red" if "loss" in label else (
            "tab:gray" if label.startswith("manual") else "tab:blue"))
        axes.annotate("%s  %.1f s" % (label, t), (t, i), xytext=(6, -3), textcoords="offset points", fontsize=7)
    for key, colour in (("heal_detect", "tab:orange"), ("heal_ready", "tab:green")):
        axes.axvline(goals[key], color=colour, linestyle=":", label="goal %s (%d s)" % (key, goals[key]))
    axes.set_yticks([])
    axes.invert_yaxis()
    axes.set_xlabel("seconds after the worker's container was stopped hard")
    axes.set_title("Heal one worker: loss, detection, VM recreated, Node Ready")
    axes.set_xlim(left=-2, right=max([t for _, t in steps] + [90]) * 1.6)
    axes.legend(fontsize=7, loc="upper right")
    figure.tight_layout()
    figure.savefig(prefix + "_heal.png")
    plt.close(figure)


def plot_anywhere(result_file, prefix):
    """plot() with this interpreter's matplotlib, or with the bench venv's."""
    if importlib.util.find_spec("matplotlib") is None:
        subprocess.run([os.path.join(BENCH_VENV, "bin", "python"), os.path.abspath(__file__), "--plot", result_file,
                        prefix], check=True)
        return
    with open(result_file) as handle:
        plot(json.load(handle), prefix)


def print_table(result):
    print("%-58s %-10s %-16s %-4s %-10s %s" % ("measure", "median", "min .. max", "n", "goal", ""))
    for measure, value, spread, n, goal, met in verdicts(result):
        print("%-58s %-10s %-16s %-4s %-10s %s" % (measure, value, spread, n, goal,
                                                   "" if met is None else ("met" if met else "MISSED")))
    for versus in result.get("versus_manual", []):
        print("break-even %-26s %5.1f s of human time per operator step (%d steps) makes automated >= 3x faster"
              % (versus["operation"] + ":", versus["break_even_human_s_per_step"], versus["manual_steps"]))
    for label, t in heal_timeline(result.get("heal", {})):
        print("  heal t+%6.1fs  %s" % (t, label))
    for line in (result.get("ansible_matrix") or {}).get("rows", []):
        print("  no-op resize, pipelining %-5s forks %2d: %6.1f s" % (line["pipelining"], line["forks"], line["seconds"]))
    print("load average (max 1/5/15 min during the run): %s on %s cores" % (result["load_average"], result["nproc"]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat()))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CAAS_BENCH_RUNS", "1")))
    parser.add_argument("--retry-wait", type=int, default=60)
    parser.add_argument("--max-workers", type=int, default=9, help="resize +1 up to this many workers (a quick check)")
    parser.add_argument("--no-ansible-matrix", dest="matrix", action="store_false",
                        help="skip the pipelining/forks comparison (4 no-op resizes at 9 workers)")
    parser.add_argument("--plot", nargs=2, metavar=("JSON", "PNG_PREFIX"), help="only draw the plots of a results file")
    args = parser.parse_args()
    SIZES[:] = range(2, args.max_workers)
    if args.plot:
        plot_anywhere(*args.plot)
        return 0
    root = tempfile.mkdtemp(prefix="caas-lifecycle-k8s-bench-")
    bench = Bench(root, args.out, args.runs)
    try:
        for run in range(args.runs):
            bench.one_run(run, args.retry_wait, args.matrix)
    finally:
        bench.delete()
        shutil.rmtree(root, ignore_errors=True)
        bench.save()
        plot_anywhere(os.path.join(args.out, "lifecycle_k8s.json"), os.path.join(args.out, "lifecycle_k8s"))
        print_table(bench.result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
