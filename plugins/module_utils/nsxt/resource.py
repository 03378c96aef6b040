# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Desired-state logic for one Policy object, shared by every nsxt_* module.

Compared with ansible-for-nsxt: GET first (404 means create); PATCH carries only the fields the
user set; ``changed`` comes from comparing those fields with what NSX holds (not from the revision
counter, and check mode reports the same answer a real run would); an update sends the ``_revision``
just read and, on 412, re-reads once, re-compares and retries; DELETE is followed by waiting until
the object is gone; ``before``/``after`` are returned for diff mode. Objects tagged for another
cluster are never modified or deleted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import (
    NsxtInvalidInput, NsxtOwnershipError, NsxtPreconditionFailed, NsxtTimeout)

CLUSTER_SCOPE = "ondemand.caas/cluster"
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")
HIDDEN = ("_", "path", "parent_path", "relative_path", "remote_path", "unique_id", "realization_id",
          "owner_id", "marked_for_delete", "overridden")


def validate_id(object_id, what="id"):
    if not isinstance(object_id, str) or not ID_RE.match(object_id):
        raise NsxtInvalidInput("invalid %s %r: use 1-255 characters from [A-Za-z0-9_.-], starting with a letter or digit"
                               % (what, object_id))
    return object_id


def tags_with_cluster(tags, cluster):
    """User tags plus the ``ondemand.caas/cluster`` tag; None when neither is given (leave tags alone)."""
    if tags is None and not cluster:
        return None
    result = [{"scope": t.get("scope") or "", "tag": t["tag"]} for t in (tags or []) if t.get("scope") != CLUSTER_SCOPE]
    if cluster:
        result.append({"scope": CLUSTER_SCOPE, "tag": cluster})
    return result


def owner_of(obj):
    for t in (obj or {}).get("tags") or []:
        if t.get("scope") == CLUSTER_SCOPE:
            return t.get("tag")
    return None


def check_owner(existing, cluster, path):
    owner = owner_of(existing)
    if existing is not None and cluster and owner is not None and owner != cluster:
        raise NsxtOwnershipError("%s belongs to cluster %r (tag %s), not %r; refusing to touch it"
                                 % (path, owner, CLUSTER_SCOPE, cluster), path=path, owner=owner)


def _key(item):
    return repr(sorted(item.items())) if isinstance(item, dict) else repr(item)


def matches(desired, actual):
    """True if every field the user set already has that value in ``actual``.

    Dicts compare as subsets (fields the user did not set are ignored); ``tags`` and lists of scalars
    compare as multisets (NSX does not promise order); other lists compare element by element."""
    if isinstance(desired, dict):
        if not isinstance(actual, dict):
            return False
        return all(matches(v, actual.get(k)) for k, v in desired.items())
    if isinstance(desired, list):
        if not isinstance(actual, list) or len(desired) != len(actual):
            return False
        if all(not isinstance(d, (dict, list)) for d in desired) or _is_tag_list(desired):
            return sorted(_key(d) for d in desired) == sorted(_key(a) for a in actual)
        return all(matches(d, a) for d, a in zip(desired, actual))
    return desired == actual


def _is_tag_list(items):
    return all(isinstance(i, dict) and set(i) <= {"scope", "tag"} for i in items)


def visible(obj):
    """The object without read-only bookkeeping, for diff output."""
    if obj is None:
        return {}
    return dict((k, v) for k, v in obj.items() if not k.startswith("_") and k not in HIDDEN)


def merged(existing, desired):
    out = dict(visible(existing))
    out.update(desired)
    return out


def ensure_present(client, path, desired, check_mode=False, cluster=None):
    """Make the object at ``path`` carry ``desired``; return ``{changed, object, before, after}``."""
    existing = client.get_or_none(path)
    check_owner(existing, cluster, path)
    if existing is None:
        if not check_mode:
            client.patch(path, desired)
            existing_after = client.get(path)
        else:
            existing_after = dict(desired)
        return {"changed": True, "object": existing_after, "before": {}, "after": merged(None, desired)}
    if matches(desired, existing):
        return {"changed": False, "object": existing, "before": visible(existing), "after": visible(existing)}
    before = visible(existing)
    if check_mode:
        return {"changed": True, "object": existing, "before": before, "after": merged(existing, desired)}
    for attempt in (1, 2):
        body = dict(desired)
        body["_revision"] = existing.get("_revision")
        try:
            client.patch(path, body)
            break
        except NsxtPreconditionFailed as e:
            if attempt == 2:
                e.message = ("%s changed again while we were updating it (412 twice); someone else is editing "
                             "it: try again later" % path)
                e.args = (e.message,)
                raise
            existing = client.get_or_none(path)  # someone else changed it: re-read, re-compare, retry once
            if existing is None:
                client.patch(path, desired)
                break
            check_owner(existing, cluster, path)
            if matches(desired, existing):
                return {"changed": False, "object": existing, "before": visible(existing), "after": visible(existing)}
    after = client.get(path)
    return {"changed": True, "object": after, "before": before, "after": visible(after)}


def wait_gone(client, path, timeout, interval=0.5, sleep=time.sleep, clock=time.monotonic):
    deadline = clock() + timeout
    while client.get_or_none(path) is not None:
        if clock() >= deadline:
            raise NsxtTimeout("%s still exists %s s after DELETE" % (path, timeout), path=path)
        sleep(interval)


def ensure_absent(client, path, check_mode=False, cluster=None, timeout=60, sleep=time.sleep):
    existing = client.get_or_none(path)
    if existing is None:
        return {"changed": False, "object": None, "before": {}, "after": {}}
    check_owner(existing, cluster, path)
    if not check_mode:
        client.delete(path)
        wait_gone(client, path, timeout, sleep=sleep)
    return {"changed": True, "object": None, "before": visible(existing), "after": {}}
