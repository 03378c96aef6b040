# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""The embedded registry (role harbor, flavor distribution) on its real VM: the unit, TLS from the cluster CA,
htpasswd auth, the pushed images, data on the persistent disk, what listens and the modes of the secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import stat

from molecule_probe import https_status, listening, pki_dir

testinfra_hosts = ["ansible://mreg_registry"]

CLUSTER = "mreg"
IP = "10.241.4.5"
URL = "https://%s:5000" % IP
PKI = pki_dir(CLUSTER)
CA = os.path.join(PKI, "ca-bundle.crt")


def credentials(user):
    with open(os.path.join(PKI, "registry", user + ".password")) as handle:
        secret = handle.read().strip()
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, secret)).encode()).decode()}


def test_the_registry_vm_is_where_registry_yml_puts_it(host):
    facts = host.ansible.get_variables()
    assert (facts["caas_name"], facts["caas_ip"]) == ("mreg-registry", IP)
    assert host.mount_point("/var/vcap/store").exists


def test_docker_registry_runs_enabled(host):
    service = host.service("docker-registry")
    assert service.is_running and service.is_enabled


def test_it_listens_on_5000_and_ssh_only(host):
    assert {s for s in listening(host) if not s.startswith("127.")} == {"0.0.0.0:22", "[::]:22", "*:5000"}


def test_tls_from_the_cluster_ca_and_no_anonymous_access():
    status = https_status(URL + "/v2/", CA)[0]  # verifies the certificate names IP and chains to the cluster CA
    assert status == 401
    status, body = https_status(URL + "/v2/", CA, headers={"Authorization": "Basic " + base64.b64encode(b"caas-nodes:wrong").decode()})
    assert status == 401, body


def test_the_pull_user_sees_the_pushed_images():
    status, body = https_status(URL + "/v2/_catalog", CA, headers=credentials("caas-nodes"))
    assert status == 200 and {"library/pause", "library/busybox"} <= set(json.loads(body)["repositories"]), body
    for name, tag in (("pause", "3.10.1"), ("busybox", "1.35.0")):
        status, body = https_status("%s/v2/library/%s/tags/list" % (URL, name), CA, headers=credentials("caas-nodes"))
        assert status == 200 and tag in json.loads(body)["tags"], body


def test_images_live_on_the_persistent_disk(host):
    assert host.file("/var/vcap/store/registry/docker/registry/v2/repositories/library/pause").is_directory


def test_secrets_are_private(host):
    key = host.file("/etc/ondemand-caas/registry/registry.key")
    assert (key.mode, key.user) == (0o600, "docker-registry")
    htpasswd = host.file("/etc/docker/registry/htpasswd")
    assert htpasswd.mode == 0o640 and htpasswd.group == "docker-registry"
    assert "$2y$" in htpasswd.content_string  # bcrypt, never the plain password
    with open(os.path.join(PKI, "registry", "caas-nodes.password")) as handle:
        assert handle.read().strip() not in htpasswd.content_string
    assert stat.S_IMODE(os.stat(os.path.join(PKI, "registry")).st_mode) == 0o700
    for user in ("caas-push", "caas-nodes"):
        assert stat.S_IMODE(os.stat(os.path.join(PKI, "registry", user + ".password")).st_mode) == 0o600
