# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The harbor flavor of the role, on this machine with a small FAKE offline installer (Harbor's containers cannot
run here): its install.sh only records that it ran, the Harbor API test double (tests/doubles/harbor_api.py)
answers /api/v2.0/health and the project/robot configuration. Real: the checksum and content checks, the
certificate check with openssl, the port check with ss, the templating and the "run install.sh only when the
rendered configuration or the version changed" guard, the data directory kept across an upgrade."""

import datetime
import hashlib
import ipaddress
import io
import json
import os
import socket
import stat
import tarfile

import pytest

from conftest import Runner, changed_tasks, failed_tasks
from doubles import harbor_api

VERSION = "v2.11.0"
INSTALL_SH = """#!/bin/sh
# FAKE Harbor install.sh (test): records the run and the rendered configuration's checksum.
set -e
cd "$(dirname "$0")"
test -f harbor.yml
echo "install %s $(sha256sum harbor.yml | cut -d' ' -f1)" >> "$FAKE_HARBOR_LOG"
echo "services: {}" > docker-compose.yml
"""


def _tls(directory):
    """A CA and a registry certificate for 127.0.0.1 (what cert_seed makes for the registry)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"test-ca")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"harbor")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(u"127.0.0.1")),
                                                        x509.DNSName(u"localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = dict((n, os.path.join(directory, n)) for n in ("ca.crt", "registry.crt", "registry.key"))
    with open(paths["ca.crt"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["registry.crt"], "wb") as f:
        f.write(leaf.public_bytes(serialization.Encoding.PEM))
    with open(paths["registry.key"], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths


def fake_installer(path, version, members=None):
    """A small tarball shaped like harbor-offline-installer-<version>.tgz."""
    files = members or {"harbor/install.sh": INSTALL_SH % version, "harbor/prepare": "#!/bin/sh\nexit 0\n",
                        "harbor/harbor.yml.tmpl": "hostname: reg.mydomain.com\n",
                        "harbor/harbor.%s.tar.gz" % version: "not really images\n"}
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755 if name.endswith((".sh", "prepare")) else 0o644
            tar.addfile(info, io.BytesIO(data))
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Env(object):
    def __init__(self, tmp_path, double):
        self.tmp = tmp_path
        self.runner = Runner(str(tmp_path / "run"))
        self.runner.extra = {}
        self.double = double
        tls = _tls(str(tmp_path))
        self.bundle = str(tmp_path / "bundle.crt")
        with open(self.bundle, "w") as out:
            for path in (tls["ca.crt"], double.ca_path):
                out.write(open(path).read())
        self.log = str(tmp_path / "install.log")
        self.compose_log = str(tmp_path / "compose.log")
        compose = tmp_path / "fake-compose"
        compose.write_text("#!/bin/sh\necho \"compose $*\" >> %s\n" % self.compose_log)
        compose.chmod(0o755)
        self.installer = str(tmp_path / ("harbor-offline-installer-%s.tgz" % VERSION))
        self.sha = fake_installer(self.installer, VERSION)
        self.port = free_port()
        self.vars = {
            "harbor_flavor": "harbor", "harbor_cluster": "h7h", "harbor_hostname": "127.0.0.1",
            "harbor_port": self.port, "harbor_cert_file": tls["registry.crt"], "harbor_key_file": tls["registry.key"],
            "harbor_ca_file": self.bundle, "harbor_controller_ca_file": self.bundle,
            "harbor_store_dir": str(tmp_path / "store"), "harbor_install_dir": str(tmp_path / "opt"),
            "harbor_cache_dir": str(tmp_path / "cache"), "harbor_installer_src": self.installer,
            "harbor_installer_sha256": self.sha, "harbor_version": VERSION,
            "harbor_admin_password": double.password, "harbor_database_password": "db-password-123",
            "harbor_health_url": double.url + "/api/v2.0/health", "harbor_api_url": double.url,
            "harbor_docker_check_command": ["true"], "harbor_compose_command": [str(compose)]}
        self.play_vars = {"caas_pki_dir": str(tmp_path / "pki"), "caas_cluster_name": "h7h"}

    def run(self, **overrides):
        play = [{"name": "harbor flavor", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "environment": {"FAKE_HARBOR_LOG": self.log}, "vars": self.play_vars,
                 "roles": [dict({"role": "ondemand.caas.harbor"}, **dict(self.vars, **overrides))]}]
        return self.runner.playbook(play)

    def installs(self):
        return open(self.log).read().splitlines() if os.path.exists(self.log) else []

    def untouched(self):
        return not os.path.exists(self.vars["harbor_install_dir"]) and not os.path.exists(self.vars["harbor_store_dir"])


@pytest.fixture
def env(tmp_path):
    double = harbor_api.HarborApiDouble().start()
    try:
        yield Env(tmp_path, double)
    finally:
        double.stop()
    assert double.violations == []


@pytest.mark.slow
def test_install_once_configure_through_the_api_then_idempotent(env):
    rc, data = env.run()
    assert rc == 0, failed_tasks(data)
    assert len(env.installs()) == 1 and env.installs()[0].startswith("install " + VERSION)
    rendered = os.path.join(env.vars["harbor_install_dir"], "releases", VERSION, "harbor", "harbor.yml")
    text = open(rendered).read()
    assert "hostname: 127.0.0.1" in text and "data_volume: %s/harbor" % env.vars["harbor_store_dir"] in text
    assert "certificate: %s" % env.vars["harbor_cert_file"] in text and "_version: 2.11.0" in text
    assert stat.S_IMODE(os.stat(rendered).st_mode) == 0o600
    # the API configuration: a private project and a pull robot for the cluster, its secret kept 0600
    assert env.double.project_by("h7h", True)["metadata"]["public"] == "false"
    robot = [r for r in env.double.robots.values() if r["name"] == "robot$h7h+nodes"][0]
    secret_file = os.path.join(env.play_vars["caas_pki_dir"], "h7h", "registry", "harbor-robot-nodes.secret")
    assert open(secret_file).read() == robot["secret"]
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert robot["permissions"][0]["access"] == [{"resource": "repository", "action": "pull", "effect": "allow"}]
    # the published facts
    facts = [r["ansible_facts"] for p in data["plays"] for t in p["tasks"] for h in t["hosts"].values()
             for r in h.get("results", []) if "harbor_registry_host" in r.get("ansible_facts", {})]
    assert facts and facts[0]["harbor_registry_host"] == "127.0.0.1:%d" % env.port
    assert facts[0]["harbor_registry_image_prefix"] == "127.0.0.1:%d/h7h" % env.port
    # second run: nothing changes, install.sh does not run again
    rc, again = env.run()
    assert rc == 0, failed_tasks(again)
    assert changed_tasks(again) == [] and len(env.installs()) == 1


@pytest.mark.slow
def test_config_change_reinstalls_and_upgrade_keeps_data(env):
    assert env.run()[0] == 0
    keep = os.path.join(env.vars["harbor_store_dir"], "harbor", "database", "keep-me")
    os.makedirs(os.path.dirname(keep))
    open(keep, "w").write("data")
    rc, data = env.run(harbor_http_port=8080)
    assert rc == 0, failed_tasks(data)
    assert len(env.installs()) == 2 and env.installs()[0] != env.installs()[1]
    assert not os.path.exists(env.compose_log)  # same release: nothing to stop
    new = str(env.tmp / "harbor-offline-installer-v2.12.1.tgz")
    sha = fake_installer(new, "v2.12.1")
    rc, data = env.run(harbor_http_port=8080, harbor_installer_src=new, harbor_installer_sha256=sha,
                       harbor_version="v2.12.1")
    assert rc == 0, failed_tasks(data)
    assert env.installs()[-1].startswith("install v2.12.1")
    assert open(env.compose_log).read().split() == [
        "compose", "-f", os.path.join(env.vars["harbor_install_dir"], "releases", VERSION, "harbor",
                                      "docker-compose.yml"), "down"]
    assert open(keep).read() == "data"
    marker = json.load(open(os.path.join(env.vars["harbor_store_dir"], "harbor", ".ondemand-caas-deployed.json")))
    assert marker["version"] == "v2.12.1"


BAD_INPUTS = {
    # case: (variables changed, message expected)
    "missing installer": ({"harbor_installer_src": "{tmp}/nope.tgz"}, "{tmp}/nope.tgz not found"),
    "wrong checksum": ({"harbor_installer_sha256": "0" * 64}, "has sha256 {sha}, expected " + "0" * 64),
    "not an installer": ({"harbor_installer_src": "{tmp}/bad.tgz", "harbor_installer_sha256": "{bad_sha}"},
                         "is not the Harbor v2.11.0 offline installer"),
    "version not in installer": ({"harbor_version": "v2.99.0"}, "harbor/harbor.v2.99.0.tar.gz"),
    "hostname not in certificate": ({"harbor_hostname": "harbor.example.org"},
                                    "harbor.example.org is not in the registry certificate"),
    "port in use": ({"harbor_port": "{squatted}"}, "port {squatted} is already in use by another program"),
    "no docker": ({"harbor_docker_check_command": ["/nonexistent/docker", "compose"]},
                  "Harbor needs Docker with compose"),
}


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory):
    """Every bad input in one ansible-playbook run (a block per case, its failure rescued and recorded)."""
    tmp = tmp_path_factory.mktemp("bad")
    double = harbor_api.HarborApiDouble().start()
    squatter = socket.socket()
    try:
        env = Env(tmp, double)
        bad_sha = fake_installer(str(tmp / "bad.tgz"), VERSION, members={"harbor/README": "hello\n"})
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        fill = {"tmp": str(tmp), "sha": env.sha, "bad_sha": bad_sha, "squatted": squatter.getsockname()[1]}
        tasks = []
        for case, (overrides, _message) in BAD_INPUTS.items():
            overrides = json.loads(json.dumps(overrides).replace("{tmp}", fill["tmp"]).replace(
                "{bad_sha}", bad_sha).replace('"{squatted}"', str(fill["squatted"])))
            tasks.append({"name": "case " + case, "block": [
                {"name": "role", "ansible.builtin.include_role": {"name": "ondemand.caas.harbor"},
                 "vars": dict(env.vars, **overrides)}],
                "rescue": [{"name": "record " + case, "ansible.builtin.set_fact": {
                    "outcomes": "{{ outcomes | default({}) | combine({%r: ansible_failed_task.name ~ ': ' ~ "
                                "(ansible_failed_result.msg | default(''))}) }}" % case}}]})
        tasks.append({"name": "outcomes", "ansible.builtin.debug": {"var": "outcomes"}})
        play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": env.play_vars,
                 "tasks": tasks}]
        rc, data = env.runner.playbook(play)
        outcome = [h for p in data["plays"] for t in p["tasks"] if t["task"]["name"] == "outcomes"
                   for h in t["hosts"].values()]
        yield {"rc": rc, "outcomes": outcome[0].get("outcomes", {}) if outcome else {}, "env": env, "fill": fill}
    finally:
        squatter.close()
        double.stop()


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_before_anything_is_installed(bad_input_runs, case):
    outcomes, fill = bad_input_runs["outcomes"], bad_input_runs["fill"]
    assert bad_input_runs["rc"] == 0
    assert case in outcomes, "case %s did not fail: %s" % (case, outcomes)
    expected = BAD_INPUTS[case][1].format(**fill)
    assert expected in outcomes[case], outcomes[case]
    env = bad_input_runs["env"]
    assert env.untouched(), "something was installed before the failure"
    assert env.installs() == []


def test_short_admin_password_is_not_logged(env):
    rc, out = env.runner.playbook([{"hosts": "localhost", "connection": "local", "gather_facts": False,
                                    "vars": env.play_vars, "roles": [dict({"role": "ondemand.caas.harbor"},
                                                   **dict(env.vars, harbor_admin_password="short7"))]}], verbose=True)
    assert rc != 0 and "harbor_admin_password" in out and "short7" not in out
    assert env.untouched()
