# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.k8s.errors import InvalidRequest
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.recipes import (
    EtcdRecipe, KubernetesRecipe, staging_modules)
from ansible_collections.ondemand.caas.plugins.module_utils.k8s.versions import parse

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "kubernetes-v1.34.4.go.mod")


def upstream():
    with open(FIXTURE) as handle:  # the real go.mod of k8s.io/kubernetes v1.34.4, from the module proxy
        return handle.read()


def test_staging_modules_are_the_required_and_replaced_ones():
    modules = staging_modules(upstream())
    assert "k8s.io/api" in modules and "k8s.io/client-go" in modules and "k8s.io/kubelet" in modules
    assert "k8s.io/sample-apiserver" in modules
    # replaced but not required: not published for every release, so not replaced by us
    assert "k8s.io/sample-controller" not in modules and "k8s.io/sample-cli-plugin" not in modules
    # required at a real version: not a staging module
    assert "k8s.io/utils" not in modules and "k8s.io/kube-openapi" not in modules
    assert len(modules) == 29


def test_staging_modules_refuses_foreign_go_mod():
    with pytest.raises(InvalidRequest):
        staging_modules("module example.com/x\n\ngo 1.24\n")


def test_kubernetes_go_mod_replaces_staging_with_published_versions():
    text = KubernetesRecipe().go_mod(parse("kubernetes", "v1.34.4"), upstream())
    assert "require k8s.io/kubernetes v1.34.4\n" in text
    assert "\tk8s.io/client-go => k8s.io/client-go v0.34.4\n" in text
    assert "./staging" not in text and text.count("=>") == 29


def test_kubernetes_ldflags_stamp_the_version():
    flags = KubernetesRecipe().ldflags(parse("kubernetes", "v1.33.13"), "2026-06-11T16:59:07Z")
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert "-X %s.gitVersion=v1.33.13" % pkg in flags
        assert "-X %s.gitMajor=1 " % pkg in flags and "-X %s.gitMinor=33 " % pkg in flags
        assert "-X %s.buildDate=2026-06-11T16:59:07Z" % pkg in flags
    assert flags.startswith("-s -w ")


def test_tools_go_names_every_command():
    text = KubernetesRecipe().static_files()["tools.go"]
    assert text.startswith("//go:build tools\n")
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"):
        assert '_ "k8s.io/kubernetes/cmd/%s"' % name in text


def test_etcd_main_calls_etcdmain():
    recipe = EtcdRecipe()
    assert "etcdmain.Main(os.Args)" in recipe.static_files()["cmd/etcd/main.go"]
    text = recipe.go_mod(parse("etcd", "v3.5.35"), "")
    assert "go.etcd.io/etcd/server/v3 v3.5.35" in text and "go.etcd.io/etcd/etcdctl/v3 v3.5.35" in text
