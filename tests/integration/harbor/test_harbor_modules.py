# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""harbor_project and harbor_robot as Ansible runs them (ansible-playbook, real HTTPS) against the Harbor API
TEST DOUBLE (tests/doubles/harbor_api.py), which checks every request against Harbor's swagger.yaml when present:
idempotence, check mode, diff, connection settings from HARBOR_* variables, secrets kept out of the output."""

import re

import pytest

from conftest import Runner, failed_tasks


@pytest.fixture
def run(harbor, tmp_path):
    runner = Runner(str(tmp_path / "run"))
    runner.extra = {}
    runner.env.update(HARBOR_URL=harbor.url, HARBOR_USERNAME=harbor.username, HARBOR_PASSWORD=harbor.password,
                      HARBOR_CA_PATH=harbor.ca_path)

    def _run(tasks, check=False, verbose=False):
        play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
        if check:
            play[0]["check_mode"] = True
        if verbose:
            play[0]["diff"] = True
        return runner.playbook(play, verbose=verbose)
    return _run


def results(data):
    return [list(t["hosts"].values())[0] for p in data["plays"] for t in p["tasks"]]


PROJECT = {"name": "Project", "ondemand.caas.harbor_project": {"name": "demo", "public": False,
                                                               "metadata": {"auto_scan": True}}}
ROBOT = {"name": "Robot", "ondemand.caas.harbor_robot": {"project": "demo", "name": "nodes"}}


def test_check_mode_then_apply_then_idempotent(run, harbor):
    rc, data = run([PROJECT, ROBOT], check=True)
    assert rc == 0, failed_tasks(data)
    project, robot = results(data)
    assert project["changed"] and robot["changed"] and "secret" not in robot
    assert harbor.writes() == [] and harbor.project_by("demo", True) is None

    rc, data = run([PROJECT, ROBOT])
    assert rc == 0, failed_tasks(data)
    project, robot = results(data)
    assert project["changed"] and project["project"]["metadata"] == {"public": "false", "auto_scan": "true"}
    stored = list(harbor.robots.values())[0]
    assert robot["changed"] and robot["secret"] == stored["secret"] and robot["name"] == "robot$demo+nodes"

    writes = len(harbor.writes())
    rc, data = run([PROJECT, ROBOT])
    assert rc == 0, failed_tasks(data)
    assert [r["changed"] for r in results(data)] == [False, False]
    assert "secret" not in results(data)[1]
    assert len(harbor.writes()) == writes


def test_diff_and_secrets_stay_out_of_the_output(run, harbor):
    rc, out = run([PROJECT, dict(ROBOT, no_log=True, register="robot"),
                   {"name": "Keep", "ansible.builtin.copy": {"content": "{{ robot.secret }}", "dest": "/dev/null"},
                    "no_log": True, "check_mode": True}], verbose=True)
    assert rc == 0, out[-3000:]
    secret = list(harbor.robots.values())[0]["secret"]
    # returned only on creation, to be registered with no_log (as the harbor role does): never displayed
    assert secret not in out
    assert harbor.password not in out  # the admin password (HARBOR_PASSWORD) is masked
    rc, out = run([dict(PROJECT, **{"ondemand.caas.harbor_project": {"name": "demo", "public": True}}), ROBOT],
                  verbose=True)
    assert rc == 0, out[-3000:]
    assert re.search(r"^-\s+\"?public\"?: ['\"]false", out, re.M), out[-3000:]
    assert re.search(r"^\+\s+\"?public\"?: ['\"]true", out, re.M)
    assert secret not in out and harbor.password not in out


def test_given_secret_is_masked(run, harbor):
    rc, out = run([PROJECT, {"name": "Robot", "ondemand.caas.harbor_robot": {
        "project": "demo", "name": "ci", "secret": "Given-Secret-123", "actions": ["pull", "push"]}}], verbose=True)
    assert rc == 0, out[-3000:]
    assert "Given-Secret-123" not in out
    assert harbor.authenticate("robot$demo+ci", "Given-Secret-123")


def test_errors_are_clear(run, harbor):
    rc, data = run([{"name": "Robot", "ondemand.caas.harbor_robot": {"project": "nope", "name": "nodes"}}])
    assert rc != 0 and "project nope does not exist" in failed_tasks(data)[0][2]
    rc, data = run([{"name": "Bad", "ondemand.caas.harbor_project": {"name": "demo", "password": "wrong"}}])
    assert rc != 0 and "401" in failed_tasks(data)[0][2]
    rc, data = run([{"name": "Bad", "ondemand.caas.harbor_project": {"name": "Bad Name"}}])
    assert rc != 0 and "invalid Harbor project name" in failed_tasks(data)[0][2]
