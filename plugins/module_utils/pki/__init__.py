# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Cluster PKI: which certificates a cluster needs (spec), how they are made (crypto),
where they live (store), and the idempotent seeding and inspection built on them (seed, info)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
