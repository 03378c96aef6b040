# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Checks the scenarios' testinfra tests share: the scenario's directories, what a VM listens on, HTTPS probes made
from the controller (as a client on the segment would), and the cached kubectl with the cluster's admin.conf."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import ssl
import subprocess

from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

MOLECULE_DIR = os.environ.get("CAAS_MOLECULE_DIR", "")
CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
K8S_VERSION = "v1.34.4"
ETCD_VERSION = "v3.5.35"
K8S_BIN = os.path.join(CACHE, "k8s", K8S_VERSION, "bin")
ETCD_BIN = os.path.join(CACHE, "etcd", ETCD_VERSION, "bin")


def pki_dir(cluster):
    """The cluster's PKI on the controller (the scenarios pass caas_pki_dir=$CAAS_MOLECULE_DIR/pki)."""
    return os.path.join(MOLECULE_DIR, "pki", cluster)


def listening(host):
    """Every listening TCP socket of the VM as ss writes it: 'address:port', '[::]:port' for IPv6, '*:port' for a
    dual-stack wildcard (what Go servers asked for 0.0.0.0 or ':port' open)."""
    out = host.check_output("ss -Htln")
    return {line.split()[3] for line in out.splitlines() if line.strip()}


def https_status(url, ca_file=None, cert=None, headers=None, timeout=10):
    """(status, body) of a GET from the controller, verifying the server against ca_file (None: no verification);
    cert = (certfile, keyfile) presents a client certificate. A refused TLS handshake gives (None, the error)."""
    context = ssl.create_default_context(cafile=ca_file) if ca_file else ssl._create_unverified_context()  # pylint: disable=protected-access
    if cert:
        context.load_cert_chain(*cert)
    try:
        with urlopen(Request(url, headers=headers or {}), context=context, timeout=timeout) as response:  # nosec - test probe of our own endpoint
            return response.status, response.read().decode()
    except HTTPError as err:
        return err.code, err.read().decode()
    except (URLError, ssl.SSLError, socket.error) as err:
        return None, str(getattr(err, "reason", err))


def kubectl(cluster, server_ip, *args, **kwargs):
    """The cached kubectl as the cluster admin (admin.conf from the controller's PKI) against one apiserver."""
    proc = subprocess.run(
        [os.path.join(K8S_BIN, "kubectl"), "--kubeconfig", os.path.join(pki_dir(cluster), "admin.conf"),
         "--server", "https://%s:6443" % server_ip, "--request-timeout=20s"] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=kwargs.get("timeout", 120),
        input=kwargs.get("stdin"), check=False)
    if kwargs.get("check", True):
        assert proc.returncode == 0, proc.stdout
    return proc.stdout


def cpi(module, **args):
    """What an ondemand.caas CPI module returns, run on the controller with the scenario's provider state
    (the IaaS's own view: stemcell cids, VM records)."""
    env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_VERBOSITY="0")
    out = subprocess.run(["ansible", "localhost", "-o", "-m", "ondemand.caas." + module,
                          "-a", json.dumps(dict(args, provider="lxc"))],
                         stdout=subprocess.PIPE, env=env, universal_newlines=True, check=True, timeout=120).stdout
    # one line: "localhost | SUCCESS => {...}"
    return json.loads(out.split(" => ", 1)[1])
