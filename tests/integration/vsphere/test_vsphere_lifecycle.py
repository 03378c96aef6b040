# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The shared CPI lifecycle suite (tests/integration/cpi/lifecycle.py), unchanged, on vcsim.

Run twice: on vcsim's default inventory, and on a larger one with two datacenters (two clusters,
two datastores and distributed port groups each), targeting the second datacenter so that nothing
works by accident because it is the first or the only one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

pytest.importorskip("pyVmomi")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cpi"))

from lifecycle import run_lifecycle  # noqa: E402  (the shared suite, owned by the CPI contract)
from harness import VsphereHarness  # noqa: E402


@pytest.fixture
def lifecycle_harness(request):
    harnesses = []

    def make(sim, **kwargs):
        harness = VsphereHarness(sim, vsphere_folder="caas-lifecycle", **kwargs)
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:  # whatever the suite left behind when it failed, then the stemcell
        try:
            harness.cloud.delete_everything()
        finally:
            harness.close()


def test_lifecycle_default_inventory(vcsim, lifecycle_harness):
    run_lifecycle(lifecycle_harness(vcsim))


def test_lifecycle_two_datacenters(vcsim_two_dc, lifecycle_harness):
    run_lifecycle(lifecycle_harness(vcsim_two_dc, datacenter="DC1", cluster="DC1_C1", datastore="LocalDS_1",
                                    network="DC1_DVPG1", source_vm="DC1/vm/DC1_C1_RP0_VM0"))
