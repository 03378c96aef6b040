#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cluster_health
short_description: Probe a cluster's VMs and apply the meltdown guard before healing
version_added: 0.1.0
description:
  - Classifies every VM of O(cluster) as C(healthy), C(unresponsive) (stopped, no SSH answer, or its node not in
    O(ready_nodes)) or C(missing) (recorded but gone from the IaaS).
  - Writes the time a VM was first seen down into its metadata (C(caas_down_since)), and clears it when the VM is
    healthy again, so the meltdown window is the same for every controller. That write is the only change it makes.
  - The meltdown guard, as BOSH's resurrector has it, trips when at least O(meltdown_min_count) VMs and at least
    O(meltdown_min_percent) percent of the cluster went down within O(meltdown_window) seconds.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  cluster:
    description: Cluster name (the C(caas_cluster) metadata of its VMs).
    type: str
    required: true
  ready_nodes:
    description:
      - Names of the Kubernetes nodes that are Ready; when given, a worker whose node is not in it is unresponsive.
      - Masters and other VMs run no kubelet and are judged by the IaaS and SSH alone.
    type: list
    elements: str
  kubeconfig:
    description:
      - Kubeconfig with embedded credentials (the cluster's C(admin.conf) from C(cert_seed)); when given and
        O(ready_nodes) is not, the Ready nodes are read from the first master's apiserver that answers (port 6443,
        the master IPs come from the IaaS). When none answers, workers are judged by the IaaS and SSH alone.
    type: path
  ssh_port:
    description: Port probed for the SSH banner.
    type: int
    default: 22
  probe_timeout:
    description: Seconds to wait for each VM's SSH banner.
    type: float
    default: 3
  meltdown_min_count:
    description: Smallest number of VMs down within the window that trips the guard.
    type: int
    default: 5
  meltdown_min_percent:
    description: Smallest share of the cluster (percent) down within the window that trips the guard.
    type: int
    default: 20
  meltdown_window:
    description: Seconds within which VMs must have gone down to count together.
    type: int
    default: 600
  fail_if_absent:
    description: Fail when the cluster has no VMs at all.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Which VMs of cluster demo need healing?
  ondemand.caas.cluster_health:
    cluster: demo
  register: health

- name: Stop loudly on a meltdown
  ansible.builtin.fail:
    msg: "{{ health.message }}"
  when: health.meltdown
'''

RETURN = r'''
vms:
  description: Every VM of the cluster with C(name), C(cid), C(state), C(health), C(reason), C(ip), C(role),
    C(index), C(disks) and C(down_since) (epoch seconds, or null).
  returned: always
  type: list
  elements: dict
unhealthy:
  description: Names of the VMs that are not healthy.
  returned: always
  type: list
  elements: str
meltdown:
  description: Whether the meltdown guard tripped (heal nothing when true).
  returned: always
  type: bool
message:
  description: One line for the operator.
  returned: always
  type: str
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.health import probe
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    module = cpi_module(dict(
        cluster=dict(type="str", required=True),
        ready_nodes=dict(type="list", elements="str"),
        kubeconfig=dict(type="path"),
        ssh_port=dict(type="int", default=22),
        probe_timeout=dict(type="float", default=3),
        meltdown_min_count=dict(type="int", default=5),
        meltdown_min_percent=dict(type="int", default=20),
        meltdown_window=dict(type="int", default=600),
        fail_if_absent=dict(type="bool", default=True),
    ))
    run_module(module, probe)


if __name__ == "__main__":
    main()
