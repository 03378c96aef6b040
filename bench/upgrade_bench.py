#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Rolling upgrade on the embedded LXC default: a stemcell roll with Kubernetes (upgrade_cluster onto a second node
stemcell, every VM recreated with its persistent disk) of a 1 master + 2 workers and of a 3 masters + 3 workers cluster.

For each size: create_cluster (timed, not compared), then upgrade_cluster timed from its start to its end, and each
VM's time out of service, watched from the controller once a second over the apiserver's HTTPS with the admin
certificate:
- a worker: from the first look at its Node cordoned or not Ready (the drain's cordon) to the first look at it Ready
  and schedulable again after that;
- a master (not a Node here): from the first failed GET /readyz on its own apiserver to the first good one after.
While the only master of a 1+2 cluster is away the Nodes cannot be read; a worker's state is then the last one seen.

Run as root:  .venv/bin/python bench/upgrade_bench.py [--out bench/results/<date>] [--sizes 1+2,3+3]
Own LXC state dirs and PKI dirs in a temp dir; 1+2 on 10.223.0.0/24, 3+3 on 10.223.1.0/24; everything is deleted at
the end, also on failure. Writes <out>/upgrade.json after every step (partial results survive) and prints a table.
"""

import argparse
import datetime
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

from common import ROOT, PlaybookFailed, playbook, private_env

sys.path.insert(0, os.path.join(ROOT, "tests"))
from integration.rolling_workload import admin_tls_context, second_stemcell  # noqa: E402  (the tests' own, shared)

SIZES = {"1+2": ("ub3", 1, 2, "10.223.0.0/24"), "3+3": ("ub6", 3, 3, "10.223.1.0/24")}


class Watch(threading.Thread):
    """Once a second: each master's /readyz, and the Nodes (Ready, unschedulable) from the first apiserver that answers.
    Keeps (epoch, {vm name: in service}) samples."""

    def __init__(self, admin_conf, masters):
        super(Watch, self).__init__(daemon=True)
        self.context = admin_tls_context(admin_conf)
        self.masters = masters          # {name: ip}
        self.samples, self.workers, self.apiservers = [], {}, {}
        self.stop = threading.Event()

    def get(self, ip, path):
        try:
            connection = http.client.HTTPSConnection(ip, 6443, context=self.context, timeout=3)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            return response.status, body
        except (OSError, http.client.HTTPException):
            return None, None

    def ready(self, name, ip):
        """One master's /readyz once a second, in its own thread (a dead master's timeouts delay no other look)."""
        while not self.stop.is_set():
            started = time.time()
            self.apiservers[name] = self.get(ip, "/readyz")[0] == 200
            self.stop.wait(max(0.0, 1.0 - (time.time() - started)))

    def run(self):
        self.apiservers = dict((name, True) for name in self.masters)
        threads = [threading.Thread(target=self.ready, args=item, daemon=True) for item in sorted(self.masters.items())]
        for thread in threads:
            thread.start()
        while not self.stop.is_set():
            started = time.time()
            for name, ip in sorted(self.masters.items()):
                if not self.apiservers[name]:
                    continue
                status, body = self.get(ip, "/api/v1/nodes")
                if status == 200:
                    for node in json.loads(body)["items"]:
                        ready = [c["status"] for c in node["status"].get("conditions", []) if c["type"] == "Ready"]
                        self.workers[node["metadata"]["name"]] = ready == ["True"] and not node["spec"].get("unschedulable")
                    break
            state = dict(self.apiservers)
            state.update(self.workers)
            self.samples.append((started, state))
            self.stop.wait(max(0.0, 1.0 - (time.time() - started)))
        for thread in threads:
            thread.join()

    def out_of_service(self):
        """{vm: [seconds of each stretch out of service]} over the samples."""
        spans, since = {}, {}
        for moment, state in self.samples:
            for name, good in state.items():
                spans.setdefault(name, [])
                if not good and name not in since:
                    since[name] = moment
                elif good and name in since:
                    spans[name].append(round(moment - since.pop(name), 1))
        for name, moment in since.items():
            spans[name].append(round(self.samples[-1][0] - moment, 1))
        return spans


class Bench:
    def __init__(self, root, out):
        self.root, self.out = root, out
        self.loads = [os.getloadavg()]
        self.image = second_stemcell(os.path.join(root, "stemcell"))
        self.result = {"bench": "upgrade", "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
                       "machine": os.uname().nodename, "nproc": os.cpu_count(), "sizes": {},
                       "scope": "stemcell roll with Kubernetes v1.34.4 (upgrade_cluster onto the node stemcell's "
                                "version 2, every VM recreated with its disk; defaults: canaries 1, masters one at a "
                                "time, workers 25 %, master watch time 30 s); LXC VMs, artefacts cached; one run each"}

    def save(self):
        self.loads.append(os.getloadavg())
        self.result["load_average_samples"] = [[round(x, 1) for x in load] for load in self.loads]
        self.result["load_average"] = [round(max(load[i] for load in self.loads), 1) for i in range(3)]
        os.makedirs(self.out, exist_ok=True)
        with open(os.path.join(self.out, "upgrade.json"), "w") as handle:
            json.dump(self.result, handle, indent=2, sort_keys=True)

    def size(self, label):
        name, masters, workers, cidr = SIZES[label]
        env = private_env(os.path.join(self.root, name, "lxc"), os.path.join(self.root, name, "pki"))
        os.makedirs(env["CAAS_PKI_DIR"])
        plan = json.dumps({"caas_plan": name, "caas_plans": {name: {
            "masters": masters, "workers": workers, "master_vm": {"cpu": 2, "ram": 2048},
            "worker_vm": {"cpu": 2, "ram": 2048}, "persistent_disk_mb": 256}}})
        args = ["-e", "caas_cluster_name=" + name, "-e", "caas_nodes_cidr=" + cidr, "-e", "caas_kubernetes=true",
                "-e", "caas_pki_dir=" + env["CAAS_PKI_DIR"], "-e", plan,
                "-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
        from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # common's path; report.py needs none
        cloud = Cloud("lxc", {"lxc_state_dir": env["CAAS_LXC_STATE_DIR"]})
        entry = self.result["sizes"].setdefault(label, {})
        try:
            entry["create_s"] = round(playbook(env, "create_cluster.yml", *args)[0], 1)
            self.save()
            vms = [v for v in cloud.list_vms() if v["metadata"].get("caas_role") in ("master", "worker")]
            watch = Watch(os.path.join(env["CAAS_PKI_DIR"], name, "admin.conf"),
                          dict((v["name"], v["ips"][0]) for v in vms if v["metadata"]["caas_role"] == "master"))
            watch.start()
            time.sleep(5)
            marks = []
            try:
                took, _ = playbook(env, "upgrade_cluster.yml", *(args + ["-e", "stemcell_version=2", "-e",
                                                                          "stemcell_image_path=" + self.image]), marks=marks)
            finally:
                time.sleep(3)
                watch.stop.set()
                watch.join()
            start = marks[0][0] if marks else 0
            entry.update({"roll_s": round(took, 1), "vms": len(vms), "out_of_service_s": watch.out_of_service(),
                          "plays": [[round(t - start, 1), line] for t, line in marks if line.startswith("PLAY [")]})
            after = [v for v in cloud.list_vms() if v["metadata"].get("caas_role") in ("master", "worker")]
            entry["all_recreated"] = not set(v["cid"] for v in after) & set(v["cid"] for v in vms)
        except PlaybookFailed as exc:
            entry["error"] = str(exc)[-2000:]
            print(exc, file=sys.stderr)
        finally:
            self.save()
            try:
                playbook(env, "delete_cluster.yml", *args, quiet=True)
            except PlaybookFailed as exc:
                print(exc, file=sys.stderr)
            cloud.delete_everything()


def rows(result):
    """(size, create, roll, per VM out of service (median, max, by role), ...) for the table."""
    out = []
    for label, entry in sorted(result.get("sizes", {}).items()):
        spans = entry.get("out_of_service_s", {})
        for role in ("master", "worker"):
            totals = dict((n, max(s or [0.0])) for n, s in spans.items() if "-%s-" % role in n)
            if not totals:
                continue
            out.append({"size": label, "create_s": entry.get("create_s"), "roll_s": entry.get("roll_s"), "role": role,
                        "vms": len(totals), "out_median_s": round(statistics.median(totals.values()), 1),
                        "out_max_s": round(max(totals.values()), 1),
                        "per_vm": ", ".join("%s %.1f" % (n.rsplit("-", 2)[-2][0] + n.rsplit("-", 1)[-1], t)
                                            for n, t in sorted(totals.items()))})
        if not spans:
            out.append({"size": label, "create_s": entry.get("create_s"), "roll_s": entry.get("roll_s"), "role": "-",
                        "vms": 0, "out_median_s": None, "out_max_s": None,
                        "per_vm": " ".join(entry.get("error", "").split())[:60]})
    return out


def notes(result):
    return ["%s: %s" % (label, entry["note"]) for label, entry in sorted(result.get("sizes", {}).items()) if entry.get("note")]


def markdown(result):
    """The section of docs/performance.md (bench/report.py) for these results."""
    lines = ["| cluster | create | stemcell roll | role | VMs | out of service per VM, median | max | per VM |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows(result):
        lines.append("| %s | %s s | %s s | %s | %d | %s s | %s s | %s |" % (
            r["size"], r["create_s"], r["roll_s"], r["role"], r["vms"], r["out_median_s"], r["out_max_s"], r["per_vm"]))
    lines += [""] + ["- " + note for note in notes(result)]
    lines += ["", "Out of service: a worker from its cordon (or NotReady) to Ready and uncordoned, a master from its "
              "apiserver's first failed /readyz to the next good one; watched once a second.", ""]
    return lines


def print_table(result):
    print("%-5s %8s %8s %-7s %10s %8s  %s" % ("size", "create", "roll", "role", "out med", "out max", "out per VM (s)"))
    for r in rows(result):
        print("%-5s %7ss %7ss %-7s %9ss %7ss  %s" % tuple("-" if r[k] is None else r[k] for k in (
            "size", "create_s", "roll_s", "role", "out_median_s", "out_max_s", "per_vm")))
    for note in notes(result):
        print(note)
    print("load average (max 1/5/15 min during the run): %s on %s cores" % (result.get("load_average"), result.get("nproc")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat()))
    parser.add_argument("--sizes", default="1+2,3+3")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="caas-upgrade-bench-")
    bench = Bench(root, args.out)
    try:
        for label in args.sizes.split(","):
            bench.size(label)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        bench.save()
        print_table(bench.result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
