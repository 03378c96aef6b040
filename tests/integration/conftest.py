# -*- coding: utf-8 -*-
"""Parallel runs (pytest -n 3 --dist loadgroup): what must share one worker.

Areas whose session fixtures serve several files (one LXC segment, one registry) run in one worker; every other test
file gets its own group, since each keeps its own state directory, PKI directory and nodes CIDR.
"""

import os

import pytest

AREAS_SHARING_SESSION_FIXTURES = {"cpi", "harbor"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into the items' group suffix
def pytest_collection_modifyitems(items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        relative = os.path.relpath(str(item.fspath), here)
        area = relative.split(os.sep)[0]
        group = area if area in AREAS_SHARING_SESSION_FIXTURES else relative
        item.add_marker(pytest.mark.xdist_group(group))
