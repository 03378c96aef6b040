# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Stand-in binaries (test doubles) for the artefact cache tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

K8S = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl")


def write_stand_in(path, output):
    """Test double for a Kubernetes/etcd binary: a shell script that prints what the real one prints for
    its version command (``Kubernetes vX.Y.Z``, ``Client Version: vX.Y.Z``, ``etcd Version: X.Y.Z``)."""
    with open(path, "w") as handle:
        handle.write("#!/bin/sh\necho '%s'\n" % output)
    os.chmod(path, 0o755)
    return path


def stand_in_kubernetes(directory, tag="v1.34.4", skip=()):
    os.makedirs(directory, exist_ok=True)
    for name in K8S:
        if name in skip:
            continue
        text = ("Client Version: %s" if name == "kubectl" else "Kubernetes %s") % tag
        write_stand_in(os.path.join(directory, name), text)
    return directory
