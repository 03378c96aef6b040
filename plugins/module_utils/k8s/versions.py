# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Version strings of the components we cache, and what each component is made of."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import UnknownVersion

_SEMVER = re.compile(r"^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")

# component -> (expected major, binaries in build order, Go module whose versions are the published ones)
COMPONENTS = {
    "kubernetes": dict(
        major=1,
        binaries=("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"),
        go_module="k8s.io/kubernetes",
    ),
    "etcd": dict(
        major=3,
        binaries=("etcd", "etcdctl"),
        go_module="go.etcd.io/etcd/server/v3",
    ),
}


class Version(object):
    """A released version: ``v1.34.4`` (Kubernetes) or ``v3.5.35`` (etcd). Pre-releases are refused."""

    def __init__(self, component, major, minor, patch):
        self.component = component
        self.major = major
        self.minor = minor
        self.patch = patch

    @property
    def tag(self):
        return "v%d.%d.%d" % (self.major, self.minor, self.patch)

    @property
    def staging(self):
        """The version Kubernetes publishes its staging modules (k8s.io/api, ...) under: v0.<minor>.<patch>."""
        return "v0.%d.%d" % (self.minor, self.patch)

    def key(self):
        return (self.major, self.minor, self.patch)

    def __str__(self):
        return self.tag

    def __eq__(self, other):
        return isinstance(other, Version) and (self.component, self.key()) == (other.component, other.key())

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.component, self.key()))


def parse(component, text):
    """Parse ``text`` as a released version of ``component``; raise UnknownVersion when it is not one."""
    if component not in COMPONENTS:
        raise UnknownVersion("unknown component %r (known: %s)" % (component, ", ".join(sorted(COMPONENTS))))
    match = _SEMVER.match(str(text or "").strip())
    if not match:
        raise UnknownVersion(
            "malformed %s version %r: expected vMAJOR.MINOR.PATCH such as %s (pre-releases are not supported)"
            % (component, text, "v1.34.4" if component == "kubernetes" else "v3.5.35"))
    major, minor, patch = (int(g) for g in match.groups())
    expected = COMPONENTS[component]["major"]
    if major != expected:
        raise UnknownVersion("%s version %r: major version must be %d" % (component, text, expected))
    return Version(component, major, minor, patch)


def newest_by_minor(published):
    """{(major, minor): newest released tag} from a list of published tags (pre-releases ignored)."""
    newest = {}
    for tag in published:
        match = _SEMVER.match(tag)
        if not match or not tag.startswith("v"):
            continue
        key = tuple(int(g) for g in match.groups())
        best = newest.get(key[:2])
        if best is None or key > best:
            newest[key[:2]] = key
    return dict((k, "v%d.%d.%d" % v) for k, v in newest.items())


def require_published(version, published, where):
    """Raise UnknownVersion unless ``version.tag`` is among ``published`` (the proxy's list)."""
    if version.tag in published:
        return
    newest = newest_by_minor(published)
    same_minor = newest.get((version.major, version.minor))
    if same_minor:
        hint = "the newest %d.%d release it serves is %s" % (version.major, version.minor, same_minor)
    else:
        minors = sorted(newest)[-4:]
        hint = "newest releases it serves: %s" % (", ".join(newest[m] for m in minors) or "none")
    raise UnknownVersion("%s %s is not served by %s; %s" % (version.component, version.tag, where, hint),
                         published=sorted(newest.values()))
