#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cert_info
short_description: List certificates of a cluster with their expiry, from a PKI directory or live endpoints
version_added: "0.1.0"
description:
  - Lists every certificate under O(path) (C(*.crt), C(*.pem), every certificate of a bundle, and the certificates
    embedded in kubeconfigs C(*.conf)) and/or the certificate each of O(endpoints) serves in a TLS handshake
    (apiserver, etcd, kubelet, registry), with subject, SANs, issuer, not-after and days left.
  - Never reads or returns private keys.
author:
  - ondemand.caas developers (@ondemand)
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
options:
  path:
    description: A directory to scan recursively, typically C(<caas_pki_dir>/<cluster>).
    type: path
  endpoints:
    description: Live TLS endpoints to handshake with.
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: Host name or IP.
        type: str
        required: true
      port:
        description: TCP port.
        type: int
        required: true
      name:
        description: Label for the result (defaults to C(host:port)).
        type: str
      server_name:
        description: SNI name to send (defaults to O(endpoints[].host)).
        type: str
      ca_cert:
        description: CA bundle to verify this endpoint with (overrides O(ca_cert)).
        type: path
  ca_cert:
    description: CA bundle to verify the endpoints' chains with; without it RV(certificates[].verified) is null.
    type: path
  client_cert:
    description: Client certificate to present, for endpoints that insist on one (etcd, kubelet).
    type: path
  client_key:
    description: Key of O(client_cert).
    type: path
  timeout:
    description: Seconds to wait for each endpoint.
    type: float
    default: 5.0
  warn_days:
    description: A certificate with fewer days left is flagged RV(certificates[].expiring) and listed in RV(expiring).
    type: int
    default: 30
requirements:
  - cryptography >= 3.1 on the host the module runs on
seealso:
  - module: ondemand.caas.cert_seed
"""

EXAMPLES = r"""
- name: Expiry of everything in the demo cluster's PKI directory
  ondemand.caas.cert_info:
    path: "{{ caas_pki_dir }}/demo"
  delegate_to: localhost
  register: demo_certs

- name: What the apiserver and etcd actually serve
  ondemand.caas.cert_info:
    endpoints:
      - {name: apiserver, host: 10.10.0.10, port: 6443}
      - {name: etcd, host: 10.10.0.10, port: 2379, ca_cert: "{{ caas_pki_dir }}/demo/etcd/ca-bundle.crt"}
    ca_cert: "{{ caas_pki_dir }}/demo/ca-bundle.crt"
    client_cert: "{{ caas_pki_dir }}/demo/apiserver-etcd-client.crt"
    client_key: "{{ caas_pki_dir }}/demo/apiserver-etcd-client.key"

- name: Fail when something expires within 30 days
  ansible.builtin.assert:
    that: demo_certs.expiring | length == 0
    fail_msg: "{{ demo_certs.expiring }}"
"""

RETURN = r"""
certificates:
  description: One entry per certificate found.
  returned: always
  type: list
  elements: dict
  contains:
    source:
      description: Path relative to O(path) (C(file[n]) for the n-th certificate of a bundle, C(file:field[n]) inside
        a kubeconfig), or the endpoint's name.
      type: str
      sample: apiserver.crt
    subject:
      description: Subject, RFC 4514.
      type: str
      sample: CN=kube-apiserver
    common_name:
      description: Subject CN.
      type: str
      sample: kube-apiserver
    organizations:
      description: Subject O values.
      type: list
      elements: str
      sample: []
    issuer:
      description: Issuer, RFC 4514.
      type: str
      sample: CN=kubernetes
    dns_names:
      description: DNS SANs.
      type: list
      elements: str
      sample: [kubernetes, kubernetes.default]
    ip_addresses:
      description: IP SANs.
      type: list
      elements: str
      sample: [10.96.0.1]
    usages:
      description: Extended key usages, C(server) and/or C(client).
      type: list
      elements: str
      sample: [server]
    is_ca:
      description: Whether it is a CA.
      type: bool
      sample: false
    serial:
      description: Serial number, hex.
      type: str
      sample: 5f1c2e
    key_type:
      description: Public key algorithm.
      type: str
      sample: ecdsa-p256
    not_before:
      description: Start of validity, ISO 8601 UTC.
      type: str
      sample: "2025-01-01T00:00:00+00:00"
    not_after:
      description: End of validity, ISO 8601 UTC.
      type: str
      sample: "2026-01-01T00:00:00+00:00"
    days_left:
      description: Whole days until not-after (negative when expired).
      type: int
      sample: 364
    expiring:
      description: Whether RV(certificates[].days_left) is below O(warn_days).
      type: bool
      sample: false
    sha256:
      description: SHA-256 fingerprint, hex.
      type: str
      sample: 3f0c...
    endpoint:
      description: C(host:port), for endpoints only.
      type: str
      sample: 10.10.0.10:6443
    verified:
      description: For endpoints, whether the chain verified against the CA given (null without one).
      type: bool
      sample: true
expiring:
  description: Sources of the certificates flagged as expiring.
  returned: always
  type: list
  elements: str
  sample: []
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.ondemand.caas.plugins.module_utils.pki.crypto import HAS_CRYPTOGRAPHY, CRYPTOGRAPHY_IMPORT_ERROR
from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import PkiError
from ansible_collections.ondemand.caas.plugins.module_utils.pki.info import scan_directory, scan_endpoints


def argument_spec():
    return dict(
        path=dict(type="path"),
        endpoints=dict(type="list", elements="dict", default=[], options=dict(
            host=dict(type="str", required=True), port=dict(type="int", required=True), name=dict(type="str"),
            server_name=dict(type="str"), ca_cert=dict(type="path"))),
        ca_cert=dict(type="path"),
        client_cert=dict(type="path"),
        client_key=dict(type="path"),
        timeout=dict(type="float", default=5.0),
        warn_days=dict(type="int", default=30),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_one_of=[("path", "endpoints")], required_together=[("client_cert", "client_key")])
    if not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(CRYPTOGRAPHY_IMPORT_ERROR))
    p = module.params
    certificates = []
    try:
        if p["path"]:
            certificates.extend(scan_directory(p["path"], warn_days=p["warn_days"]))
        if p["endpoints"]:
            certificates.extend(scan_endpoints(p["endpoints"], p["ca_cert"], p["client_cert"], p["client_key"],
                                               p["timeout"], warn_days=p["warn_days"]))
    except PkiError as exc:
        module.fail_json(msg=exc.message, path=exc.path)
    except Exception as exc:  # pylint: disable=broad-except  # one report, with the trace, for the unexpected
        module.fail_json(msg="cert_info failed unexpectedly: %s" % exc, exception=traceback.format_exc())
    module.exit_json(changed=False, certificates=certificates,
                     expiring=[c["source"] for c in certificates if c["expiring"]])


if __name__ == "__main__":
    main()
