# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""What a rolling upgrade is proven and measured with, shared by the upgrade tests and bench/upgrade_bench.py: a
second node stemcell made without a build, a web Deployment behind a PodDisruptionBudget, and pollers that count
every failed request on the nodes' persistent disks, and RollingCluster: one such cluster's test environment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import os
import re
import shutil
import ssl
import subprocess
import tempfile

from integration.cluster_env import ClusterEnv, ssh
from integration.paths import CACHE

STEMCELL = "bosh-lxc-debian-bookworm-node"


def second_stemcell(directory, version="2"):
    """The node stemcell's image with one file added, /etc/caas-stemcell-release naming its version: the same OS,
    visibly different, nothing to build (the cached image is copied, the file appended)."""
    image = os.path.join(directory, "%s-%s.tar" % (STEMCELL, version))
    os.makedirs(directory, exist_ok=True)
    shutil.copyfile(os.path.join(CACHE, "stemcells", STEMCELL + "-1.tar"), image)
    os.makedirs(os.path.join(directory, "add", "etc"))
    with open(os.path.join(directory, "add", "etc", "caas-stemcell-release"), "w") as handle:
        handle.write("%s %s\n" % (STEMCELL, version))
    subprocess.run(["tar", "--numeric-owner", "--owner=0", "--group=0", "-rf", image, "-C",
                    os.path.join(directory, "add"), "./etc/caas-stemcell-release"], check=True)
    return image


# Replicas behind a PDB (minAvailable one less) and a ClusterIP service; busybox httpd answers concurrently and, as a
# container's PID 1, ignores SIGTERM, so an evicted pod serves until the endpoints no longer name it.
WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %(replicas)d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 10
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,
           labelSelector: {matchLabels: {app: web}}}
      containers:
        - name: web
          image: %(image)s
          command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
          readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: %(min_available)d
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""


def web(image, replicas):
    """The Deployment, its PodDisruptionBudget (all replicas but one must stay) and its ClusterIP service."""
    return WEB % {"image": image, "replicas": replicas, "min_available": replicas - 1}


# The client: a poller on every worker (a DaemonSet: drains leave it running, so at every moment of the roll at least
# two of them poll) asks the service every 100 ms and keeps its counts on the node's persistent disk, one file per
# start, so they outlive a restarted pod and a recreated VM. It counts from its first answer on (a fresh node's
# kube-proxy needs a moment to learn the service; that is the client's start, not an outage).
POLLER = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: poller}
spec:
  selector: {matchLabels: {app: poller}}
  template:
    metadata: {labels: {app: poller}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: poller
          image: %(image)s
          command:
            - sh
            - -c
            - |
              # busybox-static's wget crashes (static glibc); nc speaks enough HTTP/1.0.
              get() { printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 5 $WEB_SERVICE_HOST $WEB_SERVICE_PORT | grep -q '^HTTP/1.[01] 200'; }
              out=/store/count-$HOSTNAME-$(date +%%s)
              until get; do sleep 0.1; done
              ok=0; failed=0
              while true; do
                if get; then ok=$((ok+1)); else failed=$((failed+1)); date >> /store/failed-$HOSTNAME; fi
                echo "$ok $failed" > $out.tmp && mv $out.tmp $out
                sleep 0.1
              done
          volumeMounts: [{name: store, mountPath: /store}]
      volumes:
        - {name: store, hostPath: {path: /var/vcap/store/poller, type: DirectoryOrCreate}}
"""


def poller(image):
    return POLLER % {"image": image}


def admin_tls_context(admin_conf):
    """An SSL context with the CA and the client certificate of a kubeconfig (admin.conf): for polling /readyz."""
    with open(admin_conf) as handle:
        config = handle.read()
    directory = tempfile.mkdtemp(prefix="caas-admin-tls-")
    try:
        files = {}
        for key in ("certificate-authority-data", "client-certificate-data", "client-key-data"):
            files[key] = os.path.join(directory, key)
            with open(files[key], "wb") as handle:
                handle.write(base64.b64decode(re.search(r"%s: (\S+)" % key, config).group(1)))
        context = ssl.create_default_context(cafile=files["certificate-authority-data"])
        context.check_hostname = False
        context.load_cert_chain(files["client-certificate-data"], files["client-key-data"])
        return context
    finally:
        shutil.rmtree(directory)


class RollingCluster(ClusterEnv):
    """One cluster with Kubernetes in its own ClusterEnv, created with the same arguments on every playbook run, and
    what a roll is checked with: its nodes, the busybox its workers pulled, the pollers' counts."""

    def __init__(self, prefix, name, nodes_cidr, args, k8s_version="v1.34.4"):
        super(RollingCluster, self).__init__(prefix, nodes_cidr, k8s_version)
        self.name, self.args = name, list(args)

    def run(self, playbook, *args, **kwargs):
        """(rc, output, seconds) of playbooks/<playbook> on this cluster; Kubernetes with its registry takes long."""
        kwargs.setdefault("timeout", 2400)
        return self.playbook(playbook, self.name, *(self.args + list(args)), **kwargs)

    def nodes(self):
        """The masters' and workers' VMs by name (the registry VM is not rolled)."""
        return dict((n, vm) for n, vm in self.vms(self.name).items()
                    if vm["metadata"].get("caas_role") in ("master", "worker"))

    def role(self, role):
        return sorted(n for n, vm in self.nodes().items() if vm["metadata"]["caas_role"] == role)

    def k(self, *args, **kwargs):
        """kubectl as the admin against the first master's apiserver."""
        return self.kubectl(self.name, self.nodes()[self.role("master")[0]]["ips"][0], *args, **kwargs)

    def on(self, name, command):
        return ssh(self.nodes()[name]["ips"][0], command).stdout

    def busybox(self):
        """busybox as the cluster's registry serves it: the reference a worker pulled for the smoke test."""
        for name in self.role("worker"):
            out = self.on(name, "ctr -n k8s.io images ls -q | grep '/busybox:'").split()
            if out:
                return out[0]
        raise AssertionError("no worker pulled busybox from the registry")

    def poller_counts(self):
        """(answered, failed) summed over every poller that ever ran, read from the workers' persistent disks."""
        answered = failed = 0
        for name in self.role("worker"):
            for line in self.on(name, "cat /var/vcap/store/poller/count-* 2>/dev/null").split("\n"):
                if line.strip():
                    good, bad = line.split()
                    answered, failed = answered + int(good), failed + int(bad)
        return answered, failed

    def failure_times(self):
        """When each poller counted a failed request (``date`` lines on the workers' persistent disks)."""
        return dict((n, self.on(n, "cat /var/vcap/store/poller/failed-* 2>/dev/null").split("\n"))
                    for n in self.role("worker"))
