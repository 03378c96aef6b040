# -*- coding: utf-8 -*-
"""Polling for the integration tests: wait for a condition instead of sleeping a fixed time."""

import time


def wait_for(predicate, timeout, what, interval=2):
    """Return the first truthy value of predicate(); fail with the last value after timeout seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s after %ss (last: %r)" % (what, timeout, last))
