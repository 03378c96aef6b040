#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Write docs/performance.md and its plots (docs/img/) from the results in bench/results.

Each benchmark's figures come from its newest results file (by the "date" the benchmark wrote in it, else the
file's time), wherever it is under bench/results, so a run that measured only some benchmarks still reports the
others from before; each section and each row of the summary names its file. With a directory given, only files
in directories up to it (by name) count. Every number in the report comes from a JSON file the benchmarks wrote.
  .venv/bin/python bench/report.py [bench/results/<dir>]
"""

import datetime
import glob
import importlib.util
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
IMG = os.path.join(DOCS, "img")
BENCH_VENV = os.path.join(os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas"), "bench-venv")

# What the anchors take, as their own documentation and issues report it.
ANCHOR_CREATE = "PKS: up to 30 min per cluster; kubespray: ~22 min for 7 nodes"
ANCHOR_RESIZE = "kubespray scale.yml: grows with the cluster, >2 h to add a node at 20 nodes"
ANCHOR_DETECT = "BOSH resurrector: ~1-2 min to detect; CAPI MachineHealthCheck: 5 min unhealthy threshold"
ANCHOR_HEAL = "BOSH resurrector: ~1-2 min detect + ~1.5 min recreate; CAPI MachineHealthCheck: 5 min threshold"
ANCHORS = [("create again", "kubespray re-run: the whole cluster.yml again"), ("create", ANCHOR_CREATE),
           ("resize", ANCHOR_RESIZE), ("heal one: loss -> detected", ANCHOR_DETECT), ("heal", ANCHOR_HEAL),
           ("manual / automated", "the seed's claim: a worker in about two minutes instead of hours by hand")]
# Sections in this order, then any other benchmark by name; a benchmark whose figures another one measures side by
# side now is left out when that one has results.
ORDER = ["lifecycle_k8s", "k8s_alone", "k8s", "lxc_cpi", "vsphere", "pki"]
SUPERSEDED = {"manual": "lifecycle_k8s", "lifecycle": "lifecycle_k8s"}


def anchor_of(measure):
    return next((text for key, text in ANCHORS if measure.startswith(key)), "")


def when(path, bench):
    """The time a results file was written: its "date", else its file time (ISO, comparable)."""
    date = bench.get("date")
    if date:
        return date.rstrip("Z")[:19]
    return datetime.datetime.utcfromtimestamp(os.path.getmtime(path)).isoformat(timespec="seconds")


def load(directories):
    """{benchmark: (path relative to ROOT, results)}, each benchmark from its newest file."""
    data = {}
    for directory in directories:
        for path in glob.glob(os.path.join(directory, "*.json")):
            with open(path) as handle:
                bench = json.load(handle)
            name = os.path.splitext(os.path.basename(path))[0]
            if name not in data or when(path, bench) >= when(os.path.join(ROOT, data[name][0]), data[name][1]):
                data[name] = (os.path.relpath(path, ROOT), bench)
    return data


def cell(text):
    return str(text).replace("|", "/")


def median_table(bench):
    lines = ["| measure | median | min .. max | runs | goal | verdict |", "|---|---|---|---|---|---|"]
    for row in bench.get("results", []):
        goal = row.get("goal_s")
        verdict = "" if goal is None else ("met" if row["median_s"] <= goal else "**missed**")
        lines.append("| %s | %.3f s | %.3f .. %.3f | %d | %s | %s |" % (
            row["measure"], row["median_s"], row["min_s"], row["max_s"], row["n"],
            "" if goal is None else "<= %s s" % goal, verdict))
    return lines


def source(path, bench):
    load_average = bench.get("load_average") or bench.get("load_average_end")
    return "From `%s` (written %s). Machine: %s, %s cores%s. Scope: %s." % (
        path, when(os.path.join(ROOT, path), bench), bench.get("machine", "?"), bench.get("nproc", "?"),
        ", %sload average %s" % ("highest " if bench.get("load_average_samples") else "",
                                 "/".join("%.1f" % x for x in load_average)) if load_average else "",
        bench.get("scope") or bench.get("cluster") or "see the benchmark's docstring")


def plots(function, *args):
    """Run a plotting function of this module with matplotlib, in the bench venv if this interpreter lacks it."""
    if importlib.util.find_spec("matplotlib") is None:
        subprocess.run([os.path.join(BENCH_VENV, "bin", "python"), os.path.abspath(__file__), "--plot", function]
                       + list(args), check=True)
        return
    globals()[function](*args)


def plot_vsphere(path, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with open(path) as handle:
        vsphere = json.load(handle)
    count = vsphere.get("count", 20)
    small, large = vsphere.get("small_inventory_vms", 4), vsphere.get("large_inventory_vms", 1200)
    plt.figure(figsize=(6, 3.8))
    ours = [(small, vsphere.get("ours_median_wall_s")), (large, vsphere.get("ours_large_median_wall_s"))]
    ours = [(x, y / count) for x, y in ours if y]
    plt.plot([x for x, _ in ours], [y for _, y in ours], marker="o", label="ondemand.caas CPI modules")
    if vsphere.get("theirs_median_wall_s"):
        plt.plot([small], [vsphere["theirs_median_wall_s"] / count], marker="s", linestyle="", color="tab:gray",
                 label="community.vmware vmware_guest + vmware_guest_disk")
    plt.xscale("log")
    plt.xlabel("VMs in the vCenter inventory (vcsim)")
    plt.ylabel("seconds per VM (create + attach + delete)")
    plt.ylim(bottom=0)
    plt.title("CPI latency vs inventory size (%d VMs each)" % count)
    plt.legend(fontsize=8)
    plt.tight_layout()
    plt.savefig(out)
    plt.close()


def lifecycle_plots(path, prefix):
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from lifecycle_k8s_bench import plot
    with open(path) as handle:
        plot(json.load(handle), prefix)


def lifecycle_k8s_section(path, bench):
    """The measures with their goals and anchors, automated against manual with the break-even figure, the heal
    timeline, the cost of Ansible, the resources and the plots of bench/lifecycle_k8s_bench.py's results."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from lifecycle_k8s_bench import heal_timeline, summary, verdicts
    lines = ["| measure | median | min .. max | runs | goal | verdict | anchor |", "|---|---|---|---|---|---|---|"]
    for measure, value, spread, n, goal, met in verdicts(bench):
        verdict = "" if met is None else ("met" if met else "**missed**")
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (measure, value, spread, n, goal, verdict,
                                                               anchor_of(measure)))
    if bench.get("retries"):
        lines += ["", "Steps retried once after a failure: %s." % ", ".join(r["step"] for r in bench["retries"])]
    if bench.get("manual_errors"):
        lines += ["", "Manual steps that failed: %s." % ", ".join(r["step"] for r in bench["manual_errors"])]
    versus = bench.get("versus_manual") or summary(bench).get("versus_manual")
    if versus:
        lines += ["", "### Automated against the manual path", "",
                  "The manual path's machine time is Ansible typing the operator's commands (playbooks/manual_*.yml), "
                  "a floor: a person also reads, types and waits at each step. Break-even: the human seconds per "
                  "operator step from which the automated path is at least 3x faster, (3 x automated - manual "
                  "machine time) / steps; 0 means the machine time alone already makes it 3x.", "",
                  "| operation | automated | manual machine time | operator steps (automated: 1) | manual / automated "
                  "| break-even human s per step |", "|---|---|---|---|---|---|"]
        for v in versus:
            lines.append("| %s | %.1f s | %.1f s | %d | %.2fx | %.1f s |" % (
                v["operation"], v["automated_s"], v["manual_machine_s"], v["manual_steps"],
                v["manual_over_automated"], v["break_even_human_s_per_step"]))
    heal = bench.get("heal") or {}
    if heal.get("timeline"):
        lines += ["", "### Heal timeline", "",
                  "%s, first run, detected by the %s:" % (heal.get("worker", "a worker"), heal.get("detected_by", "?")),
                  "", "| t after the loss | step |", "|---|---|"]
        lines += ["| %.1f s | %s |" % (t, label) for label, t in heal_timeline(heal)]
    plots("lifecycle_plots", os.path.join(ROOT, path), os.path.join(IMG, "lifecycle_k8s"))
    lines += ["", "![resize time vs cluster size, automated and manual](img/lifecycle_k8s_resize.png)", "",
              "![heal timeline](img/lifecycle_k8s_heal.png)", ""]
    lines += ansible_cost(bench) + resources(bench)
    return lines


def ansible_cost(bench):
    tasks = bench.get("tasks") or {}
    matrix = bench.get("ansible_matrix")
    if not tasks and not matrix:
        return []
    lines = ["### Cost of Ansible itself", "",
             "Every playbook of the run with the `ondemand.caas.task_timer` callback (last run of each step): the "
             "slowest tasks (their longest time on one host, with that host) and the seconds each host spent in "
             "tasks (the busiest five).", "",
             "| playbook run | wall | tasks | slowest tasks | seconds in tasks per host |", "|---|---|---|---|---|"]
    for key in sorted(tasks):
        t = tasks[key]
        if key.startswith("no-op resize, pipelining"):
            continue
        slowest = "<br>".join("%.1f s %s%s" % (s["seconds"], cell(s["task"]), " (%s)" % s["slowest_host"]
                                                if s.get("slowest_host") else "") for s in t["slowest"][:4])
        hosts = ", ".join("%s %.0f" % (h, s) for h, s in sorted(t["host_seconds"].items(), key=lambda h: -h[1])[:5])
        lines.append("| %s (%s) | %.1f s | %d | %s | %s |" % (key, t["playbook"], t["seconds"], t["tasks"], slowest, hosts))
    if matrix:
        rounds = matrix.get("rounds", 1)
        lines += ["", "Pipelining and forks, side by side on one play: %s, %d interleaved round(s)." % (
            matrix["play"], rounds), "",
            "| pipelining | forks | wall, median | min .. max | seconds in tasks, all hosts |", "|---|---|---|---|---|"]
        for r in matrix["rows"]:
            lines.append("| %s | %d | %.1f s | %s .. %s | %s |" % (
                "on" if r["pipelining"] else "off", r["forks"], r["seconds"], r.get("min", r["seconds"]),
                r.get("max", r["seconds"]), "%.1f s" % r["host_seconds_total"] if r.get("host_seconds_total") else ""))
        best, shipped = matrix["best"], shipped_ansible_cfg()
        shipped_row = next((r for r in matrix["rows"] if "pipelining %s, forks %d" % (
            "on" if r["pipelining"] else "off", r["forks"]) == shipped), None)
        spread = max(r.get("max", r["seconds"]) - r.get("min", r["seconds"]) for r in matrix["rows"])
        verdict = ""
        if shipped_row is not None:
            gain = shipped_row["seconds"] - best["seconds"]
            if gain == 0:
                verdict = " The shipped setting is the fastest."
            elif rounds < 2:
                verdict = " One round only, so no spread to tell a %.1f s gain from noise; the shipped setting stays." % gain
            elif gain <= spread:
                verdict = (" The fastest is %.1f s ahead, within the largest spread between runs of one setting "
                           "(%.1f s): noise, the shipped setting stays." % (gain, spread))
            else:
                verdict = (" The fastest is %.1f s ahead, beyond the largest spread between runs of one setting "
                           "(%.1f s): ansible.cfg should take it." % (gain, spread))
        lines += ["", "Fastest by median: pipelining %s, forks %d; the shipped ansible.cfg has %s.%s" % (
            "on" if best["pipelining"] else "off", best["forks"], shipped, verdict)]
    return lines + [""]


def shipped_ansible_cfg():
    forks, pipelining = "?", "?"
    with open(os.path.join(ROOT, "ansible.cfg")) as handle:
        for line in handle:
            key, _, value = line.partition("=")
            if key.strip() == "forks":
                forks = value.strip()
            if key.strip() == "pipelining":
                pipelining = "on" if value.strip().lower() in ("true", "yes", "1") else "off"
    return "pipelining %s, forks %s" % (pipelining, forks)


def resources(bench):
    res = bench.get("resources")
    if not res:
        return []
    lines = ["### Resources", "",
             "Memory of each VM's cgroup, MiB: rss (anonymous) / working set (usage - inactive file, what kubelet "
             "reports); idle = median over %s s after create; workload = highest sample (1 s) during the %s; peak "
             "since boot = cgroup max usage (page cache included), read after create. Per kind: the highest of its "
             "VMs. Disk, MiB: the overlay delta over the stemcell, the ephemeral disk (containerd, kubelet), the "
             "persistent disk (allocated up front)." % (res.get("idle_s", "?"), res.get("workload", "?")), "",
             "| VM kind | idle rss / ws | under the smoke workload rss / ws | peak since boot | overlay delta | "
             "ephemeral | persistent |", "|---|---|---|---|---|---|---|"]
    for kind, k in sorted(res.get("kinds", {}).items()):
        idle, high, disk = k.get("idle_mb", {}), k.get("under_smoke_workload_max_mb", {}), k.get("disk_mb", {})
        lines.append("| %s | %s / %s | %s / %s | %s | %s | %s | %s |" % (
            kind, idle.get("rss_mb", "?"), idle.get("working_set_mb", "?"), high.get("rss_mb", "?"),
            high.get("working_set_mb", "?"), k.get("peak_since_boot_mb", "?"), disk.get("overlay_delta", "?"),
            disk.get("ephemeral", "?"), disk.get("persistent_allocated", "?")))
    cluster = res.get("cluster_disk_mb")
    if cluster:
        lines += ["", "Disk of the cluster (%d VMs): %d MiB in its VMs, plus %d MiB of stemcells shared by every "
                  "cluster of the state dir (%d MiB in all)." % (len(res.get("vms", {})), cluster["vms"],
                                                                 cluster["stemcells_shared"], cluster["total"])]
    return lines + [""]


def vsphere_section(path, bench):
    """Our CPI modules against community.vmware's on one vcsim, and ours on a ~1,200-VM inventory."""
    count, versions = bench.get("count", 20), bench.get("versions") or {}
    small, large = bench.get("small_inventory_vms"), bench.get("large_inventory_vms")
    lines = ["Each side: create %d VMs, create and attach a disk to each, delete them (`%s` against `%s`), through "
             "one ansible-playbook with the same settings; ansible-core %s, community.vmware %s, pyVmomi %s; "
             "medians of %d round(s)." % (count, bench.get("ours_playbook"), bench.get("theirs_playbook"),
                                          versions.get("ansible-core", "?"), versions.get("community.vmware", "?"),
                                          versions.get("pyvmomi", "?"), bench.get("rounds", 1)), "",
             "| measure | result | goal | verdict | anchor |", "|---|---|---|---|---|"]

    def row(measure, ratio, goal, anchor):
        verdict = "" if goal is None else ("met" if ratio <= goal else "**missed**")
        lines.append("| %s | %.2fx | %s | %s | %s |" % (measure, ratio, "" if goal is None else "<= %.1fx" % goal,
                                                      verdict, anchor))

    anchor = "community.vmware vmware_guest + vmware_guest_disk"
    for key, label in (("ours_median_wall_s", "ondemand.caas, %s-VM inventory" % small),
                       ("theirs_median_wall_s", "community.vmware, %s-VM inventory" % small),
                       ("ours_large_median_wall_s", "ondemand.caas, %s-VM inventory" % large)):
        if bench.get(key):
            lines.append("| %s: wall for %d VMs | %.1f s (%.2f s per VM) |  |  | %s |" % (
                label, count, bench[key], bench[key] / count, anchor if key.startswith("theirs") else ""))
    if bench.get("ratio_wall") is not None:
        row("ondemand.caas / community.vmware, wall", bench["ratio_wall"], bench.get("ratio_goal"), anchor)
    if bench.get("ratio_cpu") is not None:
        row("ondemand.caas / community.vmware, CPU seconds", bench["ratio_cpu"], None, anchor)
    if bench.get("scale_ratio_wall") is not None:
        row("ondemand.caas, %s-VM / %s-VM inventory, wall" % (large, small), bench["scale_ratio_wall"],
            bench.get("scale_goal"), "")
    if bench.get("large_inventory_start_s") is not None:
        lines.append("| vcsim start with the large inventory (not timed in the runs) | %.1f s |  |  |  |"
                     % bench["large_inventory_start_s"])
    plots("plot_vsphere", os.path.join(ROOT, path), os.path.join(IMG, "vsphere_cpi.png"))
    return lines + ["", "![CPI latency vs inventory size](img/vsphere_cpi.png)"]


def k8s_alone_section(path, bench):
    lines = median_table(bench) + [""]
    for variant, kinds in sorted((bench.get("idle_memory_mb_median") or {}).items()):
        lines.append("- idle memory, %s (goal: worker <= %s MB working set): %s" % (
            variant, bench.get("goal_idle_worker_mb", "?"), "; ".join(
                "%s rss %d MB, working set %d MB" % (kind, v["rss"], v["working_set"]) for kind, v in sorted(kinds.items()))))
    for key, tasks in sorted((bench.get("slowest_tasks") or {}).items()):
        lines.append("- slowest tasks of kubernetes_nodes, %s (last run): %s" % (key, "; ".join(
            "%s %.1f s" % (t["task"], t["seconds"]) for t in tasks[:5])))
    return lines


def k8s_pair_section(path, bench):
    """The side-by-side run against the baseline: only its ratios mean something (both variants at once)."""
    lines = ["Both variants ran at the same time on a loaded machine: their seconds are not the goal's figure (that "
             "is the section above, from the run alone); the ratios are the result.", ""]
    for key, value in sorted((bench.get("ratios") or {}).items()):
        lines.append("- %s: **%.2fx** (medians of %d run(s) each)" % (key, value, bench.get("runs", 1)))
    resizes = [r for r in bench.get("results", []) if "_resize_" in r["measure"]]
    if resizes:
        lines += ["", "Each resize step, both variants at the same moment (each one's clusters grow alike, so neither "
                  "is slowed by a bigger neighbour, unlike the automated resizes beside the manual ones in the "
                  "lifecycle section):", ""] + median_table({"results": resizes})
    return lines


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--plot":
        globals()[sys.argv[2]](*sys.argv[3:])
        return
    results_root = os.path.join(ROOT, "bench", "results")
    directories = sorted(d for d in glob.glob(os.path.join(results_root, "*")) if os.path.isdir(d))
    if len(sys.argv) > 1:
        last = os.path.abspath(sys.argv[1]).rstrip("/")
        directories = [d for d in directories if os.path.basename(d) <= os.path.basename(last)]
    data = load(directories)
    for old, new in SUPERSEDED.items():
        if old in data and new in data:
            del data[old]
    os.makedirs(IMG, exist_ok=True)
    lines = ["# Performance", "",
             "Generated by `bench/report.py`; every figure below comes from the results file its section names "
             "(the newest file of each benchmark in `bench/results/`). Produce them with `bash scripts/bench.sh` "
             "(3 runs of the lifecycle; `CAAS_BENCH_RUNS=1 bash scripts/bench.sh` is the faster subset). Machines "
             "here are shared and noisy: compare ratios measured side by side in one run, not absolute seconds "
             "across runs.", ""]
    for name, (path, bench) in sorted(data.items(), key=lambda item: (
            ORDER.index(item[0]) if item[0] in ORDER else len(ORDER), item[0])):
        title = {"lifecycle_k8s": "Cluster lifecycle with Kubernetes, automated and by hand",
                 "k8s_alone": "Kubernetes on the VMs: VMs up -> all nodes Ready (alone)",
                 "k8s": "Kubernetes on the VMs: this checkout against a baseline (side by side)",
                 "lxc_cpi": "LXC CPI", "vsphere": "vSphere CPI on vcsim", "pki": "PKI seeding",
                 "upgrade": "Rolling upgrade: stemcell roll with Kubernetes"}.get(name, name)
        lines += ["## %s" % title, "", source(path, bench), ""]
        if name == "lifecycle_k8s":
            lines += lifecycle_k8s_section(path, bench)
        elif name == "k8s_alone":
            lines += k8s_alone_section(path, bench)
        elif name == "k8s":
            lines += k8s_pair_section(path, bench)
        elif name == "upgrade":
            sys.path.insert(0, os.path.join(ROOT, "bench"))
            from upgrade_bench import markdown
            lines += markdown(bench)
        elif name == "vsphere":
            lines += vsphere_section(path, bench)
        elif bench.get("results") and "seconds" in bench["results"][0]:
            lines += ["| measure | seconds | operator steps |", "|---|---|---|"]
            lines += ["| %s | %.1f | %s |" % (r["measure"], r["seconds"], r.get("operator_steps", ""))
                      for r in bench["results"]]
        elif bench.get("results"):
            lines += median_table(bench)
        else:
            lines += ["```", json.dumps(dict((k, v) for k, v in bench.items() if not isinstance(v, (list, dict))),
                                        indent=1, sort_keys=True), "```"]
        lines.append("")
    with open(os.path.join(DOCS, "performance.md"), "w") as handle:
        handle.write("\n".join(lines))
    print("wrote docs/performance.md from %s" % ", ".join(sorted(path for path, _ in data.values())))


if __name__ == "__main__":
    main()
