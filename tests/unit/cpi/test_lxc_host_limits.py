# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The LXC provider refuses a VM the host's inotify limit would kill at boot, with what to do about it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ctypes
import os

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.cpi import lxc_host
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import CloudError


def test_a_full_inotify_table_is_refused_with_the_fix(monkeypatch):
    monkeypatch.setattr(lxc_host, "inotify_limit", lambda: 128)
    monkeypatch.setattr(lxc_host, "inotify_instances_in_use", lambda: 120)
    with pytest.raises(CloudError, match=r"120 of 128 inotify instances.*max_user_instances=1024"):
        lxc_host.check_inotify_room()


def test_room_for_one_more_vm_passes(monkeypatch):
    monkeypatch.setattr(lxc_host, "inotify_limit", lambda: 128)
    monkeypatch.setattr(lxc_host, "inotify_instances_in_use", lambda: 100)
    lxc_host.check_inotify_room()


def test_a_roomy_limit_is_not_counted(monkeypatch):
    monkeypatch.setattr(lxc_host, "inotify_limit", lambda: 1024)

    def count():
        raise AssertionError("counted although the limit is roomy")
    monkeypatch.setattr(lxc_host, "inotify_instances_in_use", count)
    lxc_host.check_inotify_room()


def test_counting_sees_this_process_inotify_instances():
    # An absolute floor, not a difference: other processes on the host open and close instances meanwhile.
    libc = ctypes.CDLL(None, use_errno=True)
    fds = [libc.inotify_init() for instance in range(20)]
    try:
        assert all(fd >= 0 for fd in fds)
        assert lxc_host.inotify_instances_in_use() >= len(fds)
    finally:
        for fd in fds:
            if fd >= 0:
                os.close(fd)
