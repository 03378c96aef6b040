# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Helpers the benchmarks share: where things are, running a playbook (timed, each output line time-stamped for
timelines), the environment of a private LXC state dir and PKI dir, a kubectl against a cluster, a median row."""

import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "pyroot"))
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
KUBECTL = os.path.join(CACHE, "k8s", "v1.34.4", "bin", "kubectl")
BENCH_VENV = os.path.join(CACHE, "bench-venv")


class PlaybookFailed(RuntimeError):
    pass


def private_env(state_dir, pki_dir=None, **extra):
    """The environment of a playbook run against its own LXC state dir (and PKI dir)."""
    env = dict(os.environ, CAAS_LXC_STATE_DIR=state_dir, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_FORCE_COLOR="0", **extra)
    if pki_dir:
        env["CAAS_PKI_DIR"] = pki_dir
    return env


def playbook(env, name, *args, **kwargs):
    """Run playbooks/<name>; return (seconds, output). kwargs: marks=list to append (epoch, line) for each PLAY and
    TASK header and the recap as they appear; quiet=True to print nothing; timeout (s). Raises PlaybookFailed."""
    marks = kwargs.get("marks")
    start = time.perf_counter()
    proc = subprocess.Popen([PLAYBOOK_BIN, os.path.join(ROOT, "playbooks", name)] + list(args), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if marks is not None and line.startswith(("PLAY [", "TASK [", "PLAY RECAP")):
            marks.append((time.time(), line.strip().rstrip("*").strip()))
    rc = proc.wait(timeout=kwargs.get("timeout"))
    took = time.perf_counter() - start
    out = "".join(lines)
    if rc != 0:
        raise PlaybookFailed("%s failed (rc %d):\n%s" % (name, rc, out[-4000:]))
    if not kwargs.get("quiet"):
        print("  %-28s %6.1fs" % (name, took), flush=True)
    return took, out


def kubectl(conf, server, *args):
    """kubectl against server with the kubeconfig conf; (returncode, stdout)."""
    proc = subprocess.run([KUBECTL, "--kubeconfig", conf, "--server", server, "--request-timeout=5s"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, check=False)
    return proc.returncode, proc.stdout


def row(measure, values, goal=None):
    return {"measure": measure, "median_s": statistics.median(values), "min_s": min(values), "max_s": max(values),
            "n": len(values), "goal_s": goal}
