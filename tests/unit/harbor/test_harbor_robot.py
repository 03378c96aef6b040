# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""harbor_robot's logic against the Harbor API test double."""

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import HarborClient
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError, HarborInvalidInput
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.project import run_project
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.robot import run_robot


def params(**kw):
    p = {"name": "nodes", "project": "demo", "level": "project", "description": None, "actions": ["pull"],
         "permissions": None, "duration": -1, "disable": False, "secret": None, "regenerate_secret": False,
         "name_prefix": "robot$", "state": "present"}
    p.update(kw)
    return p


@pytest.fixture
def project(client):
    run_project(client, {"name": "demo", "public": None, "metadata": None, "state": "present"}, False)


def test_create_returns_the_secret_once(client, harbor, project):
    first = run_robot(client, params(), False)
    assert first["changed"] and first["name"] == "robot$demo+nodes"
    assert first["secret"] and first["secret"] == harbor.robots[first["robot"]["id"]]["secret"]
    assert first["robot"]["permissions"] == [{"kind": "project", "namespace": "demo", "access": [
        {"resource": "repository", "action": "pull", "effect": "allow"}]}]
    second = run_robot(client, params(), False)
    assert not second["changed"] and "secret" not in second
    # the robot can authenticate with the secret it was given
    robot_client = HarborClient(harbor.url, first["name"], first["secret"], ca_path=harbor.ca_path)
    assert robot_client.get("/health")["status"] == "healthy"
    assert harbor.authenticate(first["name"], first["secret"]) == first["name"]


def test_check_mode_creates_nothing_and_shows_no_secret(client, harbor, project):
    before = len(harbor.writes())
    result = run_robot(client, params(), True)
    assert result["changed"] and "secret" not in result and len(harbor.writes()) == before
    assert result["diff"]["after"]["name"] == "robot$demo+nodes"


def test_permission_drift_is_updated(client, harbor, project):
    run_robot(client, params(), False)
    result = run_robot(client, params(actions=["pull", "push"], description="ci"), False)
    assert result["changed"] and "secret" not in result
    assert [a["action"] for a in result["diff"]["after"]["permissions"][0]["access"]] == ["pull", "push"]
    assert result["diff"]["before"]["description"] == "" and result["diff"]["after"]["description"] == "ci"
    stored = list(harbor.robots.values())[0]
    assert sorted(a["action"] for a in stored["permissions"][0]["access"]) == ["pull", "push"]
    assert not run_robot(client, params(actions=["push", "pull"], description="ci"), False)["changed"]


def test_regenerate_secret(client, harbor, project):
    first = run_robot(client, params(), False)
    again = run_robot(client, params(regenerate_secret=True), False)
    assert again["changed"] and again["secret"] and again["secret"] != first["secret"]
    assert harbor.authenticate(first["name"], first["secret"]) is None


def test_given_secret_is_used(client, harbor, project):
    result = run_robot(client, params(secret="S3cret-for-nodes"), False)
    assert harbor.authenticate(result["name"], "S3cret-for-nodes")


def test_absent(client, harbor, project):
    run_robot(client, params(), False)
    assert run_robot(client, params(state="absent"), True)["changed"] and harbor.robots
    assert run_robot(client, params(state="absent"), False)["changed"] and not harbor.robots
    assert not run_robot(client, params(state="absent"), False)["changed"]


def test_missing_project_is_a_clear_error(client, harbor):
    with pytest.raises(HarborError) as err:
        run_robot(client, params(project="nope"), False)
    assert "project nope does not exist" in err.value.message
    assert harbor.writes() == []


def test_system_robot(client, harbor):
    perms = [{"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list",
                                                             "effect": "allow"}]}]
    result = run_robot(client, params(level="system", project=None, name="ci", permissions=perms), False)
    assert result["name"] == "robot$ci" and result["secret"]
    assert not run_robot(client, params(level="system", project=None, name="ci", permissions=perms), False)["changed"]


@pytest.mark.parametrize("kw", [{"name": "Bad"}, {"project": None}, {"duration": 0}, {"project": "UPPER"},
                                {"level": "system", "project": None}])
def test_bad_input_sends_nothing(client, harbor, kw):
    with pytest.raises(HarborInvalidInput):
        run_robot(client, params(**kw), False)
    assert harbor.requests == []
