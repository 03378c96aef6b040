#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Benchmark ondemand.caas modules against community.vmware modules on one vcsim, side by side in one run.

Both sides run through the same ``ansible-playbook`` (ansible-core, Python and pyVmomi of one venv, default
/var/cache/ondemand-caas/bench-venv, made here from PyPI's ``ansible`` package when missing):

1. ours:   bench/vsphere_ondemand_caas.yml   cpi_vm + cpi_disk: create COUNT VMs, create + attach a persistent disk
           to each, delete the VMs (disks detached and kept), delete the disks;
2. theirs: bench/vsphere_community_vmware.yml  vmware_guest + vmware_guest_disk: clone COUNT VMs, add a disk to
           each, delete the VMs (their disks go with them);
   on one vcsim (default inventory), ours first then theirs, ``--rounds`` times; the ratio of the median wall
   times is printed (goal <= 0.5x);
3. scale:  ours again on a vcsim with ~1,200 VMs (``-vm 600``); the ratio of its median wall time to the small
           inventory's (goal <= 1.2x).

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


def playbook_run(playbook_bin, venv, sim, playbook, extra, log_path):
    """Wall time of one ansible-playbook run (outside this checkout, so no ansible.cfg applies)."""
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=os.path.join(venv, "bin", "python"),
               ANSIBLE_COLLECTIONS_PATH=PYROOT, ANSIBLE_HOST_KEY_CHECKING="False", **sim.env())
    env.pop("ANSIBLE_CONFIG", None)
    command = [playbook_bin, "-i", "localhost,", "-c", "local", os.path.join(HERE, playbook)]
    for key, value in extra.items():
        command += ["-e", "%s=%s" % (key, value)]
    with open(log_path, "a") as log, tempfile.TemporaryDirectory(prefix="caas-bench-") as cwd:
        started = time.perf_counter()
        proc = subprocess.run(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit("%s failed (rc %s); see %s" % (playbook, proc.returncode, log_path))
    return wall


def make_stemcell(sim):
    cloud = Cloud("vsphere", sim.settings(vsphere_folder=FOLDER))
    try:
        return cloud.create_stemcell(None, {"name": "bench", "version": "1", "source_vm": "DC0/vm/DC0_H0_VM0"})
    finally:
        cloud.close()


def assert_clean(sim):
    """Our playbook must leave no VM and no disk behind (its last two tasks delete them)."""
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
    print("versions: %s" % json.dumps(result["versions"]))

    ours, theirs = [], []
    small = Vcsim()
    try:
        result["small_inventory_vms"] = vm_count(small)
        stemcell = make_stemcell(small)
        if not args.skip_community:
            prepare_template(small)
        for round_ in range(args.rounds):
            ours.append(playbook_run(playbook_bin, args.venv, small, "vsphere_ondemand_caas.yml",
                                     dict(extra, bench_stemcell_cid=stemcell, bench_folder=FOLDER), log_path))
            assert_clean(small)
            print("round %d ours (cpi_vm + cpi_disk): %d VMs in %.2fs" % (round_ + 1, args.count, ours[-1]))
            if not args.skip_community:
                theirs.append(playbook_run(playbook_bin, args.venv, small, "vsphere_community_vmware.yml", extra,
                                           log_path))
                print("round %d theirs (vmware_guest + vmware_guest_disk): %d VMs in %.2fs"
                      % (round_ + 1, args.count, theirs[-1]))
    finally:
        small.stop()
    result["ours_wall_s"], result["ours_median_s"] = ours, statistics.median(ours)
    if theirs:
        result["theirs_wall_s"], result["theirs_median_s"] = theirs, statistics.median(theirs)
        result["ratio_ours_to_theirs"] = statistics.median(ours) / statistics.median(theirs)
        result["ratio_goal"] = 0.5
        print("ratio ours/theirs (median wall time): %.3fx (goal <= 0.5x)" % result["ratio_ours_to_theirs"])

    big_runs = []
    started = time.perf_counter()
    big = Vcsim("-vm", str(args.big_vms))
    result["large_inventory_start_s"] = time.perf_counter() - started
    try:
        result["large_inventory_vms"] = vm_count(big)
        stemcell = make_stemcell(big)
        for round_ in range(args.rounds):
            big_runs.append(playbook_run(playbook_bin, args.venv, big, "vsphere_ondemand_caas.yml",
                                         dict(extra, bench_stemcell_cid=stemcell, bench_folder=FOLDER), log_path))
            assert_clean(big)
            print("round %d ours on %d VMs: %.2fs" % (round_ + 1, result["large_inventory_vms"], big_runs[-1]))
    finally:
        big.stop()
    result["ours_large_wall_s"], result["ours_large_median_s"] = big_runs, statistics.median(big_runs)
    result["scale_ratio"] = statistics.median(big_runs) / statistics.median(ours)
    result["scale_goal"] = 1.2
    print("ours per VM: %.3fs on %d VMs, %.3fs on %d VMs; ratio %.2fx (goal <= 1.2x)"
          % (statistics.median(ours) / args.count, result["small_inventory_vms"],
             statistics.median(big_runs) / args.count, result["large_inventory_vms"], result["scale_ratio"]))
    path = os.path.join(out_dir, "vsphere.json")
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2, sort_keys=True)
    print("results: %s (playbook output: %s)" % (path, log_path))


if __name__ == "__main__":
    main()
