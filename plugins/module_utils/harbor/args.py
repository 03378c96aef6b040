# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Argument-spec pieces shared by every harbor_* module (mirrored by doc_fragments/harbor.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback


def connection_spec():
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["HARBOR_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["HARBOR_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["HARBOR_PASSWORD"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["HARBOR_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["HARBOR_CA_PATH"])),
        request_timeout=dict(type="int", default=30, fallback=(env_fallback, ["HARBOR_REQUEST_TIMEOUT"])),
    )
