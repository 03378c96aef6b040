# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""An ansible-playbook runner against the NSX-T Policy API test double (fixtures nsx, nsx_client: tests/doubles/fixtures.py)."""

import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class Playbook(object):
    """Run ansible-playbook (json callback) against the double; results are parsed, not grepped."""

    def __init__(self, nsx, tmp_path):
        self.nsx = nsx
        self.tmp_path = tmp_path

    def env(self):
        env = dict(os.environ)
        env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "pyroot"), ANSIBLE_STDOUT_CALLBACK="caas_results",
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(__file__), "..", "callback_plugins"),
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                   ANSIBLE_ROLES_PATH=os.path.join(ROOT, "roles"), ANSIBLE_NOCOLOR="1",
                   NSXT_HOST=self.nsx.host, NSXT_USERNAME=self.nsx.username, NSXT_PASSWORD=self.nsx.password,
                   NSXT_CA_PATH=self.nsx.ca_path)
        return env

    def run(self, text, *extra, **extra_vars):
        import json
        import subprocess
        import sys
        play = self.tmp_path / "play.yml"
        play.write_text(text)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(play)] + list(extra)
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        proc = subprocess.run(cmd, env=self.env(), capture_output=True, text=True, timeout=300)
        try:
            out = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError("no JSON from ansible-playbook:\n%s\n%s" % (proc.stdout, proc.stderr))
        # one row per task and host, with the result's status, from the shared caas_results document
        out["tasks"] = [{"name": task["task"]["name"], "host": host,
                         "result": dict(result, _status="failed" if result.get("failed") else
                                        "skipped" if result.get("skipped") else "ok")}
                        for play in out["plays"] for task in play["tasks"] for host, result in task["hosts"].items()]
        out["rc"] = proc.returncode
        out["stats_localhost"] = out["stats"].get("localhost", {})
        out["tasks_by_name"] = dict((t["name"], t["result"]) for t in out["tasks"] if t["host"] == "localhost")
        out["stdout"], out["stderr"] = proc.stdout, proc.stderr
        return out


@pytest.fixture
def playbook(nsx, tmp_path):
    return Playbook(nsx, tmp_path)
