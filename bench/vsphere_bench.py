#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Benchmark ondemand.caas modules against community.vmware modules on one vcsim, side by side in one run.

Both sides run through the same ``ansible-playbook`` with the same settings (ansible-core, Python and pyVmomi of
one venv, default /var/cache/ondemand-caas/bench-venv, made here from PyPI's ``ansible`` package when missing;
pipelining on, as in this project's ansible.cfg):

1. ours:   bench/vsphere_ondemand_caas.yml   cpi_vm + cpi_disk: create COUNT VMs, create + attach a persistent disk
           to each, delete the VMs (disks detached and kept), delete the disks;
2. theirs: bench/vsphere_community_vmware.yml  vmware_guest + vmware_guest_disk: clone COUNT VMs, add a disk to
           each, delete the VMs (their disks go with them);
   on one vcsim (default inventory), ours then theirs, ``--rounds`` times; the ratio of the median wall
   times is printed (goal <= 0.5x), with the CPU seconds of each side;
3. scale:  ours again on a vcsim with ~1,200 VMs (``-vm 600``), running at the same time as the small one, in
           the same rounds; the ratio of its median wall time to the small inventory's (goal <= 1.2x).

Set-up outside the timed runs: our stemcell (a linked-clone template made once, as in a real cluster) and
the storage I/O shares vmware_guest_disk needs on the template. Results: bench/results/<date>/vsphere.json.

Usage: .venv/bin/python bench/vsphere_bench.py [--count 20] [--rounds 1] [--big-vms 600] [--skip-community]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYROOT = os.path.join(ROOT, ".build", "pyroot")
CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
ANSIBLE_PIN = "ansible==12.3.0"  # ansible-core 2.19 (as the project venv) + community.vmware 5.x
PYVMOMI_PIN = "pyvmomi==9.1.1.0"
REQUESTS_PIN = "requests==2.32.5"  # community.vmware's vmware_guest imports it


def _collection_on_path():
    link = os.path.join(PYROOT, "ansible_collections", "ondemand", "caas")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)


_collection_on_path()
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "vsphere"))
sys.path.insert(0, PYROOT)

from vcsim import Vcsim  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402

FOLDER = "caas-bench"


def ensure_venv(venv):
    """The benchmark venv: PyPI's ``ansible`` (bundles community.vmware), pyVmomi and requests; made when missing."""
    python = os.path.join(venv, "bin", "python")
    if not os.access(python, os.X_OK):
        print("creating %s" % venv)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    probe = subprocess.run([python, "-c", "import ansible_collections.community.vmware, pyVmomi, requests"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode:
        print("installing %s %s %s into %s" % (ANSIBLE_PIN, PYVMOMI_PIN, REQUESTS_PIN, venv))
        subprocess.run(["nice", "-n", "19", python, "-m", "pip", "install", "-q", ANSIBLE_PIN, PYVMOMI_PIN,
                        REQUESTS_PIN], check=True)
    return os.path.join(venv, "bin", "ansible-playbook")


def versions(venv):
    python = os.path.join(venv, "bin", "python")
    out = subprocess.run([python, "-c", (
        "import json, os, glob, importlib.metadata as m, ansible.release\n"
        "man = glob.glob(os.path.join(os.path.dirname(os.path.dirname(ansible.release.__file__)), "
        "'ansible_collections', 'community', 'vmware', 'MANIFEST.json'))\n"
        "cv = json.load(open(man[0]))['collection_info']['version'] if man else None\n"
        "print(json.dumps({'ansible-core': ansible.release.__version__, 'ansible': m.version('ansible'), "
        "'community.vmware': cv, 'pyvmomi': m.version('pyvmomi')}))")],
        stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    return json.loads(out)


def _cpu_of(pid):
    """User + system CPU seconds of a running process (vcsim's share of the work)."""
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def playbook_run(playbook_bin, venv, sim, playbook, extra, log_path):
    """One ansible-playbook run (outside this checkout, so no ansible.cfg applies): wall time, CPU, per task.

    CPU seconds (the playbook and its module processes, and vcsim) are reported next to the wall time:
    on a shared machine they are the steadier measure of how much work each side asks for.
    """
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=os.path.join(venv, "bin", "python"),
               ANSIBLE_COLLECTIONS_PATH=PYROOT, ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
               ANSIBLE_PIPELINING="True",  # as this project's ansible.cfg; no temp files per module run, both sides
               **sim.env())
    env.pop("ANSIBLE_CONFIG", None)
    command = [playbook_bin, "-i", "localhost,", "-c", "local", os.path.join(HERE, playbook)]
    for key, value in extra.items():
        command += ["-e", "%s=%s" % (key, value)]
    with tempfile.TemporaryDirectory(prefix="caas-bench-") as cwd:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = _cpu_of(sim.proc.pid)
        started = time.perf_counter()
        proc = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = _cpu_of(sim.proc.pid) - server
    with open(log_path, "a") as log:
        log.write(proc.stdout)
    if proc.returncode:
        raise SystemExit("%s failed (rc %s); see %s" % (playbook, proc.returncode, log_path))
    tasks = dict((m.group(1).strip(), float(m.group(2)))
                 for m in re.finditer(r"^(\S.*?) -{3,} (\d+\.\d+)s$", proc.stdout, re.M))
    return {"wall_s": round(wall, 3),
            "client_cpu_s": round(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime, 3),
            "vcsim_cpu_s": round(server, 3), "tasks_s": tasks}


def make_stemcell(sim):
    cloud = Cloud("vsphere", sim.settings(vsphere_folder=FOLDER))
    try:
        return cloud.create_stemcell(None, {"name": "bench", "version": "1", "source_vm": "DC0/vm/DC0_H0_VM0"})
    finally:
        cloud.close()


def assert_clean(sim):
    """Our playbook must leave no VM and no disk behind (its last task deletes them)."""
    cloud = Cloud("vsphere", sim.settings(vsphere_folder=FOLDER))
    try:
        left = [v["cid"] for v in cloud.list_vms()] + [d["cid"] for d in cloud.list_disks()]
    finally:
        cloud.close()
    if left:
        raise SystemExit("ondemand.caas run left %s behind" % ", ".join(left))


def prepare_template(sim):
    """vcsim leaves storageIOAllocation.shares unset on disks; vmware_guest_disk reads .level of it."""
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim
    settings = sim.settings()
    si = SmartConnect(host="127.0.0.1", port=sim.port, user=settings["vsphere_username"],
                      pwd=settings["vsphere_password"], disableSslCertValidation=True)
    try:
        vm = si.content.searchIndex.FindByInventoryPath("DC0/vm/DC0_H0_VM0")
        disk = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)][0]
        disk.storageIOAllocation = vim.StorageResourceManager.IOAllocationInfo(
            limit=-1, shares=vim.SharesInfo(level="normal", shares=1000))
        task = vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[
            vim.vm.device.VirtualDeviceSpec(operation="edit", device=disk)]))
        while task.info.state not in ("success", "error"):
            time.sleep(0.05)
    finally:
        Disconnect(si)


def vm_count(sim):
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim
    settings = sim.settings()
    si = SmartConnect(host="127.0.0.1", port=sim.port, user=settings["vsphere_username"],
                      pwd=settings["vsphere_password"], disableSslCertValidation=True)
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
        return len(view.view)
    finally:
        Disconnect(si)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each side (medians are compared)")
    parser.add_argument("--big-vms", type=int, default=600, help="vcsim -vm for the large inventory (2 per host/pool)")
    parser.add_argument("--venv", default=os.path.join(CACHE, "bench-venv"))
    parser.add_argument("--skip-community", action="store_true")
    args = parser.parse_args()

    playbook_bin = ensure_venv(args.venv)
    out_dir = os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat())
    os.makedirs(out_dir, exist_ok=True)
    log_path = os.path.join(tempfile.gettempdir(), "caas-vsphere-bench.log")
    open(log_path, "w").close()
    extra = {"bench_count": args.count}
    result = {"machine": platform.node(), "nproc": os.cpu_count(), "count": args.count, "rounds": args.rounds,
              "versions": versions(args.venv), "ours_playbook": "bench/vsphere_ondemand_caas.yml",
              "theirs_playbook": "bench/vsphere_community_vmware.yml"}
    say("versions: %s" % json.dumps(result["versions"]))

    ours, theirs, big_runs = [], [], []
    small = Vcsim()
    try:
        started = time.perf_counter()
        big = Vcsim("-vm", str(args.big_vms))
        result["large_inventory_start_s"] = round(time.perf_counter() - started, 1)
        try:
            result["small_inventory_vms"], result["large_inventory_vms"] = vm_count(small), vm_count(big)
            stemcells = {small: make_stemcell(small), big: make_stemcell(big)}
            if not args.skip_community:
                prepare_template(small)

            def run_ours(sim):
                run = playbook_run(playbook_bin, args.venv, sim, "vsphere_ondemand_caas.yml",
                                   dict(extra, bench_stemcell_cid=stemcells[sim], bench_folder=FOLDER), log_path)
                assert_clean(sim)
                return run

            # Interleaved rounds, both inventories up at once: every side sees the same machine load.
            for round_ in range(args.rounds):
                ours.append(run_ours(small))
                report("round %d ours (cpi_vm + cpi_disk)" % (round_ + 1), ours[-1], args.count)
                if not args.skip_community:
                    theirs.append(playbook_run(playbook_bin, args.venv, small, "vsphere_community_vmware.yml", extra,
                                               log_path))
                    report("round %d theirs (vmware_guest + vmware_guest_disk)" % (round_ + 1), theirs[-1],
                           args.count)
                big_runs.append(run_ours(big))
                report("round %d ours on %d VMs" % (round_ + 1, result["large_inventory_vms"]), big_runs[-1],
                       args.count)
        finally:
            big.stop()
    finally:
        small.stop()
    result["ours"], result["theirs"], result["ours_large"] = ours, theirs, big_runs
    result["ours_median_wall_s"] = median(ours, "wall_s")
    if theirs:
        result["theirs_median_wall_s"] = median(theirs, "wall_s")
        result["ratio_wall"] = result["ours_median_wall_s"] / result["theirs_median_wall_s"]
        result["ratio_cpu"] = (median(ours, "client_cpu_s") + median(ours, "vcsim_cpu_s")) \
            / (median(theirs, "client_cpu_s") + median(theirs, "vcsim_cpu_s"))
        result["ratio_goal"] = 0.5
        say("ratio ours/theirs: wall %.3fx, CPU %.3fx (goal <= 0.5x)" % (result["ratio_wall"], result["ratio_cpu"]))
    result["ours_large_median_wall_s"] = median(big_runs, "wall_s")
    result["scale_ratio_wall"] = result["ours_large_median_wall_s"] / result["ours_median_wall_s"]
    result["scale_ratio_cpu"] = (median(big_runs, "client_cpu_s") + median(big_runs, "vcsim_cpu_s")) \
        / (median(ours, "client_cpu_s") + median(ours, "vcsim_cpu_s"))
    result["scale_goal"] = 1.2
    say("ours per VM: %.3fs on %d VMs, %.3fs on %d VMs; ratio wall %.2fx, CPU %.2fx (goal <= 1.2x)"
        % (result["ours_median_wall_s"] / args.count, result["small_inventory_vms"],
           result["ours_large_median_wall_s"] / args.count, result["large_inventory_vms"],
           result["scale_ratio_wall"], result["scale_ratio_cpu"]))
    result["load_average_end"] = os.getloadavg()
    path = os.path.join(out_dir, "vsphere.json")
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    say("results: %s (playbook output: %s)" % (path, log_path))


def say(text):
    print(text, flush=True)


def median(runs, key, task=None):
    return statistics.median(r[key][task] if task else r[key] for r in runs)


def report(what, run, count):
    say("%s: %d VMs in %.2fs wall (%.2fs per VM), CPU %.2fs client + %.2fs vcsim; tasks %s"
        % (what, count, run["wall_s"], run["wall_s"] / count, run["client_cpu_s"], run["vcsim_cpu_s"],
           ", ".join("%s %.1fs" % kv for kv in sorted(run["tasks_s"].items()))))


if __name__ == "__main__":
    main()
