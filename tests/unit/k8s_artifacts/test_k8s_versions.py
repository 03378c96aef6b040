# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import UnknownVersion
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.versions import (
    newest_by_minor, parse, require_published)

PUBLISHED = ["v1.13.0", "v1.33.6", "v1.33.13", "v1.34.0", "v1.34.2", "v1.34.4", "v1.35.0-rc.1", "v1.35.4"]


@pytest.mark.parametrize("text,tag,staging", [
    ("v1.34.4", "v1.34.4", "v0.34.4"), ("1.33.13", "v1.33.13", "v0.33.13"), (" v1.34.0 ", "v1.34.0", "v0.34.0")])
def test_parse_kubernetes(text, tag, staging):
    version = parse("kubernetes", text)
    assert (version.tag, version.staging) == (tag, staging)


@pytest.mark.parametrize("text", ["", None, "latest", "v1.34", "v1.34.4-rc.0", "v1.034.4", "1.34.4.1", "v2.0.0",
                                  "v3.5.35"])
def test_parse_refuses_malformed_kubernetes(text):
    with pytest.raises(UnknownVersion):
        parse("kubernetes", text)


def test_parse_etcd():
    assert parse("etcd", "3.5.35").tag == "v3.5.35"
    with pytest.raises(UnknownVersion, match="major version must be 3"):
        parse("etcd", "v1.34.4")


def test_newest_by_minor_ignores_prereleases():
    newest = newest_by_minor(PUBLISHED)
    assert newest[(1, 33)] == "v1.33.13" and newest[(1, 34)] == "v1.34.4" and newest[(1, 35)] == "v1.35.4"


def test_require_published_names_newest_of_the_minor():
    require_published(parse("kubernetes", "v1.34.4"), PUBLISHED, "the proxy")
    with pytest.raises(UnknownVersion, match=r"v1\.34\.9 is not served by the proxy; the newest 1\.34 release it "
                                             r"serves is v1\.34\.4"):
        require_published(parse("kubernetes", "v1.34.9"), PUBLISHED, "the proxy")
    with pytest.raises(UnknownVersion, match=r"newest releases it serves: .*v1\.35\.4"):
        require_published(parse("kubernetes", "v1.99.0"), PUBLISHED, "the proxy")
