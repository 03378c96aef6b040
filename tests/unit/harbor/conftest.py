# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Fixtures: the Harbor API test double (tests/doubles/harbor_api.py) and a client on it."""

import importlib.util
import os

import pytest

_DOUBLE = os.path.join(os.path.dirname(__file__), "..", "..", "doubles", "harbor_api.py")


_LOADED = []


def load_double_module():
    if _LOADED:
        return _LOADED[0]
    spec = importlib.util.spec_from_file_location("harbor_api_double", _DOUBLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _LOADED.append(mod)
    return mod


@pytest.fixture
def harbor():
    double = load_double_module().HarborApiDouble().start()
    try:
        yield double
    finally:
        double.stop()
    # every request the collection sent must have respected the swagger (when it is present)
    assert double.violations == []


@pytest.fixture
def contract(harbor):
    if harbor.contract is None:
        pytest.skip("Harbor swagger.yaml not found (shared/specs/harbor/swagger.yaml or $CAAS_HARBOR_SWAGGER): "
                    "requests are not checked against the contract")
    return harbor.contract


@pytest.fixture
def client(harbor):
    from ansible_collections.ondemand.caas.plugins.module_utils.harbor.client import HarborClient
    return HarborClient(harbor.url, harbor.username, harbor.password, validate_certs=True, ca_path=harbor.ca_path)
