# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The host side of the LXC provider: commands, bridges and NAT, loop devices, containers.

Every function here changes one thing on the local machine and raises ``CloudError``
with the command's own message when it fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import os
import shlex
import subprocess
import time

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CloudError, NoDiskSpace

ISOLATION_CHAIN = "CAAS-ISOLATION"
PRIVATE_RANGES = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
# The host's iptables rules are shared by every LXC state directory on the machine.
HOST_LOCK = "/run/lock/ondemand-caas-iptables.lock"


def run(argv, check=True, input_text=None, timeout=120):
    try:
        proc = subprocess.run(argv, input=input_text, check=False, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout)
    except OSError as exc:
        raise CloudError("cannot run %s: %s (is it installed?)" % (argv[0], exc), ok_to_retry=False)
    except subprocess.TimeoutExpired:
        raise CloudError("%s timed out after %ss" % (" ".join(argv), timeout))
    if check and proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip()
        if "No space left on device" in message:
            raise NoDiskSpace("%s: %s" % (" ".join(argv), message))
        raise CloudError("%s failed (rc=%s): %s" % (" ".join(argv), proc.returncode, message), ok_to_retry=False)
    return proc


# --- bridges and NAT (the tier-1 analogue) --------------------------------------------------

def link_exists(name):
    return os.path.exists(os.path.join("/sys/class/net", name))


def bridge_up(name, gateway, prefixlen):
    if not link_exists(name):
        run(["ip", "link", "add", name, "type", "bridge"])
    address = "%s/%s" % (gateway, prefixlen)
    if address not in run(["ip", "-o", "-4", "addr", "show", "dev", name]).stdout:
        run(["ip", "addr", "add", address, "dev", name])
    run(["ip", "link", "set", name, "up"])


def bridge_down(name):
    if link_exists(name):
        run(["ip", "link", "del", name])


@contextlib.contextmanager
def host_rules_lock():
    """Serialise check-then-change of the host-wide rules between concurrent runs (iptables -w only locks one call)."""
    with open(HOST_LOCK, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _rules(table):
    return run(["iptables", "-w", "-t", table, "-S"]).stdout.splitlines()


def nat_up(name, cidr):
    """NAT the segment out through the host, and keep it from reaching other private networks."""
    with open("/proc/sys/net/ipv4/ip_forward") as handle:
        forwarding = handle.read().strip() == "1"
    if not forwarding:
        # The host is this segment's router, as an NSX-T tier-1 is; the switch is host-wide by nature.
        with open("/proc/sys/net/ipv4/ip_forward", "w") as handle:
            handle.write("1")
    tag = ["-m", "comment", "--comment", "caas:%s" % name]
    nat_rule = ["POSTROUTING", "-s", cidr, "!", "-d", cidr, "-j", "MASQUERADE"] + tag
    with host_rules_lock():
        if not any(_tagged(rule, name) for rule in _rules("nat")):
            run(["iptables", "-w", "-t", "nat", "-A"] + nat_rule)
        filters = _rules("filter")
        if "-N %s" % ISOLATION_CHAIN not in filters:
            run(["iptables", "-w", "-N", ISOLATION_CHAIN])
        if "-A FORWARD -j %s" % ISOLATION_CHAIN not in filters:
            run(["iptables", "-w", "-I", "FORWARD", "1", "-j", ISOLATION_CHAIN])
        if not any(_tagged(rule, name) for rule in filters):
            isolation = ["iptables", "-w", "-A", ISOLATION_CHAIN]
            run(isolation + ["-i", name, "-d", PRIVATE_RANGES, "!", "-o", name, "-j", "DROP"] + tag)
            run(isolation + ["-i", name, "-j", "ACCEPT"] + tag)
            run(isolation + ["-o", name, "-j", "ACCEPT"] + tag)


def nat_down(name):
    with host_rules_lock():
        for table in ("nat", "filter"):
            for rule in _rules(table):
                if _tagged(rule, name):
                    run(["iptables", "-w", "-t", table, "-D"] + shlex.split(rule)[1:])


def _tagged(rule, name):
    padded = rule + " "
    return rule.startswith("-A ") and ('--comment "caas:%s" ' % name in padded or "--comment caas:%s " % name in padded)


# --- loop devices ---------------------------------------------------------------------------------

def loop_devices_of(image):
    out = run(["losetup", "-j", image, "-O", "NAME", "-n"], check=False).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def loop_attach(image):
    existing = loop_devices_of(image)
    if existing:
        return existing[0]
    return run(["losetup", "-f", "--show", image]).stdout.strip()


def loop_detach(image):
    for device in loop_devices_of(image):
        run(["losetup", "-d", device])


def check_filesystem(device, busy_wait=15):
    """e2fsck -f -p before a resize. Right after an unmount in a VM the kernel may still hold the file system for a
    moment (e2fsck exits 8: "is mounted" or "is in use"): retried for busy_wait seconds, then the error says so."""
    deadline = time.time() + busy_wait
    while True:
        proc = run(["e2fsck", "-f", "-p", device], check=False)
        if proc.returncode in (0, 1):  # 1: errors corrected
            return
        output = (proc.stdout + proc.stderr).strip()
        busy = proc.returncode == 8 and ("is in use" in output or "is mounted" in output)
        if not busy or time.time() > deadline:
            raise CloudError("e2fsck -f -p %s failed (rc=%s): %s" % (device, proc.returncode, output), ok_to_retry=False)
        time.sleep(0.5)


def loop_refresh(device):
    run(["losetup", "-c", device])


def device_numbers(device):
    st = os.stat(device)
    return os.major(st.st_rdev), os.minor(st.st_rdev)


# --- containers ---------------------------------------------------------------------------------------

class Containers:
    """lxc-* commands for containers kept under one private lxcpath."""

    def __init__(self, lxcpath):
        self.lxcpath = lxcpath

    def _argv(self, tool, name, *rest):
        return [tool, "-P", self.lxcpath, "-n", name] + list(rest)

    def state(self, name):
        if not os.path.exists(os.path.join(self.lxcpath, name, "config")):
            return None
        out = run(self._argv("lxc-info", name, "-s", "-H"), check=False).stdout.strip()
        return out.lower() or "stopped"

    def start(self, name):
        proc = run(self._argv("lxc-start", name, "-d", "-o", os.path.join(self.lxcpath, name, "lxc.log"),
                              "-l", "WARN"), check=False)
        waited = run(self._argv("lxc-wait", name, "-s", "RUNNING", "-t", "10"), check=False) if proc.returncode == 0 else None
        if proc.returncode != 0 or waited.returncode != 0:
            raise CloudError("container %s did not start: %s %s" % (name, proc.stderr.strip(), self.log_tail(name)),
                             ok_to_retry=False)
        # RUNNING is reported before lxc-attach can reach the init process (under load: "Failed to get init pid").
        deadline = time.time() + 30
        while self.attach(name, ["true"], check=False).returncode != 0:
            if time.time() > deadline:
                raise CloudError("container %s is running but cannot be entered: %s" % (name, self.log_tail(name)))
            time.sleep(0.1)

    def stop(self, name, kill=False, timeout=10):
        if self.state(name) in (None, "stopped"):
            return
        rest = ["-k"] if kill else ["-t", str(timeout)]
        proc = run(self._argv("lxc-stop", name, *rest), check=False)
        if proc.returncode != 0 and self.state(name) not in (None, "stopped"):
            run(self._argv("lxc-stop", name, "-k"))

    def attach(self, name, argv, check=True, input_text=None):
        return run(self._argv("lxc-attach", name, "--clear-env", "--") + list(argv), check=check, input_text=input_text)

    @staticmethod
    def memory_mb(name):
        """A running container's memory from its cgroup: anonymous (rss) and working set (usage - inactive file, what
        kubelet reports), in MiB; None when it is not running."""
        if cgroup_v2():
            base = "/sys/fs/cgroup/lxc.payload.%s" % name
            files, rss, inactive = ("memory.stat", "memory.current"), "anon", "inactive_file"
        else:
            base = "/sys/fs/cgroup/memory/lxc.payload.%s" % name
            files, rss, inactive = ("memory.stat", "memory.usage_in_bytes"), "total_rss", "total_inactive_file"
        try:
            with open(os.path.join(base, files[0])) as handle:
                stat = dict((k, int(v)) for k, v in (line.split() for line in handle))
            with open(os.path.join(base, files[1])) as handle:
                usage = int(handle.read())
        except IOError:
            return None
        return {"rss_mb": stat[rss] // 2 ** 20, "working_set_mb": (usage - stat[inactive]) // 2 ** 20}

    def log_tail(self, name, lines=20):
        try:
            with open(os.path.join(self.lxcpath, name, "lxc.log")) as handle:
                return "".join(handle.readlines()[-lines:])
        except IOError:
            return ""


def cgroup_v2():
    return os.path.exists("/sys/fs/cgroup/cgroup.controllers")


# A booted systemd VM holds about 14 inotify instances, all charged to root (the VMs are privileged containers).
INOTIFY_PER_VM = 16
INOTIFY_ROOMY_LIMIT = 1024


def inotify_instances_in_use():
    """inotify instances open by root's processes on this host (the limit fs.inotify.max_user_instances counts)."""
    used = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fd_dir = os.path.join("/proc", pid, "fd")
        try:
            if os.stat(os.path.join("/proc", pid)).st_uid != 0:
                continue
            for fd in os.listdir(fd_dir):
                if os.readlink(os.path.join(fd_dir, fd)) == "anon_inode:inotify":
                    used += 1
        except OSError:  # the process ended, or an fd closed, while we looked
            continue
    return used


def inotify_limit():
    with open("/proc/sys/fs/inotify/max_user_instances") as handle:
        return int(handle.read())


def check_inotify_room():
    """Refuse a VM that the host's inotify limit would kill at boot (systemd: "Too many open files")."""
    limit = inotify_limit()
    if limit >= INOTIFY_ROOMY_LIMIT:
        return  # counting takes ~0.3 s on a busy host; a limit this high is not what stops the next VM
    used = inotify_instances_in_use()
    if limit - used < INOTIFY_PER_VM:
        raise CloudError("the host has %d of %d inotify instances in use (fs.inotify.max_user_instances) and a VM "
                         "needs about %d; raise the limit (sysctl -w fs.inotify.max_user_instances=1024, as "
                         "scripts/install.sh does) or delete VMs" % (used, limit, INOTIFY_PER_VM), ok_to_retry=False)


def check_free_space(directory, size_mb):
    st = os.statvfs(directory)
    free_mb = st.f_bavail * st.f_frsize // (1024 * 1024)
    if free_mb < size_mb:
        raise NoDiskSpace("%s has %s MiB free, %s MiB needed" % (directory, free_mb, size_mb))
