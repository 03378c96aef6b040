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
  - Measures each task's wall time (all hosts and loop items together), prints the slowest at the end of the
    run, and writes every task's time to the file in O(output_path) when it is set, for the benchmarks.
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

    def _close(self):
        if self._current:
            name, started = self._current
            self._times.append({"task": name, "seconds": round(time.time() - started, 3)})
            self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = (task.get_name(), time.time())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close()
        top = sorted(self._times, key=lambda t: -t["seconds"])[:self.get_option("top")]
        self._display.display("Slowest tasks:")
        for entry in top:
            self._display.display("  %7.2fs  %s" % (entry["seconds"], entry["task"]))
        path = self.get_option("output_path")
        if path:
            with open(path, "w") as handle:
                json.dump(self._times, handle, indent=1)
