# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Waiting until an intent path is realized (``/infra/realized-state/realized-entities``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtRealizationError, NsxtTimeout


def realized_entities(client, intent_path):
    page = client.get("/infra/realized-state/realized-entities", query={"intent_path": intent_path}) or {}
    return page.get("results") or []


def summarize(entities):
    """One state for a list of realized entities: ERROR wins, then anything not REALIZED, else REALIZED."""
    if not entities:
        return "UNREALIZED"
    states = [e.get("state") for e in entities]
    if "ERROR" in states:
        return "ERROR"
    pending = [s for s in states if s != "REALIZED"]
    return pending[0] if pending else "REALIZED"


def wait_realized(client, intent_path, timeout, interval=None, sleep=time.sleep, clock=time.monotonic):
    """Poll until every realized entity of ``intent_path`` is REALIZED; return the entities.

    Without ``interval`` the poll starts at 0.2 s and backs off to 2 s."""
    deadline = clock() + timeout
    step = interval or 0.2
    while True:
        entities = realized_entities(client, intent_path)
        state = summarize(entities)
        if state == "REALIZED":
            return entities
        if state == "ERROR":
            errors = [e.get("runtime_status") or e.get("publish_status") for e in entities if e.get("state") == "ERROR"]
            raise NsxtRealizationError("NSX-T failed to realize %s: %s" % (intent_path, errors), intent_path=intent_path)
        if clock() >= deadline:
            raise NsxtTimeout("%s was not realized within %s s (last state: %s); check the NSX-T Manager "
                              "alarms for this object or raise realization_timeout" % (intent_path, timeout, state),
                              intent_path=intent_path, state=state)
        sleep(min(step, max(deadline - clock(), 0.05)))
        if not interval:
            step = min(step * 1.5, 2.0)
