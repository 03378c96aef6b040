# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Errors of the CPI contract, named as BOSH names them.

Two roots, as in the BOSH CPI: ``CpiError`` for everything a caller did wrong or asked
for something that does not exist (never worth retrying unchanged), and ``CloudError``
for failures of the IaaS itself, which carry ``ok_to_retry``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class CpiError(Exception):
    """Root of every error the CPI raises. ``bosh_type`` is what goes on the wire."""

    bosh_type = "Bosh::Clouds::CpiError"
    ok_to_retry = False

    def __init__(self, message, ok_to_retry=None):
        super(CpiError, self).__init__(message)
        self.message = message
        if ok_to_retry is not None:
            self.ok_to_retry = ok_to_retry

    def to_wire(self):
        return {"type": self.bosh_type, "message": self.message, "ok_to_retry": bool(self.ok_to_retry)}


class InvalidArgument(CpiError):
    """The request is malformed: a bad name, an IP outside its segment, an unknown option."""

    bosh_type = "Bosh::Clouds::CpiError"


class NotSupported(CpiError):
    bosh_type = "Bosh::Clouds::NotSupported"


class MethodNotImplemented(CpiError):
    """BOSH's NotImplemented: the verb does not exist, or this provider cannot do it."""

    bosh_type = "Bosh::Clouds::NotImplemented"


class StemcellNotFound(CpiError):
    bosh_type = "Bosh::Clouds::CpiError"


class VMNotFound(CpiError):
    bosh_type = "Bosh::Clouds::VMNotFound"


class DiskNotFound(CpiError):
    bosh_type = "Bosh::Clouds::DiskNotFound"


class DiskNotAttached(CpiError):
    bosh_type = "Bosh::Clouds::DiskNotAttached"


class DiskAttachedElsewhere(CpiError):
    """A disk may belong to one VM at a time; attaching it twice would corrupt ext4."""

    bosh_type = "Bosh::Clouds::CpiError"


class NetworkNotFound(CpiError):
    bosh_type = "Bosh::Clouds::CpiError"


class CloudError(CpiError):
    """The IaaS failed. ``ok_to_retry`` says whether the same call may succeed later."""

    bosh_type = "Bosh::Clouds::CloudError"
    ok_to_retry = True


class VMCreationFailed(CloudError):
    bosh_type = "Bosh::Clouds::VMCreationFailed"


class NoDiskSpace(CloudError):
    bosh_type = "Bosh::Clouds::NoDiskSpace"
    ok_to_retry = False
