# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Kubeconfig files with embedded credentials, rendered deterministically so that
comparing bytes tells whether one is current."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

TEMPLATE = u"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster:
    server: {server}
    certificate-authority-data: {ca}
contexts:
- name: {context}
  context:
    cluster: {cluster}
    user: {user}
current-context: {context}
preferences: {{}}
users:
- name: {user}
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
"""


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def render(cluster, server, user, ca_pem, cert_pem, key_pem):
    q = json.dumps
    return TEMPLATE.format(cluster=q(cluster), server=q(server), user=q(user),
                           context=q("%s@%s" % (user, cluster)), ca=_b64(ca_pem),
                           cert=_b64(cert_pem), key=_b64(key_pem)).encode("utf-8")
