# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Fixtures for the PKI integration tests: a seeded directory and openssl."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shutil

import pytest

from pkirun import seed


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A 2-master, 2-worker cluster with a registry, seeded once per module: (pki_dir, cluster_dir)."""
    base = tmp_path_factory.mktemp("pki")
    seed(base, masters=2, workers=2)
    return base, base / "demo"


@pytest.fixture(scope="module")
def pki_rsa(tmp_path_factory):
    """The same cluster seeded with rsa-2048 keys: (pki_dir, cluster_dir)."""
    base = tmp_path_factory.mktemp("pki-rsa")
    seed(base, masters=2, workers=2, key_type="rsa-2048")
    return base, base / "demo"


@pytest.fixture(scope="session")
def openssl():
    path = shutil.which("openssl")
    if not path:
        pytest.skip("openssl not installed")
    return path
