# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_timer
type: aggregate
short_description: Time every task, print the slowest, and optionally save them as JSON
version_added: 0.1.0
description:
  - Measures each task's wall time (all hosts and loop items together) and each host's share of it (from the
    host's start of the task to its result), prints the slowest at the end of the run, and writes every task's
    time (with C(hosts), seconds per host) to the file in O(output_path) when it is set, for the benchmarks.
author: ondemand.caas developers (@ondemand)
options:
  output_path:
    description: JSON file to write the task times to.
    type: path
    env:
      - name: CAAS_TASK_TIMES
    ini:
      - section: callback_task_timer
        key: output_path
  top:
    description: How many of the slowest tasks to print.
    type: int
    default: 10
    env:
      - name: CAAS_TASK_TIMES_TOP
requirements:
  - enable in ansible.cfg (C(callbacks_enabled = ondemand.caas.task_timer)) or ANSIBLE_CALLBACKS_ENABLED
'''

import json
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ondemand.caas.task_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._times = []
        self._current = None
        self._started = {}    # (host, task uuid) -> when the host started the task
        self._hosts = {}      # task uuid -> {host: seconds}; by uuid, as hosts run tasks at their own pace (free)

    def _close(self):
        if self._current:
            name, started, uuid = self._current
            self._times.append({"task": name, "seconds": round(time.time() - started, 3), "uuid": uuid})
            self._current = None

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _host_done(self, result):
        key = (result._host.get_name(), result._task._uuid)
        if key in self._started:
            hosts = self._hosts.setdefault(key[1], {})
            hosts[key[0]] = hosts.get(key[0], 0) + time.time() - self._started.pop(key)

    def v2_runner_on_ok(self, result):
        self._host_done(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._host_done(result)

    def v2_runner_on_skipped(self, result):
        self._host_done(result)

    def v2_runner_on_unreachable(self, result):
        self._host_done(result)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = (task.get_name(), time.time(), task._uuid)

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close()
        for entry in self._times:
            entry["hosts"] = dict((h, round(s, 3)) for h, s in self._hosts.get(entry.pop("uuid"), {}).items())
        top = sorted(self._times, key=lambda t: -t["seconds"])[:self.get_option("top")]
        self._display.display("Slowest tasks:")
        for entry in top:
            self._display.display("  %7.2fs  %s" % (entry["seconds"], entry["task"]))
        path = self.get_option("output_path")
        if path:
            with open(path, "w") as handle:
                json.dump(self._times, handle, indent=1)
