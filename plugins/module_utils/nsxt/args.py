# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Argument-spec pieces shared by every nsxt_* module (mirrored by doc_fragments/nsxt.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback


def connection_spec():
    return dict(
        host=dict(type="str", required=True, fallback=(env_fallback, ["NSXT_HOST"])),
        username=dict(type="str", fallback=(env_fallback, ["NSXT_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["NSXT_PASSWORD"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["NSXT_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["NSXT_CA_PATH"])),
        auth_mode=dict(type="str", default="basic", choices=["basic", "session"],
                       fallback=(env_fallback, ["NSXT_AUTH_MODE"])),
        request_timeout=dict(type="int", default=30, fallback=(env_fallback, ["NSXT_REQUEST_TIMEOUT"])),
    )


def object_spec():
    """Options every managed Policy object has."""
    return dict(
        id=dict(type="str", required=True),
        display_name=dict(type="str"),
        description=dict(type="str"),
        tags=dict(type="list", elements="dict", options=dict(
            scope=dict(type="str", default=""), tag=dict(type="str", required=True))),
        cluster=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        delete_timeout=dict(type="int", default=60),
    )


def realization_spec(default_wait):
    return dict(
        wait_for_realization=dict(type="bool", default=default_wait),
        realization_timeout=dict(type="int", default=300),
    )
