#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The cluster lifecycle with Kubernetes, in one run on the embedded LXC default, artefacts cached:

1. create_cluster (1 master, 2 workers, registry; caas_kubernetes=true, node stemcell), playbook start to the end of
   its smoke test (the last play), and AT THE SAME TIME the hand path for the same cluster (manual_bench.manual_path:
   its VMs made beforehand, then manual_install), so both see the same machine load;
2. heal one worker: its container stopped hard at t0; the EDA event source (extensions/eda node_health, interval 3 s
   as in the resurrector rulebook) runs through the whole step and its node_down event is "detected"; heal_cluster
   starts then (what the rulebook does); its own probe, the VM recreated and the Node Ready again (kubelet heartbeat
   after the recreation) are time-stamped from t0;
3. resize_cluster +1 worker at 2, 4 and 8 workers (the steps 3->4 and 5->8 between are timed too, not compared).

Goals (lifecycle issue): create <= 180 s and >= 3x faster than VMs + manual_install; resize +1 <= 45 s and at 8
<= 1.2x at 2; heal detected <= 30 s and Ready <= 90 s after the loss.

Run as root:  .venv/bin/python bench/lifecycle_k8s_bench.py [--out bench/results/<date>]
Own LXC state dirs and PKI dirs in a temp dir; the cluster on 10.224.0.0/24, the manual one on 10.225.0.0/24;
everything is deleted at the end, also on failure. A playbook that fails (e.g. roles being edited under the run)
is retried once after --retry-wait seconds (create and resize converge; the retry is recorded). Writes
<out>/lifecycle_k8s.json after every step (partial results survive) and lifecycle_k8s.png, and prints a table.
"""

import argparse
import asyncio
import datetime
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from common import BENCH_VENV, ROOT, PlaybookFailed, kubectl, playbook, private_env
from manual_bench import GOAL_SPEEDUP, compare, manual_path

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402  (common's path)

sys.path.insert(0, os.path.join(ROOT, "extensions", "eda", "plugins", "event_source"))
import node_health  # noqa: E402

NAME, CIDR = "lkb", "10.224.0.0/24"
BASE = ["-e", "caas_cluster_name=" + NAME, "-e", "caas_nodes_cidr=" + CIDR, "-e", "caas_plan=small",
        "-e", "caas_kubernetes=true", "-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
MANUAL = ["-e", "caas_cluster_name=lkh", "-e", "caas_nodes_cidr=10.225.0.0/24", "-e", "caas_plan=small",
          "-e", "manual_persistent_disk_mb=1024"]
RESIZES = [(2, 3), (3, 4), (4, 5), (5, 8), (8, 9)]   # (from, to); +1 at 2, 4 and 8 are the compared ones
GOALS = {"create": 180, "resize_plus1": 45, "resize_ratio_8_vs_2": 1.2, "heal_detect": 30, "heal_ready": 90,
         "speedup": GOAL_SPEEDUP}
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


class Bench:
    def __init__(self, root, out):
        self.root, self.out = root, out
        self.auto_env = private_env(os.path.join(root, "auto", "lxc"), os.path.join(root, "auto", "pki"))
        self.manual_env = private_env(os.path.join(root, "manual", "lxc"), os.path.join(root, "manual", "pki"))
        for env in (self.auto_env, self.manual_env):
            os.makedirs(env["CAAS_PKI_DIR"])
        self.cloud = Cloud("lxc", {"lxc_state_dir": self.auto_env["CAAS_LXC_STATE_DIR"]})
        self.loads = [os.getloadavg()]
        self.result = {"bench": "lifecycle_k8s", "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
                       "machine": os.uname().nodename, "nproc": os.cpu_count(), "goals": GOALS, "retries": [],
                       "scope": "1 master + 2 workers + registry, Kubernetes v1.34.4, LXC VMs from the node stemcell, "
                                "artefacts cached; one run; the manual path ran at the same time as create_cluster"}

    def args(self):
        return BASE + ["-e", "caas_pki_dir=" + self.auto_env["CAAS_PKI_DIR"]]

    def save(self):
        self.loads.append(os.getloadavg())
        self.result["load_average_samples"] = [[round(x, 1) for x in load] for load in self.loads]
        self.result["load_average"] = [round(max(load[i] for load in self.loads), 1) for i in range(3)]
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

    def vms(self, role=None):
        vms = [v for v in self.cloud.list_vms() if (v.get("metadata") or {}).get("caas_cluster") == NAME]
        return sorted((v for v in vms if role is None or v["metadata"].get("caas_role") == role), key=lambda v: v["name"])

    def node(self, name):
        """(ready, last heartbeat epoch) of Node name, or None."""
        conf = os.path.join(self.auto_env["CAAS_PKI_DIR"], NAME, "admin.conf")
        rc, out = kubectl(conf, "https://%s:6443" % self.vms("master")[0]["ips"][0], "get", "node", name, "-o", "json")
        if rc != 0:
            return None
        try:
            ready = [c for c in json.loads(out)["status"]["conditions"] if c["type"] == "Ready"][0]
        except (ValueError, KeyError, IndexError):
            return None
        beat = datetime.datetime.strptime(ready["lastHeartbeatTime"], "%Y-%m-%dT%H:%M:%SZ")
        return ready["status"] == "True", beat.replace(tzinfo=datetime.timezone.utc).timestamp()

    # 1. create, and the hand path at the same time
    def create(self, wait):
        manual = {}

        def hand():
            try:
                manual.update(manual_path(self.manual_env, os.path.join(self.root, "manual", "work"), MANUAL))
            except Exception as exc:  # pylint: disable=broad-except  # reported with the create numbers
                manual["error"] = str(exc)[-2000:]
        thread = threading.Thread(target=hand)
        thread.start()
        marks = []
        try:
            # a failed create is deleted before the retry, which then measures a create from scratch again
            create_s, _ = self.retrying("create_cluster", lambda: playbook(
                self.auto_env, "create_cluster.yml", *self.args(), marks=marks), wait, cleanup=self.delete_auto)
        finally:
            thread.join()
        marks = marks[max([0] + [i for i, (_, line) in enumerate(marks) if line.startswith("PLAY [Create cluster")]):]
        smoke = [t for t, line in marks if line.startswith("PLAY [Smoke test")]
        self.result["create"] = {"seconds": round(create_s, 1), "smoke_test_play_started_s": round(
            smoke[0] - marks[0][0], 1) if smoke else None, "retried": bool(self.result["retries"])}
        if "error" in manual:
            self.result["manual_error"] = manual["error"]
        else:
            self.result["create_vs_manual"] = compare(create_s, manual)
        self.save()
        Cloud("lxc", {"lxc_state_dir": self.manual_env["CAAS_LXC_STATE_DIR"]}).delete_everything()

    # 2. heal one worker
    def heal(self, wait):
        worker = self.vms("worker")[0]
        name, state_dir = worker["name"], self.auto_env["CAAS_LXC_STATE_DIR"]
        watch = Watch(state_dir)
        watch.start()
        time.sleep(10)   # the event source has seen the cluster healthy
        seen = {}
        done = threading.Event()

        def poll():
            while not done.is_set():
                now = time.time()
                vm = [v for v in self.vms("worker") if v["name"] == name]
                if "vm_recreated" not in seen and vm and vm[0]["cid"] != worker["cid"] and vm[0]["state"] == "running":
                    seen["vm_recreated"] = now
                state = self.node(name)
                if state and not state[0] and "node_not_ready" not in seen:
                    seen["node_not_ready"] = now   # Kubernetes' own view (node-monitor-grace-period)
                if state and state[0] and "vm_recreated" in seen and state[1] >= seen["vm_recreated"] - 1:
                    seen["node_ready"] = now
                    return
                done.wait(1)
        lost = time.time()
        subprocess.run(["lxc-stop", "-P", os.path.join(state_dir, "vms"), "-n", worker["cid"], "-k"], check=True)
        poller = threading.Thread(target=poll)
        poller.start()
        marks = []
        try:
            deadline = time.time() + 180
            while watch.first("node_down", name, lost) is None and time.time() < deadline:
                time.sleep(0.2)
            detected = watch.first("node_down", name, lost)
            started = time.time()
            self.retrying("heal_cluster", lambda: playbook(
                self.auto_env, "heal_cluster.yml", *self.args(), marks=marks), wait)
            poller.join(timeout=240)
        finally:
            done.set()
            poller.join()
            watch.stop()
        marks = marks[max([0] + [i for i, (_, line) in enumerate(marks) if line.startswith("PLAY [Heal cluster")]):]
        timeline = [("loss (lxc-stop -k)", lost), ("EDA node_health node_down", detected),
                    ("heal_cluster starts", started), ("VM running again (CPI record, polled)", seen.get("vm_recreated")),
                    ("Kubernetes marked the Node NotReady", seen.get("node_not_ready")),
                    ("Node Ready again (kubelet heartbeat after recreation)", seen.get("node_ready")),
                    ("EDA node_health node_up", watch.first("node_up", name, lost))]
        self.result["heal"] = {
            "worker": name, "detected_by": "EDA node_health event source (extensions/eda), interval 3 s",
            "detect_s": round(detected - lost, 1) if detected else None,
            "ready_s": round(seen["node_ready"] - lost, 1) if "node_ready" in seen else None,
            "timeline": [[label, round(t - lost, 1)] for label, t in timeline if t],
            "heal_cluster_marks": [[round(t - lost, 1), line] for t, line in marks]}
        self.result["heal"]["timeline"] = heal_timeline(self.result["heal"])
        self.save()

    # 3. resize +1 at 2, 4 and 8 workers
    def resize(self, wait):
        self.result["resize"] = []
        for before, after in RESIZES:
            marks = []
            took, _ = self.retrying("resize %d->%d" % (before, after), lambda: playbook(
                self.auto_env, "resize_cluster.yml", *(self.args() + ["-e", "caas_workers=%d" % after]), marks=marks), wait)
            # where the time goes: each play's start, in seconds after the (last) run's start
            marks = marks[max([0] + [i for i, (_, line) in enumerate(marks) if line.startswith("PLAY [Resize cluster")]):]
            plays = [[round(t - marks[0][0], 1), line] for t, line in marks if line.startswith(("PLAY [", "PLAY RECAP"))]
            self.result["resize"].append({"from": before, "to": after, "seconds": round(took, 1), "plays": plays,
                                          "compared": after == before + 1 and before in (2, 4, 8)})
            self.save()
        at = dict((r["from"], r["seconds"]) for r in self.result["resize"] if r["compared"])
        self.result["resize_ratio_8_vs_2"] = round(at[8] / at[2], 2)
        self.save()

    def delete_auto(self):
        try:
            playbook(self.auto_env, "delete_cluster.yml", *self.args())
        except PlaybookFailed as exc:
            print(exc, file=sys.stderr)
        self.cloud.delete_everything()

    def delete(self):
        self.delete_auto()
        Cloud("lxc", {"lxc_state_dir": self.manual_env["CAAS_LXC_STATE_DIR"]}).delete_everything()


def verdicts(result):
    """(measure, value, goal text, met) rows for the table and the report."""
    rows = []
    goals = result.get("goals", GOALS)
    create = result.get("create", {})
    if create:
        rows.append(("create (1m2w + registry, to smoke test done)", "%.1f s" % create["seconds"],
                     "<= %d s" % goals["create"], create["seconds"] <= goals["create"]))
    versus = result.get("create_vs_manual")
    if versus:
        manual = versus["results"][3]
        rows.append(("VMs + manual_install, same cluster, same time", "%.1f s, %d operator steps" % (
            manual["seconds"], manual["operator_steps"]), "", None))
        rows.append(("manual / create", "%.2fx" % versus["speedup_create_vs_manual"], ">= %.0fx" % goals["speedup"],
                     versus["speedup_create_vs_manual"] >= goals["speedup"]))
    for step in result.get("resize", []):
        rows.append(("resize %d -> %d workers" % (step["from"], step["to"]), "%.1f s" % step["seconds"],
                     "<= %d s" % goals["resize_plus1"] if step["compared"] else "",
                     step["seconds"] <= goals["resize_plus1"] if step["compared"] else None))
    if "resize_ratio_8_vs_2" in result:
        rows.append(("resize +1 at 8 / at 2", "%.2fx" % result["resize_ratio_8_vs_2"],
                     "<= %.1fx" % goals["resize_ratio_8_vs_2"], result["resize_ratio_8_vs_2"] <= goals["resize_ratio_8_vs_2"]))
    heal = result.get("heal", {})
    for key, label in (("detect_s", "heal: loss -> detected"), ("ready_s", "heal: loss -> Node Ready")):
        if key in heal:
            goal = goals["heal_" + key[:-2]]
            value = heal[key]
            rows.append((label, "%.1f s" % value if value is not None else "never", "<= %d s" % goal,
                         value is not None and value <= goal))
    return rows


def plot(result, out):
    """The heal timeline and the resize times, side by side, in one PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    steps = heal_timeline(result.get("heal") or {})
    for i, (label, t) in enumerate(steps):
        left.plot([t], [i], marker="o", color="tab:red" if "loss" in label else "tab:blue")
        left.annotate("%s  %.1f s" % (label, t), (t, i), xytext=(6, -3), textcoords="offset points", fontsize=7)
    for key, colour in (("heal_detect", "tab:orange"), ("heal_ready", "tab:green")):
        left.axvline(result.get("goals", GOALS)[key], color=colour, linestyle=":", label="goal %s" % key)
    left.set_yticks([])
    left.invert_yaxis()
    left.set_xlabel("seconds after the worker's container was stopped hard")
    left.set_title("Heal one worker")
    left.set_xlim(left=-2, right=max([t for _, t in steps] + [90]) * 1.6)
    left.legend(fontsize=7, loc="upper right")
    resizes = [r for r in result.get("resize", []) if r["to"] == r["from"] + 1]
    right.plot([r["from"] for r in resizes], [r["seconds"] for r in resizes], marker="o",
               label="resize_cluster +1 worker (compared: at 2, 4, 8)")
    right.axhline(result.get("goals", GOALS)["resize_plus1"], color="tab:green", linestyle=":", label="goal")
    right.set_xlabel("workers before the resize")
    right.set_ylabel("seconds")
    right.set_ylim(0, max([r["seconds"] for r in resizes] + [result.get("goals", GOALS)["resize_plus1"]]) * 1.15)
    right.set_title("Adding a worker vs cluster size")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(out)
    plt.close(figure)


def plot_anywhere(result_file, out):
    """plot() with this interpreter's matplotlib, or with the bench venv's."""
    if importlib.util.find_spec("matplotlib") is None:
        subprocess.run([os.path.join(BENCH_VENV, "bin", "python"), os.path.abspath(__file__), "--plot", result_file,
                        out], check=True)
        return
    with open(result_file) as handle:
        plot(json.load(handle), out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat()))
    parser.add_argument("--retry-wait", type=int, default=180)
    parser.add_argument("--plot", nargs=2, metavar=("JSON", "PNG"), help="only draw the plot of a results file")
    args = parser.parse_args()
    if args.plot:
        plot_anywhere(*args.plot)
        return 0
    root = tempfile.mkdtemp(prefix="caas-lifecycle-k8s-bench-")
    bench = Bench(root, args.out)
    try:
        bench.create(args.retry_wait)
        bench.heal(args.retry_wait)
        bench.resize(args.retry_wait)
    finally:
        bench.delete()
        shutil.rmtree(root, ignore_errors=True)
        bench.save()
        result_file = os.path.join(args.out, "lifecycle_k8s.json")
        plot_anywhere(result_file, os.path.join(args.out, "lifecycle_k8s.png"))
        print("%-50s %-26s %-10s %s" % ("measure", "result", "goal", ""))
        for measure, value, goal, met in verdicts(bench.result):
            print("%-50s %-26s %-10s %s" % (measure, value, goal, "" if met is None else ("met" if met else "MISSED")))
        for label, t in heal_timeline(bench.result.get("heal", {})):
            print("  heal t+%6.1fs  %s" % (t, label))
        print("load average (max 1/5/15 min during the run): %s on %s cores"
              % (bench.result["load_average"], bench.result["nproc"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
