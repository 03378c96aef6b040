# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Start and stop a real vcsim (VMware's vSphere API simulator) on 127.0.0.1 for tests and benchmarks.

vcsim is installed by scripts/install-vcsim.sh into ${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}/bin.
Each instance gets a free port (``-l 127.0.0.1:0``), enforces ``-username``/``-password`` and is stopped
by its PID; its datastores are real directories under a private temporary directory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

CACHE_DIR = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
VCSIM = os.path.join(CACHE_DIR, "bin", "vcsim")
USERNAME = "caas-admin"
PASSWORD = "caas-vcsim-secret"


def vcsim_binary():
    return VCSIM if os.access(VCSIM, os.X_OK) else None


class Vcsim:
    """One running vcsim. ``settings(**overrides)`` gives vsphere provider settings for it."""

    def __init__(self, *flags):
        self.tmpdir = tempfile.mkdtemp(prefix="caas-vcsim-")
        self.stdout = open(os.path.join(self.tmpdir, "vcsim.out"), "w+")
        env = dict(os.environ, TMPDIR=self.tmpdir)  # vcsim puts its datastore directories under TMPDIR
        self.proc = subprocess.Popen([VCSIM, "-l", "127.0.0.1:0", "-username", USERNAME, "-password", PASSWORD]
                                     + list(flags), stdout=self.stdout, stderr=subprocess.STDOUT, env=env)
        self.port = None
        deadline = time.time() + 120  # ~1,200 VMs take a while to build on a loaded machine
        while time.time() < deadline:
            self.stdout.seek(0)
            match = re.search(r"GOVC_URL=https://[^@]*@127\.0\.0\.1:(\d+)/sdk", self.stdout.read())
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if self.port is None:
            self.stop()
            raise RuntimeError("vcsim did not start: %s" % open(os.path.join(self.tmpdir, "vcsim.out")).read())

    def settings(self, **overrides):
        values = {"vsphere_hostname": "127.0.0.1", "vsphere_port": self.port, "vsphere_username": USERNAME,
                  "vsphere_password": PASSWORD, "vsphere_validate_certs": False, "vsphere_datacenter": "DC0",
                  "vsphere_cluster": "DC0_C0", "vsphere_datastore": "LocalDS_0", "vsphere_folder": "caas"}
        values.update(overrides)
        return values

    def env(self):
        return {"VMWARE_HOST": "127.0.0.1", "VMWARE_PORT": str(self.port), "VMWARE_USER": USERNAME,
                "VMWARE_PASSWORD": PASSWORD, "VMWARE_VALIDATE_CERTS": "false"}

    def datastore_dir(self, name="LocalDS_0", datacenter="DC0"):
        """The real local directory behind a vcsim datastore (vcsim names it govcsim-<dc>-<ds>-<n>)."""
        for entry in os.listdir(self.tmpdir):
            if entry.startswith("govcsim-%s-%s-" % (datacenter, name)):
                return os.path.join(self.tmpdir, entry)
        raise LookupError("no directory for datastore %s under %s" % (name, self.tmpdir))

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.stdout.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
