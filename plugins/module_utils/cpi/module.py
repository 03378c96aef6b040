# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""What every cpi_* module shares: the provider options and the one place errors become fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CpiError
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.providers import DEFAULT_PROVIDER, PROVIDERS, all_settings


def provider_argument_spec():
    spec = {"provider": dict(type="str", choices=sorted(PROVIDERS), default=DEFAULT_PROVIDER,
                             fallback=(env_fallback, ["CAAS_PROVIDER"]))}
    for setting in all_settings():
        option = dict(type=setting.type)
        if setting.env:
            option["fallback"] = (env_fallback, [setting.env])
        if setting.default is not None:
            option["default"] = setting.default
        if setting.secret:
            option["no_log"] = True
        if setting.choices:
            option["choices"] = list(setting.choices)
        spec[setting.name] = option
    return spec


def cpi_module(argument_spec, **kwargs):
    spec = provider_argument_spec()
    spec.update(argument_spec)
    return AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)


def run_module(module, converge):
    """Call ``converge(cloud, params, check_mode)`` once and turn a CPI error into ``fail_json``."""
    cloud = None
    try:
        cloud = Cloud(module.params["provider"], module.params, log=module.debug)
        result = converge(cloud, module.params, module.check_mode)
    except CpiError as exc:
        module.fail_json(msg=exc.message, error_type=exc.bosh_type, ok_to_retry=bool(exc.ok_to_retry),
                         cpi_log=cloud.log_lines[-20:] if cloud else [])
    finally:
        if cloud:
            cloud.close()
    module.exit_json(**result)
