# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Errors of the NSX-T Policy API client. One root, ``NsxtError``, caught once in each module's main()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class NsxtError(Exception):
    """Root of every error raised by plugins/module_utils/nsxt."""

    def __init__(self, message, **details):
        super(NsxtError, self).__init__(message)
        self.message = message
        self.details = details


class NsxtInvalidInput(NsxtError):
    """The caller asked for something invalid before any request was sent (bad id, CIDR outside the block)."""


class NsxtOwnershipError(NsxtError):
    """The object exists but is tagged for another cluster; we refuse to change or delete it."""


class NsxtTimeout(NsxtError):
    """Waiting for realization or deletion took longer than allowed."""


class NsxtRealizationError(NsxtError):
    """NSX reported the intent in state ERROR."""


class NsxtApiError(NsxtError):
    """NSX answered with an HTTP error. ``status`` is the HTTP code, ``body`` the decoded error body."""

    def __init__(self, message, status=None, body=None, method=None, path=None):
        super(NsxtApiError, self).__init__(message, status=status, method=method, path=path)
        self.status = status
        self.body = body or {}
        self.method = method
        self.path = path

    @property
    def error_message(self):
        return self.body.get("error_message") if isinstance(self.body, dict) else None


class NsxtNotFound(NsxtApiError):
    pass


class NsxtPreconditionFailed(NsxtApiError):
    """412: the ``_revision`` sent is stale."""


class NsxtConflict(NsxtApiError):
    """409: e.g. deleting a segment that still has ports."""


_BY_STATUS = {404: NsxtNotFound, 409: NsxtConflict, 412: NsxtPreconditionFailed}


def api_error(status, body, method, path):
    """Build the right NsxtApiError subclass with a message a human can act on."""
    detail = ""
    if isinstance(body, dict):
        detail = body.get("error_message") or ""
        if body.get("error_code") is not None:
            detail = "%s (error_code %s)" % (detail, body.get("error_code"))
    elif body:
        detail = str(body)[:300]
    msg = "NSX-T %s %s answered HTTP %s%s" % (method, path, status, (": " + detail) if detail else "")
    return _BY_STATUS.get(status, NsxtApiError)(msg, status=status, body=body, method=method, path=path)
