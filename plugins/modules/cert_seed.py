#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cert_seed
short_description: Seed and rotate the whole PKI of a Kubernetes cluster on the controller
version_added: "0.1.0"
description:
  - Creates, in O(pki_dir)/O(cluster)/ (mode 0700), every certificate, key and kubeconfig a Kubernetes
    cluster (1.20 with etcd 3.4 up to current releases with etcd 3.5) needs, following kubeadm's set.
  - The cluster CA, the etcd CA and the front-proxy CA; etcd server and peer certificates per master; the
    apiserver serving certificate and its kubelet and etcd client certificates; the front-proxy client; kubelet
    serving and client certificates and a kubeconfig per node; controller-manager, scheduler, kube-proxy and
    admin client certificates with kubeconfigs; the service-account key pair (always RSA 2048); a registry
    serving certificate.
  - Idempotent. A leaf is reissued only when it is missing, its key does not match, it expires within
    O(renew_before_days), its subject, SANs, usages or key type no longer match the input, it is not signed by
    the current CA, or it is named in O(rotate_leaves). Adding a node adds only that node's files.
  - Every file is read and checked before anything is written; a corrupt certificate or key fails the task
    with its path and nothing is changed.
  - Private keys are written 0600 and never returned.
author:
  - ondemand.caas developers (@ondemand)
attributes:
  check_mode:
    support: full
    description: Reports what would be created or reissued without writing.
  diff_mode:
    support: full
    description: One line per changed file with subject, SANs, issuer and expiry; key contents are never shown.
options:
  cluster:
    description: Cluster name (a lower-case DNS label); the PKI lives in O(pki_dir)/O(cluster)/.
    type: str
    required: true
  pki_dir:
    description: Directory on the controller that holds one PKI directory per cluster (C(caas_pki_dir)).
    type: path
    required: true
  masters:
    description: Control-plane nodes (they also run etcd and a kubelet).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Node name (lower-case hostname), used as the kubelet and etcd identity.
        type: str
        required: true
      ip:
        description: Node IP address.
        type: str
        required: true
  workers:
    description: Worker nodes.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Node name (lower-case hostname).
        type: str
        required: true
      ip:
        description: Node IP address.
        type: str
        required: true
  registry:
    description: The registry (Harbor or Distribution) node; omit for no registry certificate.
    type: dict
    suboptions:
      name:
        description: Node name of the registry VM.
        type: str
        required: true
      ip:
        description: Its IP address.
        type: str
        required: true
      hostnames:
        description: Further names the registry is reached by; the first one is the certificate's CN.
        type: list
        elements: str
        default: []
  api_names:
    description:
      - External names and IPs of the API (load balancer, VIP), added to the apiserver SANs.
      - The first one is the server of C(admin.conf), C(kube-proxy.conf) and the kubelet kubeconfigs;
        without any, the first master's IP is.
    type: list
    elements: str
    default: []
  api_port:
    description: Port of the API in the kubeconfigs.
    type: int
    default: 6443
  service_cidr:
    description: Service network; its first address goes into the apiserver SANs.
    type: str
    default: 10.96.0.0/12
  cluster_domain:
    description: Cluster DNS domain, for the C(kubernetes.default.svc.<domain>) SAN.
    type: str
    default: cluster.local
  key_type:
    description: Key algorithm of the CAs and leaves.
    type: str
    choices: [ecdsa-p256, rsa-2048, rsa-4096]
    default: ecdsa-p256
  ca_validity_days:
    description: Lifetime of a new CA.
    type: int
    default: 3650
  leaf_validity_days:
    description: Lifetime of a new leaf (never beyond its CA's).
    type: int
    default: 365
  renew_before_days:
    description: A leaf that expires within this many days is reissued.
    type: int
    default: 30
  rotate_leaves:
    description:
      - Leaves to reissue with a new key even if they are fine, by name (for example V(apiserver),
        V(nodes/w1/kubelet)), or V(all). The CAs are kept.
    type: list
    elements: str
    default: []
  ca_rotation:
    description:
      - Step of a CA rotation. V(begin) makes a new CA beside the old one and puts both in the trust bundles;
        V(promote) makes the new CA the signing CA and reissues every leaf under it (the old CA stays trusted);
        V(finish) drops the old CA from the bundles. Roll the files through the nodes after each step.
    type: str
    choices: [none, begin, promote, finish]
    default: none
  rotate_cas:
    description: Which CAs O(ca_rotation) applies to.
    type: list
    elements: str
    choices: [kubernetes, etcd, front-proxy]
    default: [kubernetes, etcd, front-proxy]
requirements:
  - cryptography >= 3.1 on the controller
notes:
  - "Run it on the controller (C(delegate_to: localhost), C(run_once: true)); the P(ondemand.caas.pki#role) role
    places the files on the nodes."
  - Nodes that left the cluster are listed in RV(stale_nodes); their files are not deleted.
seealso:
  - module: ondemand.caas.cert_info
"""

EXAMPLES = r"""
- name: Seed the PKI of cluster demo
  ondemand.caas.cert_seed:
    cluster: demo
    pki_dir: "{{ caas_pki_dir }}"
    masters:
      - {name: demo-m0, ip: 10.10.0.10}
    workers:
      - {name: demo-w0, ip: 10.10.0.20}
      - {name: demo-w1, ip: 10.10.0.21}
    registry: {name: demo-r0, ip: 10.10.0.30, hostnames: [registry.demo.example]}
    api_names: [api.demo.example, 10.10.0.5]
  delegate_to: localhost
  run_once: true

- name: Reissue the apiserver certificate and every kubelet client, keeping the CAs
  ondemand.caas.cert_seed:
    cluster: demo
    pki_dir: "{{ caas_pki_dir }}"
    masters: "{{ demo_masters }}"
    rotate_leaves: [apiserver, nodes/demo-w0/kubelet-client]

- name: First step of a CA rotation (then roll the bundles through the nodes)
  ondemand.caas.cert_seed:
    cluster: demo
    pki_dir: "{{ caas_pki_dir }}"
    masters: "{{ demo_masters }}"
    ca_rotation: begin
"""

RETURN = r"""
cluster_dir:
  description: The cluster's PKI directory.
  returned: always
  type: str
  sample: /var/lib/ondemand-caas/pki/demo
changes:
  description: Every file created, reissued, updated or removed (or that would be, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Path relative to RV(cluster_dir).
      type: str
      sample: nodes/demo-w2/kubelet.crt
    action:
      description: One of C(create), C(renew), C(update), C(rotate), C(remove).
      type: str
      sample: create
    reason:
      description: Why.
      type: str
      sample: "SANs +[10.10.0.12, demo-m2] -[]"
stale_nodes:
  description: Node directories under C(nodes/) that are not in the input any more.
  returned: always
  type: list
  elements: str
  sample: []
ca_rotation:
  description: Rotation state of each CA after the run, C(none), C(begun) or C(promoted).
  returned: always
  type: dict
  sample: {kubernetes: none, etcd: none, front-proxy: none}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.ondemand.caas.plugins.module_utils.pki.crypto import HAS_CRYPTOGRAPHY, CRYPTOGRAPHY_IMPORT_ERROR
from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import PkiError
from ansible_collections.ondemand.caas.plugins.module_utils.pki.seed import Seeder
from ansible_collections.ondemand.caas.plugins.module_utils.pki.spec import CA_NAMES, KEY_TYPES, ClusterInput
from ansible_collections.ondemand.caas.plugins.module_utils.pki.store import Store

_NODE = dict(name=dict(type="str", required=True), ip=dict(type="str", required=True))


def argument_spec():
    return dict(
        cluster=dict(type="str", required=True),
        pki_dir=dict(type="path", required=True),
        masters=dict(type="list", elements="dict", required=True, options=_NODE),
        workers=dict(type="list", elements="dict", default=[], options=_NODE),
        registry=dict(type="dict", options=dict(_NODE, hostnames=dict(type="list", elements="str", default=[]))),
        api_names=dict(type="list", elements="str", default=[]),
        api_port=dict(type="int", default=6443),
        service_cidr=dict(type="str", default="10.96.0.0/12"),
        cluster_domain=dict(type="str", default="cluster.local"),
        key_type=dict(type="str", choices=list(KEY_TYPES), default="ecdsa-p256"),
        ca_validity_days=dict(type="int", default=3650),
        leaf_validity_days=dict(type="int", default=365),
        renew_before_days=dict(type="int", default=30),
        rotate_leaves=dict(type="list", elements="str", default=[]),
        ca_rotation=dict(type="str", choices=["none", "begin", "promote", "finish"], default="none"),
        rotate_cas=dict(type="list", elements="str", choices=list(CA_NAMES), default=list(CA_NAMES)),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(CRYPTOGRAPHY_IMPORT_ERROR))
    p = module.params
    try:
        inp = ClusterInput(p["cluster"], p["masters"], p["workers"], p["registry"], p["api_names"], p["api_port"],
                           p["service_cidr"], p["cluster_domain"], p["key_type"], p["ca_validity_days"],
                           p["leaf_validity_days"], p["renew_before_days"])
        seeder = Seeder(inp, Store(p["pki_dir"], p["cluster"]), p["rotate_leaves"], p["ca_rotation"], p["rotate_cas"])
        result = seeder.run(check_mode=module.check_mode)
    except PkiError as exc:
        module.fail_json(msg=exc.message, path=exc.path)
    except Exception as exc:  # pylint: disable=broad-except  # one report, with the trace, for the unexpected
        module.fail_json(msg="cert_seed failed unexpectedly: %s" % exc, exception=traceback.format_exc())
    for warning in result.pop("warnings"):
        module.warn(warning)
    diff = result.pop("diff")
    if module._diff and result["changed"]:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
