# -*- coding: utf-8 -*-
"""Fixtures for the LXC provider: a private state directory, the cached stemcell, one segment."""

import os
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.cloud import Cloud
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import Containers

CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
STEMCELL_IMAGE = os.path.join(CACHE, "stemcells", "bosh-lxc-debian-bookworm-1.tar")
SEGMENT = "caas-test"
SEGMENT_RANGE = "10.249.0.0/24"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/cpi/" in str(item.fspath):
            item.add_marker(pytest.mark.lxc)


@pytest.fixture(scope="session")
def lxc_state_dir():
    if os.geteuid() != 0 or not shutil.which("lxc-start"):
        pytest.fail("the LXC provider tests need root and LXC (run the README's test command, which installs them)")
    path = tempfile.mkdtemp(prefix="caas-lxc-test-")
    yield path
    Cloud("lxc", {"lxc_state_dir": path}).delete_everything()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def lxc_cloud(lxc_state_dir):
    return Cloud("lxc", {"lxc_state_dir": lxc_state_dir})


@pytest.fixture(scope="session")
def stemcell_cid(lxc_cloud):
    return lxc_cloud.create_stemcell(STEMCELL_IMAGE, {"name": "bosh-lxc-debian-bookworm", "version": "1",
                                                      "debootstrap": {"suite": "bookworm"}})


@pytest.fixture(scope="session")
def segment(lxc_cloud):
    return lxc_cloud.create_network({"name": SEGMENT, "range": SEGMENT_RANGE, "gateway": "10.249.0.1"})


class LxcHarness:
    """The lifecycle suite's view of the LXC provider; markers are read and written inside the guest."""

    def __init__(self, cloud, state_dir, stemcell_cid, segment):
        self.cloud = cloud
        self.stemcell_cid = stemcell_cid
        self.segment = segment
        self.containers = Containers(os.path.join(state_dir, "vms"))

    def networks(self, index):
        return {"default": {"type": "manual", "ip": "10.249.0.%d" % (100 + index),
                            "cloud_properties": {"name": self.segment}}}

    def write_marker(self, vm_cid, disk_cid, text):
        self.containers.attach(vm_cid, ["sh", "-c", "echo '%s' > /var/vcap/store/marker && sync" % text])

    def read_marker(self, vm_cid, disk_cid):
        return self.containers.attach(vm_cid, ["cat", "/var/vcap/store/marker"]).stdout.strip()


@pytest.fixture
def harness(lxc_cloud, lxc_state_dir, stemcell_cid, segment):
    return LxcHarness(lxc_cloud, lxc_state_dir, stemcell_cid, segment)


@pytest.fixture
def loop_devices_of():
    """Loop devices whose backing file path contains a given string."""
    def lookup(fragment):
        out = subprocess.run(["losetup", "-a"], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
        return [line for line in out.splitlines() if fragment in line]
    return lookup
