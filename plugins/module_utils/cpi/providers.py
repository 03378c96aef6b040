# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The provider registry: the one place that names every IaaS implementation.

Imports are static so AnsiballZ ships every provider with each module; a provider whose
SDK is missing fails only when it is used, with a message saying what to install.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import InvalidArgument
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc import LxcProvider
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.vsphere import VsphereProvider

PROVIDERS = dict((cls.name, cls) for cls in (LxcProvider, VsphereProvider))
DEFAULT_PROVIDER = "lxc"


def provider_class(name):
    try:
        return PROVIDERS[name]
    except KeyError:
        raise InvalidArgument("unknown provider %r; known providers: %s" % (name, ", ".join(sorted(PROVIDERS))))


def all_settings():
    """Every provider's settings, for building one argument spec."""
    for cls in PROVIDERS.values():
        yield from cls.settings_spec


def settings_from_environment(environ=None):
    """Provider settings for callers outside Ansible (the caas-cpi executable)."""
    environ = os.environ if environ is None else environ
    settings = {}
    for setting in all_settings():
        if setting.env and setting.env in environ:
            value = environ[setting.env]
            if setting.type == "bool":
                value = value.lower() in ("1", "true", "yes", "on")
            elif setting.type == "int":
                value = int(value)
            settings[setting.name] = value
    return settings
