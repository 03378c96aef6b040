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
Ansible typing the commands: a floor for an operator, who also reads, types and waits on each of them.
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


def manual_path(env, work_dir, manual_args):
    """The hand path for one cluster: its VMs (made beforehand), then manual_install. Returns its measures."""
    vms_s, _ = playbook(env, "manual/vms.yml", "-e", "manual_dir=" + work_dir, *manual_args)
    install_s, out = playbook(env, "manual_install.yml", "-i", os.path.join(work_dir, "hosts.ini"))
    steps = int(re.search(r"manual_install: (\d+) operator steps", out).group(1))
    per_step = [re.sub(r"\s+", " ", line) for line in re.findall(r"- '(Step \d+:.*?:\s+\d+)'", out, re.S)]
    return {"vms_s": vms_s, "install_s": install_s, "steps": steps, "per_step": per_step}


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
        "note": "manual wall time is Ansible typing the commands, a floor for a human operator",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "bench", "results", "2026-11-25-s2"))
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
