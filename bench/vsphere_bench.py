#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Benchmark the vsphere provider against community.vmware on one vcsim, side by side in one run.

1. Ours: create a VM, create + attach a persistent disk, delete the VM (and disk), COUNT times.
   Today through ``cloud.Cloud`` in one process (``--ours cloud``); the target figure is modules vs
   modules (cpi_vm + cpi_disk through ansible-playbook), still to be wired in (see the report).
2. Theirs: bench/vsphere_community_vmware.yml (vmware_guest + vmware_guest_disk) via ansible-playbook
   from a venv with the ``ansible`` package (``--ansible-venv``, default /tmp/ansible-full-venv).
3. Scale: our create/delete on a vcsim with ~1,200 VMs vs the small one (per-VM median latency).

Usage: python bench/vsphere_bench.py [--count 20] [--big-vms 600] [--skip-community]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "vsphere"))
sys.path.insert(0, os.path.join(ROOT, ".build", "pyroot"))

from vcsim import Vcsim  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud  # noqa: E402


def ours(sim, count):
    """Per-VM latencies of create_vm + create_disk + attach_disk + delete_vm + delete_disk."""
    cloud = Cloud("vsphere", sim.settings())
    stemcell = cloud.create_stemcell(None, {"name": "bench", "version": "1", "source_vm": "DC0/vm/DC0_H0_VM0"})
    latencies = []
    for index in range(count):
        started = time.time()
        networks = {"default": {"type": "dynamic", "cloud_properties": {"name": "DC0_DVPG0"}}}
        vm_cid, _ = cloud.create_vm("bench-%d" % index, stemcell, {"cpu": 1, "ram": 512}, networks, [],
                                    {"bosh": {"tags": {"caas_cluster": "bench", "caas_role": "worker",
                                                       "caas_index": str(index)}}})
        disk = cloud.create_disk(1024, {}, vm_cid)
        cloud.attach_disk(vm_cid, disk)
        cloud.delete_vm(vm_cid)
        cloud.delete_disk(disk)
        latencies.append(time.time() - started)
    cloud.delete_stemcell(stemcell)
    cloud.close()
    return latencies


def prepare_template(sim):
    """vcsim leaves storageIOAllocation.shares unset on disks; vmware_guest_disk reads .level of it."""
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim
    si = SmartConnect(host="127.0.0.1", port=sim.port, user=sim.settings()["vsphere_username"],
                      pwd=sim.settings()["vsphere_password"], disableSslCertValidation=True)
    vm = si.content.searchIndex.FindByInventoryPath("DC0/vm/DC0_H0_VM0")
    disk = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)][0]
    disk.storageIOAllocation = vim.StorageResourceManager.IOAllocationInfo(
        limit=-1, shares=vim.SharesInfo(level="normal", shares=1000))
    task = vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[vim.vm.device.VirtualDeviceSpec(operation="edit", device=disk)]))
    while task.info.state not in ("success", "error"):
        time.sleep(0.05)
    Disconnect(si)


def theirs(sim, count, venv):
    prepare_template(sim)
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=os.path.join(venv, "bin", "python"), **sim.env())
    started = time.time()
    subprocess.run([os.path.join(venv, "bin", "ansible-playbook"), "-i", "localhost,", "-c", "local",
                    os.path.join(HERE, "vsphere_community_vmware.yml"), "-e", "bench_count=%d" % count],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--big-vms", type=int, default=600, help="vcsim -vm for the large inventory (~2x VMs)")
    parser.add_argument("--ansible-venv", default="/tmp/ansible-full-venv")
    parser.add_argument("--skip-community", action="store_true")
    args = parser.parse_args()

    small = Vcsim()
    try:
        mine = ours(small, args.count)
        print("ours (Cloud, one process): %d VMs in %.2fs, median %.3fs per VM"
              % (args.count, sum(mine), statistics.median(mine)))
        if not args.skip_community:
            theirs_wall = theirs(small, args.count, args.ansible_venv)
            print("community.vmware (ansible-playbook): %d VMs in %.2fs" % (args.count, theirs_wall))
            print("ratio ours/theirs: %.3fx (goal <= 0.5x)" % (sum(mine) / theirs_wall))
    finally:
        small.stop()

    big = Vcsim("-vm", str(args.big_vms))
    try:
        mine_big = ours(big, args.count)
    finally:
        big.stop()
    print("ours on ~%d VMs: median %.3fs per VM; ratio to the small inventory: %.2fx (goal <= 1.2x)"
          % (args.big_vms * 2, statistics.median(mine_big), statistics.median(mine_big) / statistics.median(mine)))


if __name__ == "__main__":
    main()
