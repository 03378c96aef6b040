# -*- coding: utf-8 -*-
"""The shared CPI lifecycle suite on real LXC containers, plus what only LXC shows."""

import json
import os
import time

from integration.polling import wait_for
from lifecycle import run_lifecycle


def test_lifecycle(harness):
    run_lifecycle(harness)


def test_vm_boots_systemd_with_settings_and_limits(harness, lxc_state_dir):
    cloud = harness.cloud
    tags = {"caas_name": "probe-0", "caas_cluster": "probe"}
    vm_cid, networks = cloud.create_vm("agent-probe", harness.stemcell_cid, {"cpu": 1, "ram": 256},
                                       harness.networks(1), [], {"bosh": {"tags": tags}})
    try:
        c = harness.containers
        assert c.attach(vm_cid, ["hostname"]).stdout.strip() == "probe-0"
        settings = json.loads(c.attach(vm_cid, ["cat", "/var/vcap/bosh/settings.json"]).stdout)
        assert settings["vm"]["cid"] == vm_cid and settings["networks"]["default"]["ip"] == "10.249.0.101"
        pid1 = c.attach(vm_cid, ["cat", "/proc/1/comm"]).stdout.strip()
        assert pid1 == "systemd"
        config = open(os.path.join(lxc_state_dir, "vms", vm_cid, "config")).read()
        assert "256M" in config and "cfs_quota_us = 100000" in config or "cpu.max = 100000" in config
        # The journal keeps recording after boot, and journald idles (it spun on /dev/kmsg, the console here).
        wait_for(lambda: "journal-still-written" in c.attach(vm_cid, ["sh", "-c", "logger -t probe journal-still-written; "
                                                                 "sleep 1; journalctl -t probe -o cat"]).stdout,
                 30, "the probe's line in the journal")
        time.sleep(2)
        ticks = c.attach(vm_cid, ["sh", "-c", "cut -d' ' -f14,15 /proc/$(pidof systemd-journald)/stat"]).stdout.split()
        time.sleep(5)
        later = c.attach(vm_cid, ["sh", "-c", "cut -d' ' -f14,15 /proc/$(pidof systemd-journald)/stat"]).stdout.split()
        busy = (sum(map(int, later)) - sum(map(int, ticks))) / float(os.sysconf("SC_CLK_TCK")) / 5
        assert busy < 0.05, "systemd-journald uses %.0f%% of a core while idle" % (busy * 100)
    finally:
        cloud.delete_vm(vm_cid)


def test_delete_vm_never_touches_the_stemcell(harness, lxc_state_dir):
    cloud = harness.cloud
    stemcell = [s for s in cloud.list_stemcells() if s["cid"] == harness.stemcell_cid][0]
    before = sorted(os.listdir(stemcell["rootfs"]))
    vm_cid, _ = cloud.create_vm("agent-x", harness.stemcell_cid, {}, harness.networks(2), [],
                                {"bosh": {"tags": {"caas_name": "stemcell-guard"}}})
    harness.containers.attach(vm_cid, ["sh", "-c", "rm -rf /usr/share/doc && touch /etc/written-in-vm"])
    cloud.delete_vm(vm_cid)
    assert sorted(os.listdir(stemcell["rootfs"])) == before
    assert os.path.isdir(os.path.join(stemcell["rootfs"], "usr", "share", "doc"))
    assert not os.path.exists(os.path.join(stemcell["rootfs"], "etc", "written-in-vm"))


def test_delete_vm_releases_loop_devices_and_keeps_disk(harness, lxc_state_dir, loop_devices_of):
    cloud = harness.cloud
    vm_cid, _ = cloud.create_vm("agent-y", harness.stemcell_cid, {}, harness.networks(3), [],
                                {"bosh": {"tags": {"caas_name": "loop-guard"}}})
    disk_cid = cloud.create_disk(32, {}, vm_cid)
    cloud.attach_disk(vm_cid, disk_cid)
    assert loop_devices_of(disk_cid)
    cloud.delete_vm(vm_cid)
    assert loop_devices_of(disk_cid) == []
    assert cloud.disk_record(disk_cid)["vm_cid"] is None
    cloud.delete_disk(disk_cid)


def test_vm_deleted_out_of_band_is_listed_missing_and_cleaned(harness, lxc_state_dir, loop_devices_of):
    cloud = harness.cloud
    vm_cid, _ = cloud.create_vm("agent-z", harness.stemcell_cid, {}, harness.networks(4), [],
                                {"bosh": {"tags": {"caas_name": "oob"}}})
    disk_cid = cloud.create_disk(32, {}, vm_cid)
    cloud.attach_disk(vm_cid, disk_cid)
    harness.containers.stop(vm_cid, kill=True)
    os.unlink(os.path.join(lxc_state_dir, "vms", vm_cid, "config"))
    assert not cloud.has_vm(vm_cid)
    assert [v["state"] for v in cloud.list_vms() if v["cid"] == vm_cid] == ["missing"]
    cloud.delete_vm(vm_cid)
    assert cloud.has_disk(disk_cid) and loop_devices_of(disk_cid) == []
    cloud.delete_disk(disk_cid)


def test_check_filesystem_waits_out_a_busy_device_then_names_it(tmp_path):
    # The offline grow fsck's the disk right after the VM unmounted it; the kernel may hold it a moment longer.
    import threading
    from ansible_collections.ondemand.caas.plugins.module_utils.cpi import lxc_host
    from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CloudError
    image, mount_point = str(tmp_path / "disk.img"), str(tmp_path / "mnt")
    os.makedirs(mount_point)
    lxc_host.run(["truncate", "-s", "16M", image])
    lxc_host.run(["mkfs.ext4", "-q", image])
    device = lxc_host.loop_attach(image)
    try:
        lxc_host.run(["mount", device, mount_point])
        try:
            lxc_host.check_filesystem(device, busy_wait=1)
            raise AssertionError("a mounted file system was checked")
        except CloudError as exc:
            assert "is mounted" in str(exc) and device in str(exc)
        unmount = threading.Timer(2, lxc_host.run, [["umount", mount_point]])
        unmount.start()
        started = time.time()
        lxc_host.check_filesystem(device, busy_wait=15)
        assert time.time() - started >= 1.5
    finally:
        lxc_host.run(["umount", mount_point], check=False)
        lxc_host.loop_detach(image)
