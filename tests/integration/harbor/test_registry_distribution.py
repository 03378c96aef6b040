# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The embedded registry end to end with real parts: playbooks/registry.yml makes an LXC VM from the registry
stemcell on 10.242.0.0/24, Debian's docker-registry serves TLS with the seeded certificate and htpasswd auth,
images built here are pushed with skopeo; real skopeo clients check TLS and auth; the data lives on the
persistent disk and survives recreating the VM."""

import hashlib
import os
import subprocess

import pytest

from conftest import CLUSTER, REGISTRY, REGISTRY_IP, changed_tasks, failed_tasks, skopeo, ssh

pytestmark = [pytest.mark.slow]
CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")


def test_playbook_is_idempotent_and_publishes_facts(runner, registry):
    summary = [t for p in registry["plays"] for t in p["tasks"] if t["task"]["name"] == "Summary"][0]
    msg = list(summary["hosts"].values())[0]["msg"]
    assert msg[0] == "registry: https://%s (CA %s)" % (REGISTRY, runner.ca_file())
    assert "%s/library/pause:3.10.1" % REGISTRY in msg[1] and "%s/library/busybox:1.35.0" % REGISTRY in msg[1]
    rc, again = runner.playbook("playbooks/registry.yml")
    assert rc == 0, failed_tasks(again)
    assert changed_tasks(again) == []


def test_registry_vm_metadata_and_disk(runner, registry):
    from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
    cloud = Cloud("lxc", {"lxc_state_dir": runner.lxc_dir})
    vms = [v for v in cloud.list_vms() if v.get("metadata", {}).get("caas_role") == "registry"]
    assert len(vms) == 1 and vms[0]["metadata"]["caas_cluster"] == CLUSTER
    assert ssh("mountpoint -q /var/vcap/store && test -d /var/vcap/store/registry/docker/registry/v2").returncode == 0
    assert ssh("systemctl is-active docker-registry").stdout.strip() == "active"


def test_images_were_built_without_network_and_pushed(runner, registry, cert_dir):
    pull = "caas-nodes:" + runner.password("caas-nodes")
    for ref in ("library/pause:3.10.1", "library/busybox:1.35.0"):
        out = skopeo("inspect", "--cert-dir", cert_dir, "--creds", pull, "docker://%s/%s" % (REGISTRY, ref))
        assert out.returncode == 0, out.stderr
        assert '"Architecture": "amd64"' in out.stdout and '"Os": "linux"' in out.stdout
    # the pause binary is static (nothing to pull in at run time)
    info = subprocess.run(["file", os.path.join(CACHE, "images", "oci", "pause.bin")], stdout=subprocess.PIPE,
                          universal_newlines=True, check=True).stdout
    assert "statically linked" in info


def test_skopeo_copies_in_and_back_out_over_verified_tls(runner, registry, cert_dir, tmp_path):
    push = "caas-push:" + runner.password("caas-push")
    pull = "caas-nodes:" + runner.password("caas-nodes")
    src = "oci:%s/images/oci/busybox:1.35.0" % CACHE
    dest = "docker://%s/test/roundtrip:1" % REGISTRY
    out = skopeo("copy", "--dest-cert-dir", cert_dir, "--dest-creds", push, src, dest)
    assert out.returncode == 0, out.stderr
    back = tmp_path / "back"
    out = skopeo("copy", "--src-cert-dir", cert_dir, "--src-creds", pull, dest, "oci:%s:1" % back)
    assert out.returncode == 0, out.stderr
    sent = skopeo("inspect", "--raw", src, check=True).stdout
    got = skopeo("inspect", "--raw", "oci:%s:1" % back, check=True).stdout
    assert hashlib.sha256(sent.encode()).hexdigest() == hashlib.sha256(got.encode()).hexdigest()


def test_wrong_password_is_refused(runner, registry, cert_dir):
    out = skopeo("inspect", "--cert-dir", cert_dir, "--creds", "caas-nodes:wrong-password",
                 "docker://%s/library/busybox:1.35.0" % REGISTRY)
    assert out.returncode != 0 and "unauthorized" in out.stderr
    anonymous = skopeo("inspect", "--cert-dir", cert_dir, "--no-creds", "docker://%s/library/busybox:1.35.0" % REGISTRY)
    assert anonymous.returncode != 0 and "unauthorized" in anonymous.stderr


def test_client_without_the_ca_fails_verification(runner, registry, tmp_path):
    empty = tmp_path / "nocerts"
    empty.mkdir()
    out = skopeo("inspect", "--cert-dir", str(empty), "--creds", "caas-nodes:" + runner.password("caas-nodes"),
                 "docker://%s/library/busybox:1.35.0" % REGISTRY)
    assert out.returncode != 0 and "certificate signed by unknown authority" in out.stderr


def _config_sum():
    return ssh("sha256sum /etc/docker/registry/config.yml /etc/docker/registry/htpasswd").stdout


def _role_play(runner, **variables):
    """The registry VM's play of playbooks/registry.yml, same users, with some variables changed."""
    users = [{"name": n, "password": runner.password(n)} for n in ("caas-push", "caas-nodes")]
    return [{"name": "harbor role on the registry VM", "hosts": CLUSTER + "-registry", "gather_facts": False,
             "roles": [dict({"role": "ondemand.caas.harbor", "harbor_flavor": "distribution",
                             "harbor_cluster": CLUSTER, "harbor_hostname": REGISTRY_IP,
                             "harbor_distribution_users": users}, **variables)]}]


def test_hostname_not_in_certificate_changes_nothing(runner, registry):
    before = _config_sum()
    rc, data = runner.playbook(_role_play(runner, harbor_hostname="not-in-the-cert.example"),
                               inventory=runner.registry_inventory())
    assert rc != 0
    failures = failed_tasks(data)
    assert failures and "not-in-the-cert.example is not in the registry certificate" in failures[0][2], failures
    assert "IP Address:%s" % REGISTRY_IP in failures[0][2]
    assert _config_sum() == before
    assert ssh("systemctl is-active docker-registry").stdout.strip() == "active"


def test_port_in_use_changes_nothing(runner, registry):
    ssh("systemd-run --unit caas-test-squatter python3 -c \"import socket,time; s=socket.socket(); "
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 5001)); s.listen(); "
        "time.sleep(600)\"")
    try:
        ssh("for i in $(seq 50); do ss -Htln 'sport = :5001' | grep -q . && exit 0; sleep 0.2; done; exit 1")
        before = _config_sum()
        rc, data = runner.playbook(_role_play(runner, harbor_port=5001), inventory=runner.registry_inventory())
        assert rc != 0
        msgs = [f[2] for f in failed_tasks(data)]
        assert any("port 5001 is already in use by another program" in m and "python3" in m for m in msgs), msgs
        assert _config_sum() == before
    finally:
        ssh("systemctl stop caas-test-squatter", check=False)


def test_passwords_never_reach_the_output(runner, registry):
    rc, out = runner.playbook(_role_play(runner), inventory=runner.registry_inventory(), verbose=True)
    assert rc == 0, out[-3000:]
    assert "changed=0" in out
    for user in ("caas-push", "caas-nodes"):
        assert runner.password(user) not in out


def test_data_survives_recreating_the_vm_with_its_disk(runner, registry, cert_dir):
    push = "caas-push:" + runner.password("caas-push")
    marker = "docker://%s/test/survivor:1" % REGISTRY
    out = skopeo("copy", "--dest-cert-dir", cert_dir, "--dest-creds", push,
                 "oci:%s/images/oci/pause:3.10.1" % CACHE, marker)
    assert out.returncode == 0, out.stderr
    digest = skopeo("inspect", "--cert-dir", cert_dir, "--creds", push, "--format", "{{.Digest}}", marker,
                    check=True).stdout.strip()
    rc, data = runner.playbook([{"hosts": "localhost", "connection": "local", "gather_facts": False,
                                 "tasks": [{"name": "Delete the registry VM (its disk stays)",
                                            "ondemand.caas.cpi_vm": {"name": CLUSTER + "-registry", "state": "absent",
                                                                     "provider": "lxc"}}]}])
    assert rc == 0, failed_tasks(data)
    assert ssh("true", check=False).returncode != 0
    rc, data = runner.playbook("playbooks/registry.yml")
    assert rc == 0, failed_tasks(data)
    again = skopeo("inspect", "--cert-dir", cert_dir, "--creds", push, "--format", "{{.Digest}}", marker)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == digest
