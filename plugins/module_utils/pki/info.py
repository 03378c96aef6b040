# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""What certificates exist and when they expire: from a PKI directory or from live TLS endpoints."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import os
import socket
import ssl

from ansible_collections.ondemand.caas.plugins.module_utils.pki import crypto
from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import EndpointError, PkiFileError

CERT_SUFFIXES = (".crt", ".pem")
_KUBECONFIG_FIELDS = ("certificate-authority-data", "client-certificate-data")


def _entry(cert, source, now, warn_days):
    item = crypto.describe(cert)
    left = crypto.days_left(cert, now)
    item.update({"source": source, "days_left": int(left // 1), "expiring": left < warn_days})
    return item


def _kubeconfig_certs(data):
    """Certificates embedded in a kubeconfig, found without a YAML parser (one field per line)."""
    found = []
    for line in data.decode("utf-8", "replace").splitlines():
        field, _sep, value = line.strip().partition(":")
        if field in _KUBECONFIG_FIELDS and value.strip():
            found.append((field, base64.b64decode(value.strip().strip('"'))))
    return found


def scan_directory(path, now=None, warn_days=30):
    """Every certificate under ``path`` (files *.crt/*.pem, bundles, and kubeconfigs' embedded ones)."""
    now = now or crypto.utcnow()
    if not os.path.isdir(path):
        raise PkiFileError("%s is not a directory" % path, path=path)
    out = []
    for top, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(top, name)
            rel = os.path.relpath(full, path)
            if name.endswith(CERT_SUFFIXES):
                with open(full, "rb") as handle:
                    certs = crypto.load_certs(handle.read(), full)
                for index, cert in enumerate(certs):
                    source = rel if len(certs) == 1 else "%s[%d]" % (rel, index)
                    out.append(_entry(cert, source, now, warn_days))
            elif name.endswith(".conf"):
                with open(full, "rb") as handle:
                    embedded = _kubeconfig_certs(handle.read())
                for field, pem in embedded:
                    for index, cert in enumerate(crypto.load_certs(pem, "%s (%s)" % (full, field))):
                        out.append(_entry(cert, "%s:%s[%d]" % (rel, field, index), now, warn_days))
    return out


def fetch_endpoint(host, port, server_name=None, ca_file=None, client_cert=None, client_key=None, timeout=5.0):
    """Handshake with ``host:port`` and return (leaf certificate, verified, error text).

    The served certificate is read even when verification is off; ``verified`` says whether the
    chain verified against ``ca_file`` (None when no CA was given)."""
    def handshake(verify):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        if verify:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=ca_file)
        else:
            context.verify_mode = ssl.CERT_NONE
        if client_cert:
            context.load_cert_chain(client_cert, client_key)
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=server_name or host) as tls:
                return tls.getpeercert(binary_form=True)

    try:
        der = handshake(False)
    except (OSError, ssl.SSLError) as exc:
        raise EndpointError("%s:%s: TLS handshake failed: %s" % (host, port, exc))
    if not der:
        raise EndpointError("%s:%s presented no certificate" % (host, port))
    cert = crypto.x509.load_der_x509_certificate(der)
    verified, error = None, None
    if ca_file:
        try:
            handshake(True)
            verified = True
        except (OSError, ssl.SSLError) as exc:
            verified, error = False, str(exc)
    return cert, verified, error


def scan_endpoints(endpoints, ca_file=None, client_cert=None, client_key=None, timeout=5.0, now=None, warn_days=30):
    now = now or crypto.utcnow()
    out = []
    for ep in endpoints:
        cert, verified, error = fetch_endpoint(ep["host"], ep["port"], ep.get("server_name"),
                                               ep.get("ca_cert") or ca_file, client_cert, client_key, timeout)
        item = _entry(cert, ep.get("name") or "%s:%s" % (ep["host"], ep["port"]), now, warn_days)
        item.update({"endpoint": "%s:%s" % (ep["host"], ep["port"]), "verified": verified})
        if error:
            item["verify_error"] = error
        out.append(item)
    return out
