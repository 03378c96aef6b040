# -*- coding: utf-8 -*-
"""The caas CLI (ansible-runner underneath): create, list, heal, delete, with progress and the summary table."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
pytestmark = pytest.mark.lxc


def caas(state_dir, *args):
    env = dict(os.environ, CAAS_LXC_STATE_DIR=state_dir)
    return subprocess.run([sys.executable, os.path.join(ROOT, "bin", "caas")] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=900,
                          check=False)


def test_cli_create_list_heal_delete():
    state_dir = tempfile.mkdtemp(prefix="caas-cli-test-")
    try:
        out = caas(state_dir, "create-cluster", "cli", "--workers", "1", "--nodes-cidr", "10.238.0.0/24")
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        assert "  - Import the stemcell (built into the cache on first use)" in out.stdout   # progress
        assert re.search(r"cli-worker-0\s+worker\s+10\.238\.0\.20\s+running", out.stdout)
        listed = caas(state_dir, "list")
        assert listed.returncode == 0 and "cli-master-0" in listed.stdout and "  - " not in listed.stdout
        healed = caas(state_dir, "heal", "cli")
        assert healed.returncode == 0 and "cli-worker-0" in healed.stdout
        missing = caas(state_dir, "heal", "nosuch")
        assert missing.returncode != 0 and "cluster nosuch has no VMs" in missing.stderr
        assert caas(state_dir, "delete", "cli").returncode == 0
        assert "cli-master-0" not in caas(state_dir, "list").stdout
    finally:
        caas(state_dir, "delete", "cli")
        shutil.rmtree(state_dir, ignore_errors=True)
