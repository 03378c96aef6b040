# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The NSX-T Policy API test double and its client come from tests/doubles/fixtures.py (nsx, nsx_client)."""

import pytest


@pytest.fixture
def client(nsx_client):
    return nsx_client
