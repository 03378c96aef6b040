#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The hand path against the collection, side by side in one run: create_cluster (caas_kubernetes=true) and
manual_install (playbooks/manual_install.yml), each for 1 master + 2 workers, in wall time and in operator steps.

Run as root:  .venv/bin/python bench/manual_bench.py [--out-dir bench/results/2026-11-25-s2]
One LXC state dir for both; create_cluster on 10.231.0.0/24, the manual cluster on 10.231.1.0/24; everything is
deleted afterwards. The manual path's VMs are made beforehand (playbooks/manual/vms.yml) and timed apart: the
fair comparison is create_cluster against VMs + manual_install. Operator steps: create_cluster is 1 command; the
manual playbooks count theirs (rule in the header of playbooks/manual_install.yml). The manual wall time is
Ansible typing the commands: a floor for an operator, who also reads, types and waits on each of them; the
break-even figure is the human time per step from which create_cluster is >= 3x faster:
(3 x create - manual machine time) / steps.
bench/lifecycle_k8s_bench.py runs the same comparison (and resize and heal by hand) side by side with the
automated path; this one is the sequential variant, callable alone.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import tempfile

from common import ROOT, playbook, private_env

AUTO = ["-e", "caas_cluster_name=bauto", "-e", "caas_nodes_cidr=10.231.0.0/24", "-e", "caas_plan=small",
        "-e", "caas_kubernetes=true", "-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
MANUAL = ["-e", "caas_cluster_name=bhand", "-e", "caas_nodes_cidr=10.231.1.0/24", "-e", "caas_plan=small",
          "-e", "manual_persistent_disk_mb=1024"]
# Goal from the lifecycle issue: create is at least 3 times faster than manual_install.
GOAL_SPEEDUP = 3.0


def _manual_playbook(env, work_dir, name, *args, **kwargs):
    """(seconds, operator steps, per-step lines) of one manual playbook against the static inventory."""
    took, out = playbook(env, name, "-i", os.path.join(work_dir, "hosts.ini"), *args, **kwargs)
    path = os.path.splitext(os.path.basename(name))[0]
    steps = int(re.search(r"%s: (\d+) operator steps" % path, out).group(1))
    per_step = [re.sub(r"\s+", " ", line) for line in re.findall(r"- '(Step \d+:.*?:\s+\d+)'", out, re.S)]
    return took, steps, per_step


def manual_path(env, work_dir, manual_args, **kwargs):
    """The hand path for one cluster: its VMs (made beforehand), then manual_install. Returns its measures."""
    vms_s, _ = playbook(env, "manual/vms.yml", "-e", "manual_dir=" + work_dir, *manual_args, **kwargs)
    install_s, steps, per_step = _manual_playbook(env, work_dir, "manual_install.yml", **kwargs)
    return {"vms_s": vms_s, "install_s": install_s, "steps": steps, "per_step": per_step}


def manual_resize(env, work_dir, manual_args, cluster, workers, **kwargs):
    """Add a worker by hand to a manual cluster of `workers` workers: its VM and inventory line (made beforehand,
    counted as 2 steps by the playbook), then manual_resize. Returns its measures."""
    vms_s, _ = playbook(env, "manual/vms.yml", "-e", "manual_dir=" + work_dir, "-e", "caas_workers=%d" % (workers + 1),
                        *manual_args, **kwargs)
    resize_s, steps, _ = _manual_playbook(env, work_dir, "manual_resize.yml", "-e",
                                          "manual_new_worker=%s-worker-%d" % (cluster, workers), **kwargs)
    return {"from": workers, "to": workers + 1, "vms_s": round(vms_s, 1), "playbook_s": round(resize_s, 1),
            "seconds": round(vms_s + resize_s, 1), "steps": steps}


def manual_heal(env, work_dir, manual_args, workers, dead, **kwargs):
    """Replace the dead worker `dead` of a manual cluster by hand: the VM again with its disk (IaaS console, counted
    as 3 steps by the playbook), then manual_heal (which first waits to see the Node NotReady). Its measures."""
    vms_s, _ = playbook(env, "manual/vms.yml", "-e", "manual_dir=" + work_dir, "-e", "caas_workers=%d" % workers,
                        "-e", json.dumps({"manual_replace": [dead]}), *manual_args, **kwargs)
    heal_s, steps, _ = _manual_playbook(env, work_dir, "manual_heal.yml", "-e", "manual_dead_worker=" + dead, **kwargs)
    return {"vms_s": round(vms_s, 1), "playbook_s": round(heal_s, 1), "seconds": round(vms_s + heal_s, 1), "steps": steps}


def break_even(auto_s, manual_machine_s, steps, factor=GOAL_SPEEDUP):
    """The human seconds per operator step from which the automated path is >= factor x faster than the manual one:
    manual = machine time (Ansible typing the commands) + steps x human time >= factor x auto. 0 when the machine
    time alone is already that slow."""
    return round(max(0.0, (factor * auto_s - manual_machine_s) / steps), 1)


def compare(create_s, manual):
    """create_cluster against VMs + manual_install: the rows, the speed-up and the operator steps."""
    manual_total = manual["vms_s"] + manual["install_s"]
    steps = manual["steps"]
    return {
        "results": [
            {"measure": "create_cluster (VMs + Kubernetes)", "seconds": round(create_s, 1), "operator_steps": 1},
            {"measure": "manual: VMs made beforehand (playbooks/manual/vms.yml)", "seconds": round(manual["vms_s"], 1)},
            {"measure": "manual_install", "seconds": round(manual["install_s"], 1), "operator_steps": steps},
            {"measure": "manual: VMs + manual_install", "seconds": round(manual_total, 1), "operator_steps": steps},
        ],
        "manual_steps_by_step": manual["per_step"],
        "speedup_create_vs_manual": round(manual_total / create_s, 2),
        "speedup_goal": GOAL_SPEEDUP,
        "operator_steps": {"create_cluster": 1, "manual_install": steps},
        "break_even_human_s_per_step": break_even(create_s, manual_total, steps),
        "note": "manual wall time is Ansible typing the commands, a floor for a human operator",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat()))
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="caas-manual-bench-")
    env = private_env(os.path.join(root, "lxc"), os.path.join(root, "pki"))
    os.makedirs(env["CAAS_PKI_DIR"])
    try:
        create_s, _ = playbook(env, "create_cluster.yml", *AUTO)
        manual = manual_path(env, os.path.join(root, "manual"), MANUAL)
    finally:
        from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
        Cloud("lxc", {"lxc_state_dir": env["CAAS_LXC_STATE_DIR"]}).delete_everything()
        shutil.rmtree(root, ignore_errors=True)
    result = dict(compare(create_s, manual), bench="manual_vs_create",
                  date=datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
                  machine=os.uname().nodename, nproc=os.cpu_count(), load_average=os.getloadavg(),
                  cluster="1 master + 2 workers, Kubernetes v1.34.4, LXC VMs from the node stemcell, artefacts cached")
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "manual.json"), "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    for row in result["results"]:
        print("%-56s %7.1fs  %s" % (row["measure"], row["seconds"],
                                    "%d operator steps" % row["operator_steps"] if "operator_steps" in row else ""))
    print("create_cluster is %.2fx faster than VMs + manual_install (goal >= %.0fx), in 1 step instead of %d"
          % (result["speedup_create_vs_manual"], GOAL_SPEEDUP, manual["steps"]))


if __name__ == "__main__":
    main()
