# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""harbor_project's logic against the Harbor API test double."""

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborApiError, HarborInvalidInput
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.project import run_project


def params(**kw):
    p = {"name": "demo", "public": None, "metadata": None, "state": "present"}
    p.update(kw)
    return p


def test_create_then_idempotent(client, harbor):
    first = run_project(client, params(), False)
    assert first["changed"] and first["project"]["name"] == "demo"
    assert first["project"]["metadata"]["public"] == "false"
    assert first["diff"]["before"] == {}
    writes = len(harbor.writes())
    second = run_project(client, params(), False)
    assert not second["changed"] and len(harbor.writes()) == writes


def test_check_mode_sends_no_write(client, harbor):
    result = run_project(client, params(public=True), True)
    assert result["changed"] and result["diff"]["after"]["metadata"]["public"] == "true"
    assert harbor.writes() == [] and harbor.project_by("demo", True) is None


def test_update_only_the_metadata_given(client, harbor):
    run_project(client, params(metadata={"auto_scan": True}), False)
    result = run_project(client, params(public=True), False)
    assert result["changed"]
    assert result["diff"]["before"]["metadata"] == {"public": "false", "auto_scan": "true"}
    assert result["diff"]["after"]["metadata"] == {"public": "true", "auto_scan": "true"}
    put = [r for r in harbor.requests if r["method"] == "PUT"][-1]
    assert put["body"] == {"metadata": {"public": "true"}}
    assert not run_project(client, params(public=True), False)["changed"]


def test_numeric_name_is_read_by_name(client, harbor):
    run_project(client, params(name="1234"), False)
    assert not run_project(client, params(name="1234"), False)["changed"]


def test_absent(client, harbor):
    run_project(client, params(), False)
    assert run_project(client, params(state="absent"), True)["changed"]
    assert harbor.project_by("demo", True) is not None
    assert run_project(client, params(state="absent"), False)["changed"]
    assert harbor.project_by("demo", True) is None
    assert not run_project(client, params(state="absent"), False)["changed"]


def test_absent_refused_while_it_holds_repositories(client, harbor):
    run_project(client, params(), False)
    harbor.repo_count["demo"] = 2
    with pytest.raises(HarborApiError) as err:
        run_project(client, params(state="absent"), False)
    assert err.value.status == 412 and "repositories" in err.value.message


@pytest.mark.parametrize("name", ["Demo", "-demo", "de..mo", "", "a" * 256, "de mo"])
def test_bad_name_sends_nothing(client, harbor, name):
    with pytest.raises(HarborInvalidInput):
        run_project(client, params(name=name), False)
    assert harbor.requests == []
