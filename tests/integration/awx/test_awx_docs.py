# -*- coding: utf-8 -*-
"""docs/awx: the EE definition through the real ansible-builder, the credential types rendered as AWX renders
injectors, the surveys against the playbooks' variables."""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.providers import settings_from_environment
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.vsphere import VsphereProvider
from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.args import connection_spec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
AWX = os.path.join(ROOT, "docs", "awx")
BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")


def load(*parts):
    with open(os.path.join(AWX, *parts)) as handle:
        return yaml.safe_load(handle)


def requirement_lines(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]


# --- execution environment ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ee_context():
    context = tempfile.mkdtemp(prefix="caas-ee-context-")
    proc = subprocess.run([BUILDER, "create", "-f", os.path.join(AWX, "execution-environment.yml"),
                           "--context", context], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, cwd=ROOT, timeout=300)
    yield proc, context
    shutil.rmtree(context, ignore_errors=True)


def test_ansible_builder_create_makes_a_context(ee_context):
    proc, context = ee_context
    assert proc.returncode == 0, proc.stdout
    assert os.path.isfile(os.path.join(context, "Dockerfile"))


def test_ee_python_requirements_are_the_collections(ee_context):
    _, context = ee_context
    generated = requirement_lines(os.path.join(context, "_build", "requirements.txt"))
    ours = requirement_lines(os.path.join(ROOT, "requirements.txt"))
    assert ours and all(line in generated for line in ours), (ours, generated)


def test_ee_system_requirements_are_the_collections_bindep(ee_context):
    _, context = ee_context
    generated = requirement_lines(os.path.join(context, "_build", "bindep.txt"))
    ours = requirement_lines(os.path.join(ROOT, "bindep.txt"))
    assert ours and all(line in generated for line in ours), (ours, generated)
    for package in ("lxc", "debootstrap", "openssh-client"):
        assert any(line.split()[0] == package for line in generated), package


def test_ee_installs_core_runner_and_the_collection(ee_context):
    _, context = ee_context
    with open(os.path.join(context, "Dockerfile")) as handle:
        dockerfile = handle.read()
    assert "ansible-core>=2.19,<2.20" in dockerfile and "ansible-runner>=2.4" in dockerfile
    with open(os.path.join(context, "_build", "requirements.yml")) as handle:
        galaxy = yaml.safe_load(handle)
    assert any("ondemand/caas" in c["name"] for c in galaxy["collections"])


def test_ee_definition_is_version_3():
    ee = load("execution-environment.yml")
    assert ee["version"] == 3
    assert ee["dependencies"]["python"] == "../../requirements.txt" and ee["dependencies"]["system"] == "../../bindep.txt"


# --- credential types -------------------------------------------------------------------------------------------

def render_injectors(credential_type, inputs, files=None):
    """Render injectors as AWX does: a sandboxed Jinja environment over the inputs, with tower.filename.<id>."""
    env = ImmutableSandboxedEnvironment()
    context = dict(inputs)
    context["tower"] = {"filename": dict(files or {})}
    fields = dict((f["id"], f) for f in credential_type["inputs"]["fields"])
    for field_id, field in fields.items():
        context.setdefault(field_id, field.get("default", ""))
    return dict((k, env.from_string(v).render(**context)) for k, v in credential_type["injectors"]["env"].items())


def test_credential_types_declare_secrets_and_required_fields():
    for name in ("vcenter.yml", "nsxt_manager.yml"):
        ct = load("credential_types", name)
        fields = dict((f["id"], f) for f in ct["inputs"]["fields"])
        assert ct["kind"] == "cloud" and ct["name"].startswith("ondemand.caas ")
        assert fields["password"].get("secret") is True
        assert {"host", "username", "password"} <= set(ct["inputs"]["required"])
        used = set(re.findall(r"\{\{\s*(\w+)", " ".join(ct["injectors"]["env"].values()))) - {"tower"}
        assert used <= set(fields), used - set(fields)
        # secrets only ever go to the environment (or files), never to extra vars
        assert set(ct["injectors"]) <= {"env", "file"}


def test_vcenter_injector_sets_every_variable_the_vsphere_provider_reads():
    ct = load("credential_types", "vcenter.yml")
    wanted = set(s.env for s in VsphereProvider.settings_spec if s.env)
    assert wanted <= set(ct["injectors"]["env"]), wanted - set(ct["injectors"]["env"])
    env = render_injectors(ct, {"host": "vc.example.invalid", "username": "u@vsphere.local", "password": "p w!",
                                "validate_certs": False, "datacenter": "DC0"})
    settings = settings_from_environment(env)
    assert settings["vsphere_hostname"] == "vc.example.invalid" and settings["vsphere_password"] == "p w!"
    assert settings["vsphere_port"] == 443 and settings["vsphere_validate_certs"] is False
    assert settings["vsphere_datacenter"] == "DC0" and settings["vsphere_folder"] == "caas"
    assert settings["vsphere_cluster"] == ""  # an unset optional field: empty, which the provider treats as unset
    assert env["CAAS_PROVIDER"] == "vsphere"


def test_nsxt_injector_sets_every_variable_the_nsxt_modules_read():
    ct = load("credential_types", "nsxt_manager.yml")
    wanted = set(spec["fallback"][1][0] for spec in connection_spec().values() if "fallback" in spec)
    assert wanted <= set(ct["injectors"]["env"]), wanted - set(ct["injectors"]["env"])
    choices = dict((f["id"], f.get("choices")) for f in ct["inputs"]["fields"])
    assert choices["auth_mode"] == connection_spec()["auth_mode"]["choices"]
    env = render_injectors(ct, {"host": "nsx", "username": "admin", "password": "x", "ca_cert": ""},
                           files={"ca_cert": "/runner/env/tmpca"})
    assert env["NSXT_CA_PATH"] == "" and env["NSXT_AUTH_MODE"] == "basic"
    env = render_injectors(ct, {"host": "nsx", "username": "admin", "password": "x", "ca_cert": "PEM"},
                           files={"ca_cert": "/runner/env/tmpca"})
    assert env["NSXT_CA_PATH"] == "/runner/env/tmpca" and env["NSXT_VALIDATE_CERTS"] == "True"


# --- job templates, surveys, workflow ------------------------------------------------------------------------

JOB_TEMPLATES = sorted(glob.glob(os.path.join(AWX, "job_templates", "*.yml")))


def survey_vars(template):
    return dict((q["variable"], q) for q in template["survey_spec"]["spec"])


def test_there_is_a_job_template_per_lifecycle_verb():
    names = [os.path.basename(p)[:-4] for p in JOB_TEMPLATES]
    assert names == ["create_cluster", "delete_cluster", "heal_cluster", "resize_cluster"]


@pytest.mark.parametrize("path", JOB_TEMPLATES, ids=lambda p: os.path.basename(p))
def test_job_template_runs_a_real_playbook_with_a_sound_survey(path):
    jt = load("job_templates", os.path.basename(path))
    verb = os.path.basename(path)[:-4]
    assert jt["playbook"] == "playbooks/%s.yml" % verb
    if not os.path.exists(os.path.join(ROOT, jt["playbook"])):
        pytest.skip("%s does not exist yet" % jt["playbook"])
    survey = survey_vars(jt)
    assert jt["survey_enabled"] and not jt["ask_variables_on_launch"]
    name = survey["caas_cluster_name"]
    assert name["required"] and (name["min"], name["max"]) == (1, 10)  # create_cluster's assert: 1-10 characters
    with open(os.path.join(ROOT, jt["playbook"])) as handle:
        text = handle.read()
    for variable in survey:
        assert variable.startswith("caas_")
    with open(os.path.join(ROOT, "playbooks", "vars", "plans.yml")) as handle:
        plans = sorted(yaml.safe_load(handle)["caas_plans"])
    if "caas_plan" in survey:
        assert sorted(survey["caas_plan"]["choices"]) == plans and survey["caas_plan"]["default"] in plans
    if "caas_k8s_version" in survey:
        cached = os.listdir(os.path.join(os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas"), "k8s")) \
            if os.path.isdir(os.path.join(os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas"), "k8s")) else []
        for version in survey["caas_k8s_version"]["choices"]:
            assert re.match(r"^v1\.\d+\.\d+$", version)
            assert not cached or version in cached, (version, cached)
    if verb in ("create_cluster", "resize_cluster"):
        assert {"caas_cluster_name", "caas_plan", "caas_workers", "caas_k8s_version"} <= set(survey)
        assert survey["caas_workers"]["type"] == "integer" and survey["caas_workers"]["min"] >= 1
    assert "caas_cluster_name" in text


def test_workflow_is_create_then_smoke_test():
    wf = load("workflows", "create_and_smoke_test.yml")
    nodes = dict((n["identifier"], n) for n in wf["workflow_nodes"])
    assert nodes["create"]["unified_job_template"]["name"] == "caas create cluster"
    assert nodes["create"]["related"]["success_nodes"] == [{"identifier": "sync-inventory"}]
    assert nodes["sync-inventory"]["related"]["success_nodes"] == [{"identifier": "smoke-test"}]
    assert nodes["smoke-test"]["unified_job_template"]["name"] == wf["smoke_test_job_template"]["name"]
    assert os.path.exists(os.path.join(ROOT, wf["smoke_test_job_template"]["playbook"]))
    names = set(load("job_templates", os.path.basename(p))["name"] for p in JOB_TEMPLATES)
    assert {"caas create cluster", "caas delete cluster"} <= names
