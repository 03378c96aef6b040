# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Helpers of the PKI integration tests: the unit tests' cluster helpers and a real ansible-playbook run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "unit", "pki"))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

from pkitools import cluster_args, seed  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

VENV_BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r"^(\S+)\s+:\s+(ok=.*)$")


def ansible_playbook(playbook, inventory, extra_vars=None, diff=False, check=False):
    """Run the real ansible-playbook; return ({rc, stats: {host: recap counters}}, raw output)."""
    env = dict(os.environ)
    env.update({"ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".build", "pyroot"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_HOST_KEY_CHECKING": "0",
                "ANSIBLE_LOCAL_TEMP": os.path.join(os.path.dirname(inventory), ".at")})
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", inventory, playbook]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if diff:
        cmd.append("--diff")
    if check:
        cmd.append("--check")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=os.path.dirname(inventory), timeout=600)
    stats = {}
    for line in proc.stdout.split("PLAY RECAP")[-1].splitlines():
        match = RECAP.match(line.strip())
        if match:
            stats[match.group(1)] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2)))
    return {"rc": proc.returncode, "stats": stats}, proc.stdout + proc.stderr
