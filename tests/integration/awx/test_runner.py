# -*- coding: utf-8 -*-
"""The cluster playbooks through ansible-runner from a private data directory, laid out as AWX lays out a job.

AWX runs a job template as: a project directory (the playbooks, collections next to them), an inventory (here the
inventory source is our own plugin file, ``plugin: ondemand.caas.cpi``), credentials injected as environment
variables (env/envvars, as our credential types do) and extra vars (env/extravars, what a survey produces). Real LXC
VMs on segment 10.241.10.0/24 in a private provider state dir.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

import ansible_runner

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV_BIN = os.path.dirname(sys.executable)
CLUSTER = "awx1"
CIDR = "10.241.10.0/24"
FAKE_PASSWORDS = {"VMWARE_PASSWORD": "Fake-vCenter-pw-7731!", "NSXT_PASSWORD": "Fake-NSX-pw-9924#"}

pytestmark = [pytest.mark.lxc, pytest.mark.slow]


@pytest.fixture(scope="module")
def job_dir():
    """A private data directory as AWX writes one for a job; its LXC state dir inside. Everything removed after."""
    if os.geteuid() != 0 or not shutil.which("lxc-start"):
        pytest.fail("the AWX runner test needs root and LXC (run scripts/install.sh)")
    pdd = tempfile.mkdtemp(prefix="caas-awx-pdd-")
    state_dir = os.path.join(pdd, "lxc-state")
    # project: the collection's playbooks, and the collection itself in collections/ next to them (as a project
    # that vendors its collections, or AWX's project-sync install of collections/requirements.yml)
    shutil.copytree(os.path.join(ROOT, "playbooks"), os.path.join(pdd, "project"))
    shutil.copy(os.path.join(ROOT, "docs", "awx", "playbooks", "smoke_test.yml"), os.path.join(pdd, "project"))
    os.makedirs(os.path.join(pdd, "project", "collections", "ansible_collections", "ondemand"))
    os.symlink(ROOT, os.path.join(pdd, "project", "collections", "ansible_collections", "ondemand", "caas"))
    # inventory: the inventory source is our plugin
    os.makedirs(os.path.join(pdd, "inventory"))
    with open(os.path.join(pdd, "inventory", "cpi.yml"), "w") as handle:
        yaml.safe_dump({"plugin": "ondemand.caas.cpi", "clusters": [CLUSTER]}, handle)
    os.makedirs(os.path.join(pdd, "env"))
    envvars = {
        # what the vCenter / NSX-T credential types inject (fake: provider lxc never calls them, but every cpi_*
        # module reads VMWARE_PASSWORD into its parameters through its env fallback)
        "VMWARE_HOST": "vcenter.example.invalid", "VMWARE_USER": "caas@vsphere.local",
        "NSXT_HOST": "nsx.example.invalid", "NSXT_USERNAME": "admin",
        "CAAS_PROVIDER": "lxc", "CAAS_LXC_STATE_DIR": state_dir,
        "CAAS_CACHE_DIR": os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas"),
        "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null",
    }
    envvars.update(FAKE_PASSWORDS)
    with open(os.path.join(pdd, "env", "envvars"), "w") as handle:
        yaml.safe_dump(envvars, handle)
    with open(os.path.join(pdd, "env", "settings"), "w") as handle:
        yaml.safe_dump({"suppress_ansible_output": True, "job_timeout": 900}, handle)
    yield {"pdd": pdd, "state_dir": state_dir}
    Cloud("lxc", {"lxc_state_dir": state_dir}).delete_everything()
    shutil.rmtree(pdd, ignore_errors=True)


def run_job(job_dir, playbook, extravars, ident):
    """One AWX job: the survey's answers as extra vars, env/envvars as the credentials' injectors."""
    extravars = dict({"caas_cluster_name": CLUSTER, "caas_nodes_cidr": CIDR}, **extravars)
    runner = ansible_runner.run(private_data_dir=job_dir["pdd"], playbook=playbook, extravars=extravars, ident=ident,
                                quiet=True)
    events = list(runner.events)
    return runner, events


def task_results(events, task):
    return [e for e in events if e["event"] in ("runner_on_ok", "runner_on_failed", "runner_item_on_ok")
            and e.get("event_data", {}).get("task") == task]


def stats(events):
    return [e for e in events if e["event"] == "playbook_on_stats"][-1]["event_data"]


def assert_successful(runner, events, job_dir):
    assert runner.status == "successful" and runner.rc == 0, runner.stdout.read()[-4000:]
    kinds = [e["event"] for e in events if e["event"] != "verbose"]   # verbose: warnings, e.g. "no hosts yet"
    assert kinds[0] == "playbook_on_start" and kinds[-1] == "playbook_on_stats"
    assert "playbook_on_play_start" in kinds and "runner_on_ok" in kinds
    assert not stats(events)["failures"] and not stats(events)["dark"]


def assert_no_secret_anywhere(job_dir, ident, events):
    """No job event (what AWX stores and shows) and no output artifact carries a credential's password.

    ansible-runner's own ``artifacts/<ident>/command`` records the job's whole environment, injected secrets
    included (as AWX's private data dir does, it lives only in the job's 0700 directory); it is not job output and
    is checked for its mode instead.
    """
    dumped = json.dumps(events)
    for name, secret in FAKE_PASSWORDS.items():
        assert secret not in dumped, "%s leaked into a job event" % name
    artifacts = os.path.join(job_dir["pdd"], "artifacts", ident)
    assert os.stat(job_dir["pdd"]).st_mode & 0o077 == 0
    for path in glob.glob(os.path.join(artifacts, "**", "*"), recursive=True):
        if os.path.isfile(path) and os.path.basename(path) != "command":
            with open(path, "rb") as handle:
                data = handle.read()
            for secret in FAKE_PASSWORDS.values():
                assert secret.encode() not in data, "secret in %s" % path


def inventory(job_dir):
    env = dict(os.environ, CAAS_LXC_STATE_DIR=job_dir["state_dir"], ANSIBLE_VERBOSITY="0",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(job_dir["pdd"], "project", "collections"))
    out = subprocess.run([os.path.join(VENV_BIN, "ansible-inventory"), "-i", os.path.join(job_dir["pdd"], "inventory"),
                          "--list"], stdout=subprocess.PIPE, universal_newlines=True, env=env, check=True).stdout
    return json.loads(out, object_hook=lambda o: o["__ansible_unsafe"] if list(o) == ["__ansible_unsafe"] else o)


def test_create_cluster_job(job_dir):
    runner, events = run_job(job_dir, "create_cluster.yml", {"caas_plan": "small", "caas_workers": 1}, "create")
    assert_successful(runner, events, job_dir)
    assert_no_secret_anywhere(job_dir, "create", events)
    # the cpi_* modules did read the password (env fallback) and Ansible masked it as a no_log parameter
    invocations = [e["event_data"]["res"].get("invocation", {}).get("module_args", {})
                   for e in task_results(events, "Read the cluster back from the IaaS")]
    assert invocations and invocations[0]["vsphere_password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    vms = task_results(events, "Read the cluster back from the IaaS")[0]["event_data"]["res"]["vms"]
    assert sorted(vm["name"] for vm in vms) == ["awx1-master-0", "awx1-worker-0"]
    assert stats(events)["changed"].get("localhost", 0) > 0
    inv = inventory(job_dir)
    assert inv["awx1_masters"]["hosts"] == ["awx1-master-0"] and inv["awx1_workers"]["hosts"] == ["awx1-worker-0"]


def test_create_cluster_job_hands_its_summary_to_the_workflow(job_dir):
    """set_stats data is what AWX passes to the next workflow node (artifact_data of the playbook_on_stats event).

    Until playbooks/create_cluster.yml has the task, the job runs a copy with the task exactly as docs/awx/README.md
    gives it appended to post_tasks.
    """
    playbook = "create_cluster.yml"
    with open(os.path.join(ROOT, "playbooks", playbook)) as handle:
        text = handle.read()
    if "ansible.builtin.set_stats" not in text:
        with open(os.path.join(ROOT, "docs", "awx", "README.md")) as handle:
            snippet = handle.read().split("```yaml\n", 1)[1].split("```", 1)[0]
        plays = yaml.safe_load(text)
        plays[0]["post_tasks"] += yaml.safe_load(snippet)
        playbook = "create_cluster_with_stats.yml"
        with open(os.path.join(job_dir["pdd"], "project", playbook), "w") as handle:
            yaml.safe_dump(plays, handle, sort_keys=False)
    runner, events = run_job(job_dir, playbook, {"caas_plan": "small", "caas_workers": 1}, "create-again")
    assert_successful(runner, events, job_dir)
    assert stats(events)["changed"].get("localhost", 0) == 0
    artifacts = stats(events)["artifact_data"]
    assert artifacts["caas_cluster_name"] == CLUSTER
    assert [n["caas_name"] for n in artifacts["caas_cluster"]["masters"]] == ["awx1-master-0"]
    assert [n["caas_ip"] for n in artifacts["caas_cluster"]["workers"]] == ["10.241.10.20"]
    assert artifacts["caas_kubeconfig"] == ""


def test_smoke_test_job_through_the_inventory_plugin(job_dir):
    """The workflow's second node: hosts come from the cpi inventory source, reached over SSH."""
    runner, events = run_job(job_dir, "smoke_test.yml", {}, "smoke")
    assert_successful(runner, events, job_dir)
    pinged = sorted(e["event_data"]["host"] for e in task_results(events, "Every node answers over SSH"))
    assert pinged == ["awx1-master-0", "awx1-worker-0"]


def test_resize_cluster_job(job_dir):
    if not os.path.exists(os.path.join(ROOT, "playbooks", "resize_cluster.yml")):
        pytest.skip("playbooks/resize_cluster.yml does not exist yet")
    runner, events = run_job(job_dir, "resize_cluster.yml", {"caas_plan": "small", "caas_workers": 2}, "resize")
    assert_successful(runner, events, job_dir)
    assert_no_secret_anywhere(job_dir, "resize", events)
    assert inventory(job_dir)["awx1_workers"]["hosts"] == ["awx1-worker-0", "awx1-worker-1"]


def test_heal_cluster_job(job_dir):
    if not os.path.exists(os.path.join(ROOT, "playbooks", "heal_cluster.yml")):
        pytest.skip("playbooks/heal_cluster.yml does not exist yet")
    cloud = Cloud("lxc", {"lxc_state_dir": job_dir["state_dir"]})
    lost = [vm for vm in cloud.list_vms() if vm["metadata"].get("caas_name") == "awx1-worker-0"][0]
    # the VM dies (killed, as a host failure would); heal recreates it with the same IP and disk
    subprocess.run(["lxc-stop", "-k", "-P", os.path.join(job_dir["state_dir"], "vms"), "-n", lost["cid"]], check=True)
    assert inventory(job_dir)["_meta"]["hostvars"]["awx1-worker-0"]["caas_vm_state"] == "stopped"
    runner, events = run_job(job_dir, "heal_cluster.yml", {}, "heal")
    assert_successful(runner, events, job_dir)
    assert_no_secret_anywhere(job_dir, "heal", events)
    assert inventory(job_dir)["_meta"]["hostvars"]["awx1-worker-0"]["caas_vm_state"] == "running"


def test_delete_cluster_job(job_dir):
    runner, events = run_job(job_dir, "delete_cluster.yml", {}, "delete")
    assert_successful(runner, events, job_dir)
    assert_no_secret_anywhere(job_dir, "delete", events)
    assert Cloud("lxc", {"lxc_state_dir": job_dir["state_dir"]}).list_vms() == []
    assert "cluster_awx1" not in inventory(job_dir)
