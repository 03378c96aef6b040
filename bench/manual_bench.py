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
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "pyroot"))
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
AUTO = ["-e", "caas_cluster_name=bauto", "-e", "caas_nodes_cidr=10.231.0.0/24", "-e", "caas_plan=small",
        "-e", "caas_kubernetes=true", "-e", "@" + os.path.join(ROOT, "playbooks", "vars", "node_stemcell.yml")]
MANUAL = ["-e", "caas_cluster_name=bhand", "-e", "caas_nodes_cidr=10.231.1.0/24", "-e", "caas_plan=small",
          "-e", "manual_persistent_disk_mb=1024"]
# Goal from the lifecycle issue: create is at least 3 times faster than manual_install.
GOAL_SPEEDUP = 3.0


def playbook(env, name, *args):
    start = time.perf_counter()
    proc = subprocess.run([PLAYBOOK_BIN, os.path.join(ROOT, "playbooks", name)] + list(args), cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (name, proc.stdout[-4000:]))
    print("  %-28s %6.1fs" % (name, took), flush=True)
    return took, proc.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "bench", "results", "2026-11-25-s2"))
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="caas-manual-bench-")
    work_dir = os.path.join(root, "manual")
    env = dict(os.environ, CAAS_LXC_STATE_DIR=os.path.join(root, "lxc"), CAAS_PKI_DIR=os.path.join(root, "pki"),
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_FORCE_COLOR="0")
    os.makedirs(env["CAAS_PKI_DIR"])
    try:
        create_s, _ = playbook(env, "create_cluster.yml", *AUTO)
        vms_s, _ = playbook(env, "manual/vms.yml", "-e", "manual_dir=" + work_dir, *MANUAL)
        install_s, out = playbook(env, "manual_install.yml", "-i", os.path.join(work_dir, "hosts.ini"))
    finally:
        from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
        Cloud("lxc", {"lxc_state_dir": env["CAAS_LXC_STATE_DIR"]}).delete_everything()
        shutil.rmtree(root, ignore_errors=True)
    steps = int(re.search(r"manual_install: (\d+) operator steps", out).group(1))
    per_step = [re.sub(r"\s+", " ", line) for line in re.findall(r"- '(Step \d+:.*?:\s+\d+)'", out, re.S)]
    manual_total = vms_s + install_s
    result = {
        "bench": "manual_vs_create", "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "machine": os.uname().nodename, "nproc": os.cpu_count(), "load_average": os.getloadavg(),
        "cluster": "1 master + 2 workers, Kubernetes v1.34.4, LXC VMs from the node stemcell, artefacts cached",
        "results": [
            {"measure": "create_cluster (VMs + Kubernetes)", "seconds": round(create_s, 1), "operator_steps": 1},
            {"measure": "manual: VMs made beforehand (playbooks/manual/vms.yml)", "seconds": round(vms_s, 1)},
            {"measure": "manual_install", "seconds": round(install_s, 1), "operator_steps": steps},
            {"measure": "manual: VMs + manual_install", "seconds": round(manual_total, 1), "operator_steps": steps},
        ],
        "manual_steps_by_step": per_step,
        "speedup_create_vs_manual": round(manual_total / create_s, 2),
        "speedup_goal": GOAL_SPEEDUP,
        "operator_steps": {"create_cluster": 1, "manual_install": steps},
        "note": "manual wall time is Ansible typing the commands, a floor for a human operator",
    }
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "manual.json"), "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    for row in result["results"]:
        print("%-56s %7.1fs  %s" % (row["measure"], row["seconds"],
                                    "%d operator steps" % row["operator_steps"] if "operator_steps" in row else ""))
    print("create_cluster is %.2fx faster than VMs + manual_install (goal >= %.0fx), in 1 step instead of %d"
          % (result["speedup_create_vs_manual"], GOAL_SPEEDUP, steps))


if __name__ == "__main__":
    main()
