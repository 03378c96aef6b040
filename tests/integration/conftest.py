# -*- coding: utf-8 -*-
"""Parallel runs (pytest -n 3 --dist loadgroup): what must share one worker, and which groups start first.

Areas whose session fixtures serve several files (one LXC segment, one registry) run in one worker; every other test
file gets its own group, since each keeps its own state directory, PKI directory and nodes CIDR.

The groups are handed out longest first (a worker takes the next group when it is almost done), so the long files
do not start last and leave the other workers idle at the end. xdist's own order (most tests first) is turned off.
"""

import os

import pytest

AREAS_SHARING_SESSION_FIXTURES = {"cpi", "harbor"}

# Rough wall seconds of the longest groups with 3 workers on a shared 2-core machine (sessions 2-4); only the order
# matters. Groups not named here follow in collection order.
LONGEST_GROUPS = {
    "lifecycle_k8s/test_lifecycle_k8s.py": 1200,
    "manual/test_manual_install.py": 1000,
    "upgrade_k8s/test_upgrade_kubernetes.py": 900,
    "kubernetes/test_kubernetes_nodes.py": 450,
    "kubernetes/test_worker_fast.py": 400,
    "awx/test_runner.py": 400,
    "playbooks/test_upgrade.py": 350,
    "pki/test_role.py": 350,
    "pki/test_playbooks.py": 320,
    "eda/test_resurrector.py": 300,
    "kubernetes/test_interrupted_create.py": 300,
    "kubernetes/test_worker_memory.py": 250,
    "playbooks/test_cli.py": 250,
    "harbor": 250,
}


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: keep the order pytest_collection_modifyitems sets
        config.option.loadscopereorder = False


def group_of(item, here):
    relative = os.path.relpath(str(item.fspath), here).replace(os.sep, "/")
    area = relative.split("/")[0]
    return area if area in AREAS_SHARING_SESSION_FIXTURES else relative


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into the items' group suffix
def pytest_collection_modifyitems(items):
    here = os.path.dirname(os.path.abspath(__file__))
    groups = {}
    for item in items:
        groups[item] = group_of(item, here)
        item.add_marker(pytest.mark.xdist_group(groups[item]))
    # Stable: the tests of a file keep their order; only whole groups move.
    items.sort(key=lambda item: -LONGEST_GROUPS.get(groups[item], 0))
