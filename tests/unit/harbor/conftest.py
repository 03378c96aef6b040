# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""A client on the Harbor API test double (fixture harbor: tests/doubles/fixtures.py) and its swagger contract."""

import pytest


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
