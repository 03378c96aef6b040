# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Fixtures: one fresh vcsim per test session (default inventory) and one with two datacenters; a harness on the first."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vcsim import Vcsim, vcsim_binary  # noqa: E402  (test helper next to this file)
from harness import VsphereHarness  # noqa: E402


def _start(request, *flags):
    if vcsim_binary() is None:
        pytest.skip("vcsim is not installed: run scripts/install-vcsim.sh")
    sim = Vcsim(*flags)
    request.addfinalizer(sim.stop)
    return sim


@pytest.fixture(scope="session")
def vcsim(request):
    """vcsim's default inventory: DC0, cluster DC0_C0, LocalDS_0, 'VM Network' and DC0_DVPG0."""
    return _start(request)


@pytest.fixture(scope="session")
def vcsim_two_dc(request):
    """A larger inventory: two datacenters, two clusters each, more hosts, VMs and port groups."""
    return _start(request, "-dc", "2", "-cluster", "2", "-host", "2", "-vm", "4", "-pg", "2", "-ds", "2")


@pytest.fixture(scope="session")
def harness(vcsim):
    """The vsphere provider on the default vcsim with a stemcell cloned from DC0_H0_VM0 (folder ``caas``)."""
    h = VsphereHarness(vcsim)
    yield h
    h.close()
