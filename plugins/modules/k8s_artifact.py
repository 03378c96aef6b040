#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: k8s_artifact
short_description: Kubernetes and etcd binaries in the controller-side artefact cache
description:
  - Makes one version of Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
    kubectl) or etcd (etcd, etcdctl) present under I(cache_dir), as C(k8s/vX.Y.Z/bin/) or C(etcd/vX.Y.Z/bin/)
    with a C(manifest.json) recording the inputs hash and the sha256 of every binary.
  - C(source=build) compiles them from their published Go modules with a small module of our own that requires
    C(k8s.io/kubernetes vX.Y.Z) and replaces each staging module with its published C(v0.Y.Z) (etcd - a tiny main
    calling C(etcdmain.Main)), static (C(CGO_ENABLED=0)), C(-trimpath), at C(nice 19), with GOMODCACHE and GOCACHE
    shared under I(cache_dir)/go. The version is stamped with C(-ldflags -X k8s.io/component-base/version.gitVersion=...)
    and checked by running each binary.
  - C(source=release) downloads the official release binaries once and verifies them against their published sha256
    (and I(checksums) when given). C(source=local) checks and copies a directory of binaries (air-gapped sites).
  - The entry is rebuilt, downloaded or copied only when its inputs change (version, source, binaries, Go toolchain,
    build recipe, local files); otherwise it is reused after checking the binaries against the manifest.
  - Bad input (malformed or unpublished version, checksum mismatch, incomplete local directory) fails before the
    cache changes; new binaries are written to a staging directory and swapped in only once verified.
  - "Runs on the controller: use C(delegate_to: localhost) and C(run_once: true)."
version_added: 0.1.0
author:
  - ondemand.caas developers (@ondemand)
options:
  source:
    description: Where the binaries come from.
    type: str
    required: true
    choices: [build, release, local]
  version:
    description:
      - Release to provide, C(vX.Y.Z) (the leading C(v) is optional). Kubernetes 1.x or etcd 3.x; no pre-releases.
      - With C(source=build) it must be served by the Go module proxy (C(go list -m -versions)).
    type: str
    required: true
  component:
    description: Which component.
    type: str
    default: kubernetes
    choices: [kubernetes, etcd]
  cache_dir:
    description: Root of the controller cache. Falls back to C(CAAS_CACHE_DIR).
    type: path
    default: /var/cache/ondemand-caas
  binaries:
    description:
      - Binaries the cache entry holds. Defaults to all of the component's binaries. The entry holds exactly these,
        so use a separate I(cache_dir) for partial sets.
    type: list
    elements: str
  arch:
    description: Target architecture (GOARCH, release path element).
    type: str
    default: amd64
    choices: [amd64, arm64]
  release_url:
    description:
      - Base URL of the releases for C(source=release) (http, https or file). Defaults to C(https://dl.k8s.io/release)
        for Kubernetes and C(https://github.com/etcd-io/etcd/releases/download) for etcd.
    type: str
  checksums:
    description:
      - Pinned sha256 per downloaded file (C(source=release) - binary names, or the etcd archive name) or per binary
        (C(source=local)). A mismatch fails before the cache changes.
    type: dict
  local_dir:
    description: Directory holding the binaries, for C(source=local).
    type: path
  go_binary:
    description: The C(go) command used by C(source=build) (Go >= 1.24; etcd 3.5.35 needs 1.26).
    type: path
    default: go
  go_proxy:
    description: GOPROXY for C(source=build). Falls back to C(GOPROXY); unset means Go's own setting.
    type: str
  build_timeout:
    description: Seconds one C(go) command of C(source=build) may take.
    type: int
    default: 3600
  verify:
    description: Check the sha256 of cached binaries against the manifest before reusing them.
    type: bool
    default: true
  force:
    description: Rebuild, download or copy even when the cache entry is current.
    type: bool
    default: false
notes:
  - Supports check mode (validates the request and reports whether the entry would change) and diff mode.
"""

EXAMPLES = r"""
- name: Build Kubernetes v1.34.4 from its Go modules into the cache
  ondemand.caas.k8s_artifact:
    source: build
    version: v1.34.4
  delegate_to: localhost
  run_once: true
  register: k8s_bins

- name: etcd 3.5 built the same way
  ondemand.caas.k8s_artifact:
    component: etcd
    source: build
    version: v3.5.35
  delegate_to: localhost
  run_once: true

- name: Official release binaries, verified against their published sha256
  ondemand.caas.k8s_artifact:
    source: release
    version: v1.34.4
    checksums:
      kubectl: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  delegate_to: localhost
  run_once: true

- name: Air-gapped site - binaries brought on a USB stick
  ondemand.caas.k8s_artifact:
    source: local
    version: v1.34.4
    local_dir: /srv/k8s/v1.34.4
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
component:
  description: The component.
  returned: always
  type: str
  sample: kubernetes
version:
  description: The normalised version.
  returned: always
  type: str
  sample: v1.34.4
source:
  description: The source used.
  returned: always
  type: str
  sample: build
version_dir:
  description: The version directory in the cache.
  returned: always
  type: str
  sample: /var/cache/ondemand-caas/k8s/v1.34.4
bin_dir:
  description: Directory holding the binaries.
  returned: always
  type: str
  sample: /var/cache/ondemand-caas/k8s/v1.34.4/bin
manifest_path:
  description: Path of the manifest.
  returned: always
  type: str
  sample: /var/cache/ondemand-caas/k8s/v1.34.4/manifest.json
inputs_hash:
  description: sha256 of the inputs the entry was (or would be) made from.
  returned: always
  type: str
binaries:
  description: Per binary - C(path), and C(sha256) and C(size) once present.
  returned: always
  type: dict
  sample: {"kubectl": {"path": "/var/cache/ondemand-caas/k8s/v1.34.4/bin/kubectl", "sha256": "...", "size": 57000000}}
seconds:
  description: Wall time in seconds of the build, download or copy that made the entry.
  returned: always
  type: float
  sample: 1140.2
manifest:
  description: The manifest (inputs, binaries, Go version, build date, go.sum hash, ...); empty in check mode before
    the first run.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.artifacts import Request, ensure
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import ArtifactError


def argument_spec():
    return dict(
        source=dict(type="str", required=True, choices=["build", "release", "local"]),
        version=dict(type="str", required=True),
        component=dict(type="str", default="kubernetes", choices=["kubernetes", "etcd"]),
        cache_dir=dict(type="path", default="/var/cache/ondemand-caas", fallback=(env_fallback, ["CAAS_CACHE_DIR"])),
        binaries=dict(type="list", elements="str"),
        arch=dict(type="str", default="amd64", choices=["amd64", "arm64"]),
        release_url=dict(type="str"),
        checksums=dict(type="dict"),
        local_dir=dict(type="path"),
        go_binary=dict(type="path", default="go"),
        go_proxy=dict(type="str", fallback=(env_fallback, ["GOPROXY"])),
        build_timeout=dict(type="int", default=3600),
        verify=dict(type="bool", default=True),
        force=dict(type="bool", default=False),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[("source", "local", ["local_dir"])])
    params = dict(module.params)
    if params["go_binary"] == "go":
        params["go_binary"] = module.get_bin_path("go", opt_dirs=["/usr/local/go/bin", "/usr/lib/go/bin"]) or "go"
    try:
        out = ensure(Request(**params), check_mode=module.check_mode)
    except ArtifactError as exc:
        module.fail_json(msg=exc.message, **exc.details)
    diff = out.pop("diff")
    if module._diff:
        out["diff"] = diff
    module.exit_json(**out)


if __name__ == "__main__":
    main()
