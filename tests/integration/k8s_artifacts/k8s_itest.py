# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Helpers for the artefact integration tests (imported by the test modules): the real cache, ansible-playbook runs, the go command."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE_DIR = os.environ.get("CAAS_CACHE_DIR") or "/var/cache/ondemand-caas"
K8S_VERSIONS = ("v1.34.4", "v1.33.13")
ETCD_VERSION = "v3.5.35"
K8S = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl")
GO = shutil.which("go") or ("/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go") else None)
BIN = os.path.dirname(sys.executable)


def cached(component_dir, version):
    manifest = os.path.join(CACHE_DIR, component_dir, version, "manifest.json")
    if not os.path.isfile(manifest):
        return None
    with open(manifest) as handle:
        return json.load(handle)


def need_cache(component_dir, version):
    """The build is not run by tests (it takes ~20 min and needs the Go module proxy): scripts/build-k8s.sh makes
    the cache, CI keeps it. Without it the tests that need the real binaries are skipped, saying so."""
    manifest = cached(component_dir, version)
    if manifest is None or manifest.get("source") != "build":
        pytest.skip("no %s %s built in %s: run scripts/build-k8s.sh first" % (component_dir, version, CACHE_DIR))
    return manifest


def run_playbook(tmp_path, plays, extra_env=None, check=False, timeout=1800):
    """Run a playbook on localhost (connection local); return (rc, parsed json callback output, seconds)."""
    pyroot = os.path.join(ROOT, ".build", "pyroot")
    playbook = tmp_path / ("play-%d.yml" % int(time.time() * 1000))
    playbook.write_text(json.dumps(plays))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=pyroot, ANSIBLE_STDOUT_CALLBACK="caas_results",
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(os.path.dirname(__file__)), "callback_plugins"),
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", PATH=os.environ.get("PATH", "") + ":/usr/local/go/bin")
    env.update(extra_env or {})
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
    if check:
        cmd.append("--check")
    started = time.time()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                          check=False)
    seconds = time.time() - started
    try:
        data = json.loads(proc.stdout.decode())
    except ValueError:
        raise AssertionError("no json from ansible-playbook: %s %s" % (proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc.returncode, data, seconds


def task_results(data, name_part):
    """Results of the tasks whose name starts with name_part."""
    out = []
    for play in data["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"].split(" : ", 1)[-1].startswith(name_part):
                out += list(task["hosts"].values())
    return out


def role_play(**variables):
    include = {"ansible.builtin.include_role": {"name": "ondemand.caas.k8s_artifacts"}}
    show = {"ansible.builtin.debug": {"var": "k8s_artifacts_cached"}}
    return [dict(hosts="localhost", gather_facts=False, vars=variables,
                 tasks=[dict(name="k8s_artifacts", **include), dict(name="show fact", **show)])]


def stand_in_release(root, tag="v1.34.4"):
    """A dl.k8s.io-shaped release tree of test doubles (shell scripts printing ``Kubernetes <tag>``) with
    their published ``.sha256`` files; served to the role over file://."""
    import hashlib
    bindir = os.path.join(str(root), tag, "bin", "linux", "amd64")
    os.makedirs(bindir)
    for name in K8S:
        path = os.path.join(bindir, name)
        with open(path, "w") as handle:
            handle.write("#!/bin/sh\necho 'Kubernetes %s'\n" % tag)
        os.chmod(path, 0o755)
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        with open(path + ".sha256", "w") as handle:
            handle.write(digest + "\n")
    return bindir
