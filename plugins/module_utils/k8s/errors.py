# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Errors of the Kubernetes artefact cache. One root, caught once in the module's main()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ArtifactError(Exception):
    """Root of every error raised while resolving, building, downloading or copying artefacts."""

    def __init__(self, message, **details):
        super(ArtifactError, self).__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(ArtifactError):
    """The request is malformed (bad option combination, unknown binary name, bad checksum format)."""


class UnknownVersion(ArtifactError):
    """The version is malformed or not published (not served by the Go module proxy)."""


class ChecksumMismatch(ArtifactError):
    """A file's sha256 differs from the published or pinned one. Nothing was written to the cache."""


class SourceUnavailable(ArtifactError):
    """The source cannot deliver: download failed, local directory incomplete, go missing."""


class BuildFailed(ArtifactError):
    """`go mod tidy` or `go build` failed; ``details['output']`` holds the tail of its output."""
