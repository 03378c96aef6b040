# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Shared by every scenario's testinfra tests (pytest loads it for each <scenario>/tests/)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "resources"))
# The collection itself, importable as ansible_collections.ondemand.caas (scripts/install.sh links it there).
sys.path.insert(0, os.path.join(HERE, "..", "..", ".build", "pyroot"))

import testinfra_inventory  # noqa: E402,F401  pylint: disable=unused-import,wrong-import-position
