# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Errors of the Harbor client. One root, ``HarborError``, caught once in each module's main()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HarborError(Exception):
    """Root of every error raised by plugins/module_utils/harbor."""

    def __init__(self, message, **details):
        super(HarborError, self).__init__(message)
        self.message = message
        self.details = details


class HarborInvalidInput(HarborError):
    """The caller asked for something invalid; no request was sent."""


class HarborApiError(HarborError):
    """Harbor answered with an HTTP error status."""

    def __init__(self, status, method, path, body):
        messages = []
        for err in (body or {}).get("errors") or []:
            messages.append("%s: %s" % (err.get("code", ""), err.get("message", "")))
        text = "; ".join(messages) or ((body or {}).get("raw") or "no error body")
        super(HarborApiError, self).__init__("Harbor answered %s to %s %s: %s" % (status, method, path, text),
                                             status=status)
        self.status = status


class HarborNotFound(HarborApiError):
    """404."""


class HarborAuthError(HarborApiError):
    """401 or 403: wrong credentials or not allowed."""


def api_error(status, method, path, body):
    if status == 404:
        return HarborNotFound(status, method, path, body)
    if status in (401, 403):
        return HarborAuthError(status, method, path, body)
    return HarborApiError(status, method, path, body)
