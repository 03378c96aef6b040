# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Fixtures for the PKI unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from pkitools import seed


@pytest.fixture
def seeded(tmp_path):
    """A seeded PKI directory of a 1-master, 2-worker cluster with a registry: ``<tmp>/demo``."""
    seed(tmp_path)
    return tmp_path
