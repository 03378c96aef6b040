# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Fixtures: the NSX-T Policy API test double (tests/doubles/nsxt_policy_api.py) and a client on it."""

import importlib.util
import os

import pytest

_DOUBLE = os.path.join(os.path.dirname(__file__), "..", "..", "doubles", "nsxt_policy_api.py")


def load_double_module():
    spec = importlib.util.spec_from_file_location("nsxt_policy_api_double", _DOUBLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def double_module():
    return load_double_module()


@pytest.fixture
def nsx():
    double = load_double_module().PolicyApiDouble(realization_delay=0.2, delete_delay=0.1).start()
    try:
        yield double
    finally:
        double.stop()


@pytest.fixture
def client(nsx):
    from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.client import PolicyClient
    return PolicyClient(nsx.host, nsx.username, nsx.password, validate_certs=True, ca_path=nsx.ca_path,
                        retry_delay=0.01)
