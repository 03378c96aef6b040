# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""TEST DOUBLE of the Harbor REST API v2.0 (``/api/v2.0``) -- not Harbor, not a simulator of it.

Harbor (a dozen Docker containers) cannot run here, so the harbor_* modules are tested against this small
HTTPS server on 127.0.0.1. It serves only the endpoints the collection uses:

- ``/projects`` (GET list, POST create: 201 + ``Location``, 409 on a duplicate name, 400 on a bad name),
  ``/projects/{project_name_or_id}`` (GET, PUT merges ``metadata``, DELETE: 412 while the project holds
  repositories), honouring ``X-Is-Resource-Name``;
- ``/robots`` (GET list paged with ``X-Total-Count``, POST: 201 ``RobotCreated`` with the secret, 409 on a
  duplicate) and ``/robots/{robot_id}`` (GET never shows the secret, PUT, PATCH ``RefreshSec``, DELETE);
  project robots are named ``robot$<project>+<name>``, system robots ``robot$<name>``;
- ``/health``, ``/ping``, ``/systeminfo``;
- HTTP basic auth (401 with Harbor's ``Errors`` body otherwise); robots can authenticate as ``robot$...``.

Contract: when ``swagger.yaml`` (shared/specs/harbor, Harbor's own API description) is present, every request is
checked against it before it is served -- the path and method must be an operation of the swagger, query
parameters must be declared there and required ones present, and the JSON body must validate against the
operation's body schema (with unknown properties refused, so a typo in a field name fails) -- and every
answer of the double is checked against the documented response schema too. A request that breaks the
contract gets 400 ``CONTRACT`` and is recorded in ``violations``, which tests assert to be empty.
"""

from __future__ import absolute_import, division, print_function

import base64
import copy
import datetime
import json
import os
import re
import sys
import secrets
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from https_double import HttpsDouble  # noqa: E402  (doubles are loaded by file path)

BASE = "/api/v2.0"
DEFAULT_SWAGGER = os.environ.get("CAAS_HARBOR_SWAGGER", os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "specs", "harbor", "swagger.yaml"))
if not os.path.exists(DEFAULT_SWAGGER):
    DEFAULT_SWAGGER = "/work/shared/specs/harbor/swagger.yaml"
PROJECT_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


class Fault(Exception):
    def __init__(self, status, code, message):
        super(Fault, self).__init__(message)
        self.status, self.code, self.message = status, code, message


class SwaggerContract(object):
    """The request/response rules of a Swagger 2.0 file, applied to one call at a time."""

    def __init__(self, path):
        import yaml
        with open(path) as handle:
            self.spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.base = self.spec.get("basePath", "")
        self.definitions = dict((k, _strict(v)) for k, v in self.spec["definitions"].items())
        self.routes = []
        for template, item in self.spec["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self.routes.append((re.compile(pattern), template, item))
        # literal paths before templated ones (/robots/x vs /robots/{robot_id})
        self.routes.sort(key=lambda r: r[1].count("{"))

    def _param(self, param):
        if "$ref" in param:
            return self.spec["parameters"][param["$ref"].split("/")[-1]]
        return param

    def operation(self, method, path):
        for pattern, template, item in self.routes:
            if pattern.match(path) and method.lower() in item:
                common = [self._param(p) for p in item.get("parameters", [])]
                op = item[method.lower()]
                return template, op, common + [self._param(p) for p in op.get("parameters", [])]
        return None, None, None

    def _schema(self, schema):
        return dict(_strict(schema), definitions=self.definitions)

    def check_request(self, method, path, query, headers, body):
        import jsonschema
        template, op, params = self.operation(method, path)
        if op is None:
            return None, ["%s %s%s is not an operation of the swagger" % (method, self.base, path)]
        problems = []
        declared_query = set(p["name"] for p in params if p["in"] == "query")
        for name in query:
            if name not in declared_query:
                problems.append("query parameter %r is not declared for %s %s" % (name, method, template))
        for p in params:
            if not p.get("required"):
                continue
            if p["in"] == "query" and p["name"] not in query:
                problems.append("required query parameter %r missing" % p["name"])
            if p["in"] == "header" and headers.get(p["name"]) is None:
                problems.append("required header %r missing" % p["name"])
            if p["in"] == "body" and body is None:
                problems.append("required body %r missing" % p["name"])
        body_params = [p for p in params if p["in"] == "body"]
        if body is not None and not body_params:
            problems.append("%s %s takes no body" % (method, template))
        for p in body_params:
            if body is None:
                continue
            for error in jsonschema.Draft4Validator(self._schema(p["schema"])).iter_errors(body):
                problems.append("body %s: %s" % ("/".join(str(x) for x in error.absolute_path) or "(root)",
                                                 error.message))
        return template, problems

    def check_response(self, method, template, status, body):
        import jsonschema
        op = self.spec["paths"][template][method.lower()]
        response = op["responses"].get(str(status))
        if response is None:
            return ["status %s is not documented for %s %s" % (status, method, template)]
        if "schema" not in response or body is None:
            return []
        return ["response %s: %s" % ("/".join(str(x) for x in e.absolute_path) or "(root)", e.message)
                for e in jsonschema.Draft4Validator(self._schema(response["schema"])).iter_errors(body)]


_CONTRACTS = {}


def _contract(path):
    """One parsed swagger per file and process (it is 320 kB of YAML)."""
    if path not in _CONTRACTS:
        _CONTRACTS[path] = SwaggerContract(path)
    return _CONTRACTS[path]


def _strict(schema):
    """Swagger schema -> JSON schema: unknown properties refused, ``x-nullable`` allows null."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = dict((k, _strict(v)) for k, v in schema.items())
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.get("x-nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if "$ref" in out:
        ref = out["$ref"]
        if out.get("x-nullable"):
            return {"anyOf": [{"$ref": ref}, {"type": "null"}]}
        return {"$ref": ref}
    return out


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class HarborApiDouble(HttpsDouble):
    """TEST DOUBLE. ``start()`` serves HTTPS on 127.0.0.1; state and knobs are plain attributes."""

    name = "harbor-api-test-double"

    def __init__(self, username="admin", password="Harbor12345", swagger_path=DEFAULT_SWAGGER):
        self.username = username
        self.password = password
        self.contract = _contract(swagger_path) if swagger_path and os.path.exists(swagger_path) else None
        self.projects = {}     # id -> project
        self.robots = {}       # id -> robot (with its secret)
        self.repo_count = {}   # project name -> repositories (DELETE answers 412 while > 0)
        self.requests = []     # dicts: method, path, template, query, body, status, user
        self.violations = []   # contract problems (requests and responses)
        self.checked = 0       # requests checked against the swagger
        self.next_id = {"project": 2, "robot": 1}
        self.lock = threading.RLock()
        self.server = None
        self.tmpdir = None
        self.projects[1] = self._new_project(1, "library", {"public": "true"})

    def writes(self):
        return [r for r in self.requests if r["method"] not in ("GET", "HEAD")]

    # --- model -----------------------------------------------------------------------------------
    def _new_project(self, pid, name, metadata):
        return {"project_id": pid, "name": name, "owner_id": 1, "owner_name": "admin", "creation_time": _now(),
                "update_time": _now(), "deleted": False, "repo_count": 0, "metadata": dict(metadata)}

    def project_by(self, ref, by_name):
        with self.lock:
            for p in self.projects.values():
                if (by_name or not ref.isdigit()) and p["name"] == ref:
                    return p
                if not by_name and ref.isdigit() and p["project_id"] == int(ref):
                    return p
        return None

    def _project(self, ref, headers):
        project = self.project_by(ref, (headers.get("X-Is-Resource-Name") or "").lower() == "true")
        if project is None:
            raise Fault(404, "NOT_FOUND", "project %s not found" % ref)
        return project

    def _public_project(self, p):
        return dict(p, repo_count=self.repo_count.get(p["name"], 0))

    def _public_robot(self, r):
        return dict((k, v) for k, v in r.items() if k != "secret")

    def handle(self, method, path, query, headers, body, user):
        with self.lock:
            return self._handle(method, path, query, headers, body, user)

    def _handle(self, method, path, query, headers, body, user):
        if path == "/ping":
            return 200, "Pong", {}
        if path == "/health":
            return 200, {"status": "healthy", "components": [{"name": n, "status": "healthy"} for n in
                                                            ("core", "database", "jobservice", "portal",
                                                             "redis", "registry", "registryctl")]}, {}
        if path == "/systeminfo":
            return 200, {"harbor_version": "v2.x-test-double", "auth_mode": "db_auth", "with_notary": False,
                         "self_registration": False, "has_ca_root": False, "read_only": False}, {}
        if user is None:
            raise Fault(401, "UNAUTHORIZED", "unauthorized")
        if user != self.username:
            raise Fault(403, "FORBIDDEN", "forbidden")
        if path == "/projects":
            if method == "GET":
                items = sorted(self.projects.values(), key=lambda p: p["project_id"])
                if query.get("name"):
                    items = [p for p in items if p["name"] == query["name"]]
                return self._page(items, query, self._public_project)
            name = (body or {}).get("project_name") or ""
            if not PROJECT_NAME.match(name) or len(name) > 255:
                raise Fault(400, "BAD_REQUEST", "project name is not in lower case or contains illegal characters")
            if self.project_by(name, True):
                raise Fault(409, "CONFLICT", "The project named %s already exists" % name)
            pid = self.next_id["project"]
            self.next_id["project"] += 1
            metadata = {"public": "false"}
            metadata.update((body or {}).get("metadata") or {})
            if body.get("public") is not None:
                metadata["public"] = "true" if body["public"] else "false"
            self.projects[pid] = self._new_project(pid, name, metadata)
            location = BASE + "/projects/%s" % (name if headers.get("X-Resource-Name-In-Location") == "true" else pid)
            return 201, None, {"Location": location}
        m = re.match(r"^/projects/([^/]+)$", path)
        if m:
            project = self._project(m.group(1), headers)
            if method == "GET":
                return 200, self._public_project(project), {}
            if method == "PUT":
                project["metadata"].update((body or {}).get("metadata") or {})
                if body.get("public") is not None:
                    project["metadata"]["public"] = "true" if body["public"] else "false"
                project["update_time"] = _now()
                return 200, None, {}
            if self.repo_count.get(project["name"], 0) > 0:
                raise Fault(412, "PRECONDITION", "the project contains repositories, can not be deleted")
            del self.projects[project["project_id"]]
            return 200, None, {}
        if path == "/robots":
            if method == "GET":
                return self._page(sorted(self.robots.values(), key=lambda r: r["id"]), query, self._public_robot)
            return self._create_robot(body)
        m = re.match(r"^/robots/([0-9]+)$", path)
        if m:
            robot = self.robots.get(int(m.group(1)))
            if robot is None:
                raise Fault(404, "NOT_FOUND", "robot %s not found" % m.group(1))
            if method == "GET":
                return 200, self._public_robot(robot), {}
            if method == "DELETE":
                del self.robots[robot["id"]]
                return 200, None, {}
            if method == "PATCH":
                robot["secret"] = (body or {}).get("secret") or secrets.token_urlsafe(24)
                return 200, {"secret": robot["secret"]}, {}
            # PUT: Harbor refuses to change name or level
            if body.get("name") != robot["name"] or body.get("level") != robot["level"]:
                raise Fault(400, "BAD_REQUEST", "cannot update the name or level of a robot")
            self._check_permissions(body)
            for key in ("description", "disable", "duration", "permissions"):
                if key in body:
                    robot[key] = copy.deepcopy(body[key])
            robot["update_time"] = _now()
            return 200, None, {}
        raise Fault(404, "NOT_FOUND", "no such path in the test double: %s" % path)

    def _check_permissions(self, body):
        for perm in body.get("permissions") or []:
            if perm.get("kind") == "project" and not self.project_by(perm.get("namespace") or "", True):
                raise Fault(404, "NOT_FOUND", "project %s not found" % perm.get("namespace"))
            for access in perm.get("access") or []:
                if not access.get("resource") or not access.get("action"):
                    raise Fault(400, "BAD_REQUEST", "access needs resource and action")

    def _create_robot(self, body):
        body = body or {}
        level, name = body.get("level"), body.get("name") or ""
        if level not in ("project", "system"):
            raise Fault(400, "BAD_REQUEST", "bad request: level must be project or system")
        if not name or not PROJECT_NAME.match(name):
            raise Fault(400, "BAD_REQUEST", "bad request: robot name")
        duration = body.get("duration", -1)
        if duration != -1 and (duration is None or duration <= 0):
            raise Fault(400, "BAD_REQUEST", "bad request: duration must be -1 or a positive integer")
        self._check_permissions(body)
        if level == "project":
            perms = body.get("permissions") or []
            if len(perms) != 1 or perms[0].get("kind") != "project":
                raise Fault(400, "BAD_REQUEST", "bad request: a project robot needs one project permission")
            full = "robot$%s+%s" % (perms[0]["namespace"], name)
        else:
            full = "robot$" + name
        if any(r["name"] == full for r in self.robots.values()):
            raise Fault(409, "CONFLICT", "robot account %s already exists" % full)
        rid = self.next_id["robot"]
        self.next_id["robot"] += 1
        now = _now()
        self.robots[rid] = {"id": rid, "name": full, "description": body.get("description") or "", "level": level,
                            "duration": duration, "editable": True, "disable": bool(body.get("disable")),
                            "expires_at": -1, "permissions": copy.deepcopy(body.get("permissions") or []),
                            "creator_type": "local", "creator_ref": 1, "creation_time": now, "update_time": now,
                            "secret": body.get("secret") or secrets.token_urlsafe(24)}
        return 201, {"id": rid, "name": full, "secret": self.robots[rid]["secret"], "creation_time": now,
                     "expires_at": -1}, {"Location": BASE + "/robots/%d" % rid}

    @staticmethod
    def _page(items, query, public):
        page = int(query.get("page") or 1)
        size = int(query.get("page_size") or 10)
        chosen = items[(page - 1) * size:page * size]
        return 200, [public(i) for i in chosen], {"X-Total-Count": str(len(items))}

    def authenticate(self, user, password):
        if (user, password) == (self.username, self.password):
            return user
        for robot in self.robots.values():
            if robot["name"] == user and robot["secret"] == password and not robot["disable"]:
                return user
        return None


class _Handler(BaseHTTPRequestHandler):
    api = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _user(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, pwd = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        return self.api.authenticate(user, pwd)

    def _reply(self, status, body, headers=None):
        if isinstance(body, str):
            raw, ctype = body.encode("utf-8"), "text/plain"
        else:
            raw, ctype = (json.dumps(body).encode("utf-8") if body is not None else b""), "application/json"
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if raw:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    def _any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = unquote(url.path)
        sub = path[len(BASE):] if path.startswith(BASE + "/") else None
        query = dict((k, v[-1]) for k, v in parse_qs(url.query).items())
        record = {"method": self.command, "path": sub or path, "template": None, "query": query, "body": None,
                  "status": None, "user": None}
        self.api.requests.append(record)
        if sub is None:
            record["status"] = 404
            return self._reply(404, {"errors": [{"code": "NOT_FOUND", "message": "not under %s" % BASE}]})
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            record["status"] = 400
            return self._reply(400, {"errors": [{"code": "BAD_REQUEST", "message": "body is not JSON"}]})
        record["body"] = body
        contract = self.api.contract
        if contract is not None:
            template, problems = contract.check_request(self.command, sub, query, self.headers, body)
            record["template"] = template
            self.api.checked += 1
            if problems:
                self.api.violations.extend("%s %s: %s" % (self.command, sub, p) for p in problems)
                record["status"] = 400
                return self._reply(400, {"errors": [{"code": "CONTRACT", "message": "; ".join(problems)}]})
        user = self._user()
        record["user"] = user
        try:
            status, answer, headers = self.api.handle(self.command, sub, query, self.headers, body, user)
        except Fault as fault:
            status, answer, headers = fault.status, {"errors": [{"code": fault.code, "message": fault.message}]}, {}
        record["status"] = status
        if contract is not None and record["template"]:
            problems = contract.check_response(self.command, record["template"], status,
                                               answer if not isinstance(answer, str) else None)
            self.api.violations.extend("response to %s %s: %s" % (self.command, sub, p) for p in problems)
        headers = dict(headers, **{"X-Request-Id": self.headers.get("X-Request-Id") or secrets.token_hex(8)})
        return self._reply(status, answer, headers)

    do_GET = do_PATCH = do_PUT = do_DELETE = do_POST = do_HEAD = _any



HarborApiDouble.handler_class = _Handler


if __name__ == "__main__":  # manual use: python tests/doubles/harbor_api.py
    import time
    d = HarborApiDouble().start()
    print(json.dumps({"url": d.url, "ca_path": d.ca_path, "username": d.username, "password": d.password,
                      "contract": d.contract is not None}))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        d.stop()
