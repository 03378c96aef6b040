#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Write docs/performance.md and its plots from the results in bench/results.

Each benchmark's results come from the newest results directory that has them (directory names sort by date, then
session: 2026-11-25 < 2026-11-25-s2 < 2026-11-26-s3), so a run that measured only some benchmarks still reports the
others from before; the report says which directory each section comes from. With a directory given, only the
directories up to it count. Every number in the report comes from a JSON file the benchmarks wrote.
  .venv/bin/python bench/report.py [bench/results/<dir>]
"""

import glob
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
IMG = os.path.join(DOCS, "img")

# What the anchors take, as their own documentation and issues report it (see docs/performance.md sources).
ANCHORS = {
    "create": "PKS: up to 30 min per cluster; kubespray: ~22 min for 7 nodes",
    "resize_plus1_at_2": "kubespray scale.yml: grows with cluster size (>2 h to add a node at 20 nodes)",
    "resize_plus1_at_8": "kubespray scale.yml: grows with cluster size",
    "heal_one": "BOSH resurrector: ~1-2 min detection + ~1.5 min recreate; CAPI MachineHealthCheck: 5 min threshold",
    "heal_two": "BOSH resurrector heals VMs one after another within its limits",
}
# The same anchors for the rows of the lifecycle benchmark with Kubernetes, by the start of the measure's name.
K8S_ANCHORS = [
    ("create", ANCHORS["create"]),
    ("manual / create", "the seed's claim: a worker in about two minutes instead of hours by hand"),
    ("resize +1 at 8", "kubespray scale.yml: grows with cluster size (>2 h to add a node at 20 nodes)"),
    ("heal: loss -> detected", "BOSH: ~1-2 min to detect; CAPI MachineHealthCheck: 5 min unhealthy threshold"),
    ("heal: loss -> Node Ready", "BOSH: ~1-2 min detect + ~1.5 min recreate"),
]
# Sections in this order, then any other benchmark by name.
ORDER = ["lifecycle_k8s", "manual", "k8s", "lifecycle", "lxc_cpi", "pki", "vsphere"]


def load(directories):
    """{benchmark: (directory, results)} with each benchmark from the last directory (in order) that has it."""
    data = {}
    for directory in directories:
        for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
            with open(path) as handle:
                data[os.path.splitext(os.path.basename(path))[0]] = (directory, json.load(handle))
    return data


def table(bench):
    lines = ["| measure | median | min .. max | runs | goal | anchor |", "|---|---|---|---|---|---|"]
    for row in bench.get("results", []):
        goal = row.get("goal_s")
        verdict = "" if goal is None else ("<= %s s, %s" % (goal, "met" if row["median_s"] <= goal else "**missed**"))
        lines.append("| %s | %.3f s | %.3f .. %.3f | %d | %s | %s |" % (
            row["measure"], row["median_s"], row["min_s"], row["max_s"], row["n"], verdict,
            ANCHORS.get(row["measure"], "")))
    return lines


def plot_resize(lifecycle, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    at = dict((r["measure"], r) for r in lifecycle["results"])
    sizes = [s for s in (2, 4, 8) if "resize_plus1_at_%d" % s in at]
    medians = [at["resize_plus1_at_%d" % s]["median_s"] for s in sizes]
    plt.figure(figsize=(6, 3.5))
    plt.plot(sizes, medians, marker="o", label="ondemand.caas resize_cluster (+1 worker)")
    plt.xlabel("workers before the resize")
    plt.ylabel("seconds")
    plt.ylim(bottom=0)
    plt.title("Adding a worker vs cluster size")
    plt.legend()
    plt.tight_layout()
    plt.savefig(out)
    plt.close()


def plot_vsphere(vsphere, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = ["ours, %s VMs" % vsphere.get("small_inventory_vms", "default"),
              "ours, %s VMs" % vsphere.get("large_inventory_vms", "large"), "community.vmware"]
    values = [vsphere.get("ours_median_wall_s"), vsphere.get("ours_large_median_wall_s"),
              vsphere.get("theirs_median_wall_s")]
    plt.figure(figsize=(6, 3.5))
    plt.bar(labels, [v or 0 for v in values], color=["tab:blue", "tab:blue", "tab:gray"])
    plt.ylabel("seconds for %s VMs create+attach+delete" % vsphere.get("count", "N"))
    plt.title("vSphere CPI on vcsim")
    plt.tight_layout()
    plt.savefig(out)
    plt.close()


def seconds_table(bench):
    """Rows measured once, with their seconds (and operator steps)."""
    lines = ["| measure | seconds | operator steps |", "|---|---|---|"]
    for row in bench.get("results", []):
        lines.append("| %s | %.1f | %s |" % (row["measure"], row["seconds"], row.get("operator_steps", "")))
    return lines


def lifecycle_k8s_section(bench, directory):
    """The verdicts, the heal timeline and the plot of bench/lifecycle_k8s_bench.py's results."""
    from lifecycle_k8s_bench import heal_timeline, plot, verdicts
    lines = ["| measure | result | goal | verdict | anchor |", "|---|---|---|---|---|"]
    for measure, value, goal, met in verdicts(bench):
        verdict = "" if met is None else ("met" if met else "**missed**")
        anchor = next((text for key, text in K8S_ANCHORS if measure.startswith(key)), "")
        lines.append("| %s | %s | %s | %s | %s |" % (measure, value, goal, verdict, anchor))
    if bench.get("retries"):
        lines += ["", "Steps retried once after a failure: %s." % ", ".join(r["step"] for r in bench["retries"])]
    heal = bench.get("heal") or {}
    if heal.get("timeline"):
        title = "Heal timeline of %s (detected by the %s):" % (heal.get("worker", "a worker"), heal.get("detected_by", "?"))
        lines += ["", title, "", "| t after the loss | step |", "|---|---|"]
        lines += ["| %.1f s | %s |" % (t, label) for label, t in heal_timeline(heal)]
    if bench.get("resize") or heal:
        png = os.path.join(directory, "lifecycle_k8s.png")
        target = os.path.join(IMG, "lifecycle_k8s.png")
        if os.path.exists(png):
            shutil.copyfile(png, target)
        else:
            plot(bench, target)
        lines += ["", "![heal timeline and resize time vs cluster size](img/lifecycle_k8s.png)"]
    return lines


def main():
    results_root = os.path.join(ROOT, "bench", "results")
    directories = sorted(d for d in glob.glob(os.path.join(results_root, "*")) if os.path.isdir(d))
    if len(sys.argv) > 1:
        last = os.path.abspath(sys.argv[1]).rstrip("/")
        directories = [d for d in directories if os.path.basename(d) <= os.path.basename(last)]
    data = load(directories)
    os.makedirs(IMG, exist_ok=True)
    stamps = sorted(set(os.path.basename(directory) for directory, _ in data.values()))
    lines = ["# Performance", "",
             "Generated by `bench/report.py` from `bench/results/` (%s); every figure below comes from those files, "
             "each section from the newest directory that has its benchmark." % ", ".join(stamps),
             "Produce them with `bash scripts/bench.sh`. Machines here are shared and noisy: compare ratios measured side "
             "by side in one run, not absolute seconds across runs.", ""]
    for name, (directory, bench) in sorted(data.items(), key=lambda item: (ORDER.index(item[0]) if item[0] in ORDER
                                                                           else len(ORDER), item[0])):
        load_average = bench.get("load_average") or bench.get("load_average_end")
        script = next((os.path.relpath(p, ROOT) for p in (os.path.join(ROOT, "bench", "%s_bench.py" % name),
                                                          os.path.join(ROOT, "bench", "%s_bench.py" % name.split("_")[0]))
                       if os.path.exists(p)), "bench/")
        lines += ["## %s" % name, "", "From `bench/results/%s/%s.json` (`%s`). Machine: %s, %s cores%s. Scope: %s." % (
            os.path.basename(directory), name, script, bench.get("machine", "?"), bench.get("nproc", "?"),
            ", %sload average %s" % ("highest " if bench.get("load_average_samples") else "",
                                     ", ".join("%.1f" % x for x in load_average)) if load_average else "",
            bench.get("scope") or bench.get("cluster") or "see the benchmark's docstring"), ""]
        if name == "lifecycle_k8s":
            lines += lifecycle_k8s_section(bench, directory)
        elif bench.get("results") and "seconds" in bench["results"][0]:
            lines += seconds_table(bench) + [""]
        elif bench.get("results"):
            lines += table(bench) + [""]
        for key, value in sorted((bench.get("ratios") or {}).items()):
            lines.append("- %s: **%.2fx**" % (key, value))
        if "speedup_create_vs_manual" in bench:
            lines.append("- manual / create_cluster: **%.2fx** (goal >= %.0fx)" % (
                bench["speedup_create_vs_manual"], bench.get("speedup_goal", 3)))
        for variant, kinds in sorted((bench.get("idle_memory_mb_median") or {}).items()):
            lines.append("- idle memory, %s: %s" % (variant, "; ".join(
                "%s rss %d MB, working set %d MB" % (kind, v["rss"], v["working_set"]) for kind, v in sorted(kinds.items()))))
        for key, tasks in sorted((bench.get("slowest_tasks") or {}).items()):
            lines.append("- slowest tasks of %s (last run): %s" % (key, "; ".join(
                "%s %.1f s" % (t["task"], t["seconds"]) for t in tasks)))
        if name == "lifecycle" and bench.get("results"):
            plot_resize(bench, os.path.join(IMG, "resize_vs_size.png"))
            lines += ["", "![resize time vs cluster size](img/resize_vs_size.png)"]
        if name == "vsphere":
            for key in ("ratio_wall", "ratio_goal", "scale_ratio_wall", "scale_goal"):
                if key in bench:
                    value = bench[key]
                    lines.append("- %s: **%s**" % (key, "%.2fx" % value if isinstance(value, float) else value))
            plot_vsphere(bench, os.path.join(IMG, "vsphere_cpi.png"))
            lines += ["", "![vSphere CPI on vcsim](img/vsphere_cpi.png)"]
        lines.append("")
    with open(os.path.join(DOCS, "performance.md"), "w") as handle:
        handle.write("\n".join(lines))
    print("wrote docs/performance.md from %s" % ", ".join(stamps))


if __name__ == "__main__":
    main()
