# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""pytest fixtures for the API TEST DOUBLES (NSX-T Policy API, Harbor API), shared by unit and integration tests.

Loaded for every test through ``pytest_plugins`` in tests/conftest.py.
"""

import pytest

from doubles import harbor_api, nsxt_policy_api


@pytest.fixture
def nsxt_double_module():
    return nsxt_policy_api


@pytest.fixture
def nsx():
    double = nsxt_policy_api.PolicyApiDouble(realization_delay=0.2, delete_delay=0.1).start()
    try:
        yield double
    finally:
        double.stop()


@pytest.fixture
def nsx_client(nsx):
    from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import PolicyClient
    return PolicyClient(nsx.host, nsx.username, nsx.password, validate_certs=True, ca_path=nsx.ca_path,
                        retry_delay=0.01)


@pytest.fixture
def harbor():
    double = harbor_api.HarborApiDouble().start()
    try:
        yield double
    finally:
        double.stop()
    # every request the collection sent must have respected the swagger (when it is present)
    assert double.violations == []
