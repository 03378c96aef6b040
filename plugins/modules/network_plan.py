#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: network_plan
short_description: Compute and check a cluster's IP plan (nodes, pod and service CIDRs)
description:
  - Gives a cluster a nodes CIDR, a pod CIDR and a service CIDR and fails with a clear message when any of them
    overlaps a CIDR of another cluster (two clusters never share a subnet) or of the same cluster.
  - Nothing is recorded on the controller. The nodes CIDR is O(nodes_cidr) (the cluster's existing segment, read from
    the IaaS, or an explicit choice) or the first /O(nodes_prefix) of O(nodes_pool) no other cluster uses; the pod and
    service CIDRs are explicit or follow from the nodes CIDR (its slot in their pools). The same inputs always give
    the same plan, on any controller.
  - O(others) are the other clusters as the IaaS knows them.
  - Also returns the derived values later roles need (gateway, netmask, node addresses, service IPs, segment name).
  - It changes nothing, so it always reports C(changed=false).
version_added: 0.1.0
author: ondemand.caas developers (@ondemand)
attributes:
  platform:
    platforms: posix
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
options:
  cluster:
    description: Cluster name (1-63 characters of a-z, 0-9 and -).
    type: str
    required: true
  nodes_cidr:
    description: The cluster's nodes CIDR when it has one (its segment, or for NSX-T the IP block allocation) or an explicit choice.
    type: str
  pod_cidr:
    description: Explicit pod CIDR.
    type: str
  service_cidr:
    description: Explicit service CIDR.
    type: str
  gateway:
    description: Gateway address in the nodes CIDR; defaults to its first host address.
    type: str
  nodes_pool:
    description: Pool nodes CIDRs are allocated from.
    type: str
    default: 10.100.0.0/16
  nodes_prefix:
    description: Prefix length of each cluster's nodes CIDR.
    type: int
    default: 24
  pods_pool:
    description: Pool pod CIDRs are allocated from.
    type: str
    default: 10.128.0.0/10
  pods_prefix:
    description: Prefix length of each cluster's pod CIDR.
    type: int
    default: 16
  services_pool:
    description: Pool service CIDRs are allocated from.
    type: str
    default: 10.64.0.0/12
  services_prefix:
    description: Prefix length of each cluster's service CIDR.
    type: int
    default: 20
  reserved:
    description: Number of host addresses at the start of the nodes CIDR kept out of RV(plan.node_ips) (gateway included).
    type: int
    default: 10
  others:
    description:
      - The other clusters, read from the IaaS (for the linux provider, the segments of M(ondemand.caas.cpi_network_info)).
      - Each item has C(cluster), C(nodes_cidr) and, when they were chosen explicitly, C(pod_cidr) and C(service_cidr).
    type: list
    elements: dict
    default: []
'''

EXAMPLES = r'''
- name: Plan of cluster c1
  ondemand.caas.network_plan:
    cluster: c1
  register: plan

- name: IP of worker 3
  ansible.builtin.debug:
    msg: "{{ plan.plan.node_ips[3] }}"
'''

RETURN = r'''
segment_name:
  description: Name of the cluster's segment (a Linux bridge name fits in 15 characters).
  returned: always
  type: str
  sample: caas-c1
plan:
  description: The plan.
  returned: always
  type: dict
  contains:
    cluster: {description: Cluster name., type: str}
    nodes_cidr: {description: Nodes CIDR., type: str, sample: 10.100.0.0/24}
    pod_cidr: {description: Pod CIDR., type: str, sample: 10.128.0.0/16}
    service_cidr: {description: Service CIDR., type: str, sample: 10.64.0.0/20}
    gateway: {description: Gateway of the nodes CIDR., type: str, sample: 10.100.0.1}
    gateway_cidr: {description: Gateway with prefix length., type: str, sample: 10.100.0.1/24}
    netmask: {description: Netmask of the nodes CIDR., type: str, sample: 255.255.255.0}
    prefix: {description: Prefix length of the nodes CIDR., type: int, sample: 24}
    segment_name: {description: Segment name., type: str, sample: caas-c1}
    node_ips: {description: Free node addresses; node index N gets item N., type: list, elements: str}
    reserved_ips: {description: "Reserved addresses other than the gateway (VIPs, registry).", type: list, elements: str}
    kubernetes_service_ip: {description: First service address (the kubernetes service)., type: str}
    dns_service_ip: {description: Tenth service address (cluster DNS)., type: str}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ondemand.caas.plugins.module_utils.network.plan import PlanError, compute


def main():
    module = AnsibleModule(argument_spec=dict(
        cluster=dict(type="str", required=True),
        nodes_cidr=dict(type="str"), pod_cidr=dict(type="str"), service_cidr=dict(type="str"),
        gateway=dict(type="str"),
        nodes_pool=dict(type="str", default="10.100.0.0/16"), nodes_prefix=dict(type="int", default=24),
        pods_pool=dict(type="str", default="10.128.0.0/10"), pods_prefix=dict(type="int", default=16),
        services_pool=dict(type="str", default="10.64.0.0/12"), services_prefix=dict(type="int", default=20),
        reserved=dict(type="int", default=10),
        others=dict(type="list", elements="dict", default=[]),
    ), supports_check_mode=True)
    p = module.params
    pools = {"nodes": (p["nodes_pool"], p["nodes_prefix"]), "pods": (p["pods_pool"], p["pods_prefix"]),
             "services": (p["services_pool"], p["services_prefix"])}
    requested = dict((k, p[k]) for k in ("nodes_cidr", "pod_cidr", "service_cidr", "gateway"))
    try:
        plan = compute(p["cluster"], requested, pools, p["others"], p["reserved"])
    except PlanError as e:
        module.fail_json(msg=e.message)
    module.exit_json(changed=False, plan=plan, segment_name=plan["segment_name"])


if __name__ == "__main__":
    main()
