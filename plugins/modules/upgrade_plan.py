#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: upgrade_plan
short_description: Plan a rolling upgrade (canaries, then batches) and check the Kubernetes version rules
version_added: 0.1.0
description:
  - Orders a cluster's VMs as BOSH's rolling update does. Canaries come first, then masters one at a time (etcd keeps
    quorum and the control plane goes before the nodes), then workers in batches of at most O(max_in_flight_workers).
  - A VM already on O(target_stemcell_cid) and O(target_k8s_version) is left out, so a re-run after a failure resumes
    where it stopped. A VM on another stemcell is recreated; one that only runs another Kubernetes version gets its
    binaries replaced in place.
  - A node's Kubernetes version is its C(caas_k8s_version) metadata, or else what O(running_versions) says.
  - The version rules are checked first, and a request that breaks them fails before anything changes. Minor versions
    cannot be skipped, there is no downgrade, and no kubelet may be newer than the apiserver.
  - It changes nothing, so it always reports C(changed=false).
author: ondemand.caas developers (@ondemand)
attributes:
  check_mode:
    description: Runs in check mode (it never changes anything).
    support: full
  diff_mode:
    description: Nothing to diff.
    support: none
  platform:
    description: Runs on the controller.
    support: full
    platforms: posix
options:
  vms:
    description: The cluster's VMs as M(ondemand.caas.cpi_vm_info) returns them.
    type: list
    elements: dict
    required: true
  target_stemcell_cid:
    description: The stemcell every VM should run on.
    type: str
  target_k8s_version:
    description: The Kubernetes version every node should run (C(caas_k8s_version) metadata on the VMs).
    type: str
  canaries:
    description: How many VMs go first, alone, before any batch.
    type: int
    default: 1
  max_in_flight_masters:
    description: Masters at a time; only 1 is allowed (etcd quorum).
    type: str
    default: "1"
  max_in_flight_workers:
    description: Workers at a time, as a number or a percentage of the workers to upgrade.
    type: str
    default: 25%
  running_versions:
    description: Kubernetes version each node's binaries report, by VM name, for VMs without C(caas_k8s_version) metadata.
    type: dict
    default: {}
  pod_cidr:
    description: The cluster's pod CIDR; when given, RV(k8s_plan) holds what the node roles need.
    type: str
'''

EXAMPLES = r'''
- name: Plan the upgrade to the new stemcell
  ondemand.caas.upgrade_plan:
    vms: "{{ cluster.vms }}"
    target_stemcell_cid: "{{ stemcell_cid }}"
  register: upgrade
'''

RETURN = r'''
batches:
  description: Batches in order; each has C(kind) (canary, masters, workers) and C(vms) (name, segment, cid, role, index, ip,
    stemcell_cid, k8s_version, recreate, disks, metadata).
  returned: always
  type: list
  elements: dict
up_to_date:
  description: Names of the VMs already on the target.
  returned: always
  type: list
  elements: str
serial:
  description: The batch sizes in order (a play's C(serial) over the due VMs in batch order); C([1]) when none is due.
  returned: always
  type: list
  elements: int
k8s_plan:
  description: With O(pod_cidr), the etcd members (C(masters), name and ip), and each worker's C(ip) and C(pod_cidr),
    as playbooks/kubernetes_nodes.yml plans them.
  returned: always
  type: dict
summary:
  description: One line per batch, for the operator.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.cluster.upgrade import UpgradeError, plan


def main():
    module = AnsibleModule(argument_spec=dict(
        vms=dict(type="list", elements="dict", required=True),
        target_stemcell_cid=dict(type="str"),
        target_k8s_version=dict(type="str"),
        canaries=dict(type="int", default=1),
        max_in_flight_masters=dict(type="str", default="1"),
        max_in_flight_workers=dict(type="str", default="25%"),
        running_versions=dict(type="dict", default={}),
        pod_cidr=dict(type="str"),
    ), supports_check_mode=True)
    p = module.params
    try:
        result = plan(p["vms"], p["target_stemcell_cid"], p["target_k8s_version"], p["canaries"],
                      p["max_in_flight_masters"], p["max_in_flight_workers"], p["running_versions"], p["pod_cidr"])
    except UpgradeError as exc:
        module.fail_json(msg=exc.message)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
