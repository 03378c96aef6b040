# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Helpers shared by the PKI tests: a small cluster description and a one-call seeding."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ondemand.caas.plugins.module_utils.pki.seed import Seeder
from ansible_collections.ondemand.caas.plugins.module_utils.pki.spec import ClusterInput
from ansible_collections.ondemand.caas.plugins.module_utils.pki.store import Store


def cluster_args(masters=1, workers=2, **extra):
    args = dict(
        cluster="demo",
        masters=[{"name": "demo-m%d" % i, "ip": "10.10.0.%d" % (10 + i)} for i in range(masters)],
        workers=[{"name": "demo-w%d" % i, "ip": "10.10.1.%d" % (10 + i)} for i in range(workers)],
        registry={"name": "demo-r0", "ip": "10.10.2.10", "hostnames": ["registry.demo.example"]},
        api_names=["api.demo.example", "192.0.2.10"],
    )
    args.update(extra)
    return args


def seed(pki_dir, check_mode=False, rotate_leaves=(), ca_rotation="none", now=None, **kwargs):
    inp = ClusterInput(**cluster_args(**kwargs))
    return Seeder(inp, Store(str(pki_dir), "demo"), rotate_leaves, ca_rotation, now=now).run(check_mode=check_mode)
