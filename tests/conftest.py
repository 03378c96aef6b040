# -*- coding: utf-8 -*-
"""Shared pytest set-up: make the collection importable as ansible_collections.ondemand.caas."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYROOT = os.path.join(ROOT, ".build", "pyroot")


def _collection_on_path():
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ["ansible_collections", "ondemand"] and parts[-1] == "caas":
        return os.sep.join(parts[:-3])
    link = os.path.join(PYROOT, "ansible_collections", "ondemand", "caas")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return PYROOT


sys.path.insert(0, _collection_on_path())
# tests/doubles is importable as the package `doubles` (its fixtures serve unit and integration tests)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

pytest_plugins = ["doubles.fixtures"]
