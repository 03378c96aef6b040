# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Let testinfra read an inventory that a dynamic inventory plugin made, on ansible-core 2.19.

ansible-core 2.19's ``ansible-inventory --list`` writes every value an inventory plugin set (they are not trusted
as templates) as ``{"__ansible_unsafe": value}``; testinfra 10 expects plain values (``ansible_host`` must be a
string). Each scenario's tests/conftest.py imports this module, which unwraps those values once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from testinfra.utils import ansible_runner

_original = ansible_runner.get_ansible_inventory


def _plain(obj):
    return obj["__ansible_unsafe"] if list(obj) == ["__ansible_unsafe"] else obj


def get_ansible_inventory(config, inventory_file):
    return json.loads(json.dumps(_original(config, inventory_file)), object_hook=_plain)


if not getattr(_original, "caas_unwraps_unsafe", False):
    get_ansible_inventory.caas_unwraps_unsafe = True
    ansible_runner.get_ansible_inventory = get_ansible_inventory
