# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The Harbor client over real HTTPS against the test double: auth, TLS verification, paging, errors, contract."""

import socket

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.harbor import client as client_mod
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import HarborClient
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborApiError, HarborAuthError
from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError, HarborNotFound


def test_health_and_base_path_normalised(harbor):
    c = HarborClient(harbor.url + "/api/v2.0/", ca_path=harbor.ca_path)
    assert c.get("/health")["status"] == "healthy"


def test_wrong_password_is_an_auth_error(harbor):
    c = HarborClient(harbor.url, "admin", "wrong", ca_path=harbor.ca_path)
    with pytest.raises(HarborAuthError) as err:
        c.get("/projects")
    assert err.value.status == 401 and "UNAUTHORIZED" in err.value.message


def test_unknown_ca_fails_verification(harbor):
    c = HarborClient(harbor.url, harbor.username, harbor.password, validate_certs=True)
    with pytest.raises(HarborError) as err:
        c.get("/projects")
    assert "CERTIFICATE_VERIFY_FAILED" in err.value.message or "certificate" in err.value.message.lower()


def test_unreachable_is_one_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(HarborError) as err:
        HarborClient("https://127.0.0.1:%d" % port, timeout=3).get("/health")
    assert "cannot reach Harbor" in err.value.message


def test_not_found(client):
    with pytest.raises(HarborNotFound):
        client.get("/robots/999")


def test_list_follows_pages(client, harbor, monkeypatch):
    monkeypatch.setattr(client_mod, "PAGE_SIZE", 3)
    for i in range(7):
        client.post("/robots", {"name": "r%d" % i, "level": "system", "duration": -1, "permissions": [
            {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]}]})
    names = [r["name"] for r in client.list("/robots")]
    assert names == ["robot$r%d" % i for i in range(7)]
    pages = [r["query"]["page"] for r in harbor.requests if r["method"] == "GET" and r["path"] == "/robots"]
    assert pages == ["1", "2", "3"]


def test_contract_refuses_an_undocumented_field(client, harbor, contract):
    with pytest.raises(HarborApiError) as err:
        client.post("/projects", {"project_name": "x", "colour": "blue"})
    assert err.value.status == 400 and "colour" in err.value.message
    assert harbor.violations  # recorded, and cleared so the fixture's own check passes
    harbor.violations[:] = []


def test_every_request_was_checked_against_the_swagger(client, harbor, contract):
    client.post("/projects", {"project_name": "demo"})
    client.get("/projects/demo", headers={"X-Is-Resource-Name": "true"})
    assert harbor.checked == 2 and all(r["template"] for r in harbor.requests)
