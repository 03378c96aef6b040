# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""A small client for the NSX-T Policy API (``/policy/api/v1``) over ``ansible.module_utils.urls``.

- basic auth (default) or a session (``POST /api/session/create``, then the ``JSESSIONID`` cookie and
  ``X-XSRF-TOKEN`` header on every request);
- ``validate_certs`` and ``ca_path``;
- 429 and 503 are retried with a bounded back-off (honouring ``Retry-After``);
- every other HTTP error becomes one ``NsxtApiError`` subclass (see errors.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import Request

from ansible_collections.ondemand.caas.plugins.module_utils.nsxt.errors import NsxtError, NsxtNotFound, api_error

BASE_PATH = "/policy/api/v1"
RETRY_STATUSES = (429, 503)


def _decode(raw):
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except ValueError:
        return {"error_message": (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)[:300]}


class PolicyClient(object):
    """One NSX Manager endpoint. ``sleep`` is injectable so unit tests need not wait."""

    def __init__(self, host, username=None, password=None, validate_certs=True, ca_path=None,
                 auth_mode="basic", timeout=30, retries=4, retry_delay=1.0, sleep=time.sleep):
        if not host:
            raise NsxtError("no NSX-T host given (option host or environment variable NSXT_HOST)")
        self.base = host.rstrip("/") if "://" in host else "https://" + host.rstrip("/")
        self.username = username
        self.password = password
        self.auth_mode = auth_mode
        self.retries = retries
        self.retry_delay = retry_delay
        self.sleep = sleep
        self._session_headers = None
        self._request = Request(validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                                headers={"Accept": "application/json"})
        self.calls = []  # (method, path) of every request sent, for diagnostics and tests

    # --- transport -----------------------------------------------------------------------------
    def _auth_kwargs(self):
        if self.auth_mode == "session":
            return {"headers": self._session()}
        return {"url_username": self.username, "url_password": self.password, "force_basic_auth": True}

    def _session(self):
        if self._session_headers is None:
            data = urlencode({"j_username": self.username or "", "j_password": self.password or ""})
            try:
                resp = self._request.open("POST", self.base + "/api/session/create", data=data,
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})
            except HTTPError as e:
                raise api_error(e.code, _decode(e.read()), "POST", "/api/session/create")
            except URLError as e:
                raise NsxtError("cannot reach NSX-T at %s: %s" % (self.base, e.reason))
            cookie = resp.headers.get("Set-Cookie", "").split(";")[0]
            self._session_headers = {"Cookie": cookie, "X-XSRF-TOKEN": resp.headers.get("X-XSRF-TOKEN", "")}
        return dict(self._session_headers)

    def request(self, method, path, body=None, query=None):
        """Send one request to ``/policy/api/v1<path>``; return the decoded JSON body (or None)."""
        url = self.base + BASE_PATH + path
        if query:
            url += "?" + urlencode(sorted(query.items()))
        data = json.dumps(body) if body is not None else None
        attempt = 0
        while True:
            attempt += 1
            self.calls.append((method, path))
            kwargs = self._auth_kwargs()
            headers = kwargs.pop("headers", {})
            headers["Content-Type"] = "application/json"
            try:
                resp = self._request.open(method, url, data=data, headers=headers, **kwargs)
                return _decode(resp.read())
            except HTTPError as e:
                raw = e.read()
                if e.code in RETRY_STATUSES and attempt <= self.retries:
                    self.sleep(self._retry_after(e, attempt))
                    continue
                raise api_error(e.code, _decode(raw), method, path)
            except URLError as e:
                raise NsxtError("cannot reach NSX-T at %s: %s" % (self.base, e.reason))

    def _retry_after(self, error, attempt):
        try:
            return min(float(error.headers.get("Retry-After")), 30.0)
        except (TypeError, ValueError):
            return min(self.retry_delay * (2 ** (attempt - 1)), 30.0)

    # --- verbs -----------------------------------------------------------------------------------
    def get(self, path, query=None):
        return self.request("GET", path, query=query)

    def get_or_none(self, path):
        try:
            return self.get(path)
        except NsxtNotFound:
            return None

    def patch(self, path, body):
        return self.request("PATCH", path, body=body)

    def put(self, path, body):
        return self.request("PUT", path, body=body)

    def delete(self, path):
        return self.request("DELETE", path)

    def list(self, path, query=None):
        """Every item of a ``*ListResult``, following ``cursor``."""
        items = []
        query = dict(query or {})
        query.setdefault("page_size", 1000)
        while True:
            page = self.get(path, query=query) or {}
            items.extend(page.get("results") or [])
            if not page.get("cursor"):
                return items
            query["cursor"] = page["cursor"]


def quote_path(path):
    return quote(path, safe="")


def client_from_params(params, sleep=time.sleep):
    """Build a PolicyClient from the options documented in doc_fragments/nsxt.py."""
    return PolicyClient(
        host=params.get("host"), username=params.get("username"), password=params.get("password"),
        validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
        auth_mode=params.get("auth_mode") or "basic", timeout=params.get("request_timeout") or 30,
        sleep=sleep)
