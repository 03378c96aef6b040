# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""A small client for the Harbor REST API v2.0 (``/api/v2.0``) over ``ansible.module_utils.urls``.

HTTP basic auth (an admin user or a robot ``robot$...``), ``validate_certs`` and ``ca_path``; list
endpoints are paged with ``page``/``page_size``; every HTTP error becomes one ``HarborApiError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import Request

from ansible_collections.ondemand.caas.plugins.module_utils.harbor.errors import HarborError, HarborNotFound, api_error

BASE_PATH = "/api/v2.0"
PAGE_SIZE = 100


def _decode(raw):
    if not raw:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except ValueError:
        return {"raw": text[:300]}


class HarborClient(object):
    """One Harbor endpoint (``https://host[:port]``)."""

    def __init__(self, url, username=None, password=None, validate_certs=True, ca_path=None, timeout=30):
        if not url:
            raise HarborError("no Harbor URL given (option url or environment variable HARBOR_URL)")
        self.base = (url if "://" in url else "https://" + url).rstrip("/")
        if self.base.endswith(BASE_PATH):
            self.base = self.base[:-len(BASE_PATH)]
        self.username = username
        self.password = password
        self._request = Request(validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                                headers={"Accept": "application/json"})
        self.calls = []  # (method, path) of every request sent, for diagnostics and tests

    def request(self, method, path, body=None, query=None, with_headers=False, headers=None):
        """Send one request to ``/api/v2.0<path>``; return the decoded JSON body (and the headers)."""
        url = self.base + BASE_PATH + path
        if query:
            url += "?" + urlencode(sorted(query.items()))
        data = json.dumps(body) if body is not None else None
        headers = dict(headers or {})
        if data is not None:
            headers["Content-Type"] = "application/json"
        kwargs = {}
        if self.username:
            kwargs = {"url_username": self.username, "url_password": self.password or "", "force_basic_auth": True}
        self.calls.append((method, path))
        try:
            resp = self._request.open(method, url, data=data, headers=headers, **kwargs)
            decoded = _decode(resp.read())
            return (decoded, resp.headers) if with_headers else decoded
        except HTTPError as e:
            raise api_error(e.code, method, path, _decode(e.read()))
        except URLError as e:
            raise HarborError("cannot reach Harbor at %s: %s" % (self.base, e.reason))

    def get(self, path, query=None, headers=None):
        return self.request("GET", path, query=query, headers=headers)

    def get_or_none(self, path, headers=None):
        try:
            return self.get(path, headers=headers)
        except HarborNotFound:
            return None

    def post(self, path, body):
        """POST; return (decoded body, headers) because 201s carry ``Location``."""
        return self.request("POST", path, body=body, with_headers=True)

    def put(self, path, body, headers=None):
        return self.request("PUT", path, body=body, headers=headers)

    def patch(self, path, body):
        return self.request("PATCH", path, body=body)

    def delete(self, path, headers=None):
        return self.request("DELETE", path, headers=headers)

    def list(self, path, query=None):
        """Every item of a list endpoint, page by page until a short page or ``X-Total-Count`` is reached."""
        items = []
        query = dict(query or {})
        page = 1
        while True:
            query.update(page=page, page_size=PAGE_SIZE)
            batch, headers = self.request("GET", path, query=query, with_headers=True)
            batch = batch or []
            items.extend(batch)
            total = headers.get("X-Total-Count") if headers else None
            if len(batch) < PAGE_SIZE or (total is not None and len(items) >= int(total)):
                return items
            page += 1


def quote_segment(value):
    return quote(str(value), safe="")


def client_from_params(params):
    """Build a HarborClient from the options documented in doc_fragments/harbor.py."""
    return HarborClient(url=params.get("url"), username=params.get("username"), password=params.get("password"),
                        validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
                        timeout=params.get("request_timeout") or 30)
