# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Errors of the cluster PKI. One root, ``PkiError``, caught once in each module's ``main()``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class PkiError(Exception):
    """Root of every error the PKI code raises on purpose."""

    def __init__(self, message, path=None):
        super(PkiError, self).__init__(message)
        self.message = message
        self.path = path


class InvalidInput(PkiError):
    """The cluster description is wrong: a bad IP or name, a name used twice, an unknown option."""


class PkiFileError(PkiError):
    """A file in the PKI directory cannot be read, parsed, written, or is inconsistent. ``path`` names it."""


class RotationError(PkiError):
    """A CA rotation step was asked for out of order."""


class EndpointError(PkiError):
    """A live endpoint could not be reached or did not present a certificate."""
