# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Idempotent seeding of a cluster's PKI directory, and the CA rotation steps.

``Seeder.run()`` first reads and checks every file it manages (a corrupt one stops the run
with an error naming it, before anything is written), then works out in memory what must
change, then writes it (unless in check mode). A leaf is reissued only when it is missing,
its key does not match, it expires within ``renew_days``, its subject, SANs, usages or key
type no longer match the input, it is not signed by the current CA, or rotation is asked for.

CA rotation is three runs, each followed by a roll of the files through the nodes:

``begin``    a new CA is made next to the old one (``<ca>.next.crt/.key``); the trust bundles
             (``<ca>-bundle.crt``, and every kubeconfig) now hold old + new; leaves unchanged.
``promote``  the new CA becomes ``<ca>.crt`` (the old one is kept as ``<ca>.prev.crt`` in the
             bundle) and every leaf under it is reissued.
``finish``   the old CA leaves the bundle.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ondemand.caas.plugins.module_utils.pki import crypto, kubeconfig
from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import (
    InvalidInput, PkiFileError, RotationError)
from ansible_collections.ondemand.caas.plugins.module_utils.pki.spec import (
    CA_NAMES, CA_PATHS, CA_SUBJECTS, cert_specs, kubeconfig_specs)

CA_ROTATION_STEPS = ("none", "begin", "promote", "finish")
SA_KEY_TYPE = "rsa-2048"  # service-account tokens: RS256 is what every apiserver version and client accepts


def bundle_path(ca_name):
    return CA_PATHS[ca_name] + "-bundle.crt"


class Change:
    __slots__ = ("path", "action", "reason", "before", "after")

    def __init__(self, path, action, reason, before=None, after=None):
        self.path, self.action, self.reason, self.before, self.after = path, action, reason, before, after

    def as_dict(self):
        return {"path": self.path, "action": self.action, "reason": self.reason}


def _summary(cert):
    if cert is None:
        return "absent"
    info = crypto.describe(cert)
    return "%s | SANs %s | issuer %s | not after %s" % (
        info["subject"], ",".join(info["dns_names"] + info["ip_addresses"]) or "-", info["issuer"],
        info["not_after"][:10])


class Seeder:
    def __init__(self, inp, store, rotate_leaves=(), ca_rotation="none", rotate_cas=CA_NAMES, now=None):
        self.inp = inp
        self.store = store
        self.now = now or crypto.utcnow()
        self.specs = cert_specs(inp)
        self.kubeconfigs = kubeconfig_specs(inp)
        names = set(s.name for s in self.specs)
        rotate_leaves = list(rotate_leaves or ())
        unknown = sorted(set(rotate_leaves) - names - set(["all"]))
        if unknown:
            raise InvalidInput("rotate_leaves: unknown certificate(s) %s" % ", ".join(unknown))
        self.rotate_leaves = names if "all" in rotate_leaves else set(rotate_leaves)
        if ca_rotation not in CA_ROTATION_STEPS:
            raise InvalidInput("ca_rotation: %r is not one of %s" % (ca_rotation, ", ".join(CA_ROTATION_STEPS)))
        bad = sorted(set(rotate_cas or ()) - set(CA_NAMES))
        if bad:
            raise InvalidInput("rotate_cas: unknown CA(s) %s" % ", ".join(bad))
        self.ca_rotation = ca_rotation
        self.rotate_cas = set(rotate_cas or ())
        self.writes = {}
        self.removes = []
        self.changes = []
        self.warnings = []
        self.cas = {}
        self._raw = {}

    # -- reading -----------------------------------------------------------------------------
    def _bytes(self, rel):
        if rel not in self._raw:
            self._raw[rel] = self.store.read(rel)
        return self._raw[rel]

    def _cert(self, rel):
        data = self._bytes(rel)
        return None if data is None else crypto.load_cert(data, self.store.path(rel))

    def _key(self, rel):
        data = self._bytes(rel)
        return None if data is None else crypto.load_key(data, self.store.path(rel))

    def _pair(self, base, required_together=True):
        cert, key = self._cert(base + ".crt"), self._key(base + ".key")
        if (cert is None) != (key is None) and required_together:
            present, missing = (base + ".crt", base + ".key") if key is None else (base + ".key", base + ".crt")
            raise PkiFileError("%s exists but %s is missing; restore it or remove both"
                               % (self.store.path(present), self.store.path(missing)), path=self.store.path(missing))
        if cert is not None and key is not None and not crypto.key_matches(key, cert):
            raise PkiFileError("%s does not match %s" % (self.store.path(base + ".key"), self.store.path(base + ".crt")),
                               path=self.store.path(base + ".key"))
        return cert, key

    def preload(self):
        """Parse every managed file first, so a corrupt one fails the run before any write."""
        for name in CA_NAMES:
            base = CA_PATHS[name]
            self._pair(base)
            self._pair(base + ".next")
            self._cert(base + ".prev.crt")
        for spec in self.specs:
            self._cert(spec.name + ".crt")
            self._key(spec.name + ".key")
        self._key("sa.key")

    # -- writing -----------------------------------------------------------------------------
    def _write(self, rel, data, action, reason, before=None, after=None):
        if self._bytes(rel) == data:
            return False
        self.writes[rel] = data
        self._raw[rel] = data
        self.changes.append(Change(rel, action, reason, before, after))
        return True

    def _remove(self, rel, reason):
        if self._bytes(rel) is None:
            return
        self.removes.append(rel)
        self._raw[rel] = None
        self.changes.append(Change(rel, "remove", reason, "present", "absent"))

    # -- the steps ---------------------------------------------------------------------------
    def _new_ca(self, name):
        key = crypto.generate_key(self.inp.key_type)
        cert = crypto.make_ca(key, CA_SUBJECTS[name], self.inp.ca_days, self.now)
        return cert, key

    def _seed_ca(self, name):
        base = CA_PATHS[name]
        cert, key = self._pair(base)
        step = self.ca_rotation if name in self.rotate_cas else "none"
        if cert is None:
            if step in ("promote", "finish"):
                raise RotationError("%s: cannot %s a rotation of a CA that does not exist" % (name, step))
            cert, key = self._new_ca(name)
            self._write(base + ".key", crypto.key_pem(key), "create", "missing", "absent", "<private key>")
            self._write(base + ".crt", crypto.cert_pem(cert), "create", "missing", "absent", _summary(cert))
        nxt, nxt_key = self._pair(base + ".next")
        prev = self._cert(base + ".prev.crt")
        if step == "begin" and nxt is None:
            if prev is not None:
                raise RotationError("%s: the previous rotation is not finished (%s exists); run ca_rotation=finish"
                                    % (name, self.store.path(base + ".prev.crt")))
            nxt, nxt_key = self._new_ca(name)
            self._write(base + ".next.key", crypto.key_pem(nxt_key), "create", "CA rotation begun", "absent",
                        "<private key>")
            self._write(base + ".next.crt", crypto.cert_pem(nxt), "create", "CA rotation begun", "absent",
                        _summary(nxt))
        elif step == "promote":
            if nxt is not None:
                prev, old_cert = cert, cert
                cert, key = nxt, nxt_key
                self._write(base + ".prev.crt", crypto.cert_pem(old_cert), "create", "CA rotation: old CA kept in trust",
                            "absent", _summary(old_cert))
                self._write(base + ".key", crypto.key_pem(key), "rotate", "CA rotation: new CA promoted",
                            "<private key>", "<private key>")
                self._write(base + ".crt", crypto.cert_pem(cert), "rotate", "CA rotation: new CA promoted",
                            _summary(old_cert), _summary(cert))
                self._remove(base + ".next.crt", "CA rotation: promoted")
                self._remove(base + ".next.key", "CA rotation: promoted")
                nxt = None
            elif prev is None:
                raise RotationError("%s: nothing to promote; run ca_rotation=begin first" % name)
        elif step == "finish":
            if nxt is not None:
                raise RotationError("%s: the new CA is not promoted yet; run ca_rotation=promote first" % name)
            if prev is not None:
                self._remove(base + ".prev.crt", "CA rotation finished: old CA leaves the trust bundle")
                prev = None
        bundle = b"".join(crypto.cert_pem(c) for c in (cert, nxt, prev) if c is not None)
        self._write(bundle_path(name), bundle, "update" if self._bytes(bundle_path(name)) else "create",
                    "trust bundle: %d CA(s)" % (1 + (nxt is not None) + (prev is not None)))
        left = crypto.days_left(cert, self.now)
        if left < max(self.inp.renew_days, 1) * 3:
            self.warnings.append("%s CA (%s) expires in %d days; rotate it with ca_rotation=begin/promote/finish"
                                 % (name, self.store.path(base + ".crt"), left))
        if crypto.key_type_of(cert.public_key()) != self.inp.key_type:
            self.warnings.append("%s CA key is %s, not %s; it changes only with a CA rotation"
                                 % (name, crypto.key_type_of(cert.public_key()), self.inp.key_type))
        self.cas[name] = (cert, key, bundle)

    def _leaf_reason(self, spec, cert, key, ca_cert):
        if cert is None or key is None:
            return "missing"
        if not crypto.key_matches(key, cert):
            return "key does not match certificate"
        left = crypto.days_left(cert, self.now)
        if left < self.inp.renew_days:
            return "expires in %.0f days" % left
        return crypto.mismatch(spec, cert, self.inp.key_type, ca_cert)

    def _seed_leaf(self, spec):
        cert, key = self._cert(spec.name + ".crt"), self._key(spec.name + ".key")
        ca_cert, ca_key, _bundle = self.cas[spec.ca]
        reason = self._leaf_reason(spec, cert, key, ca_cert)
        if reason is None and spec.name in self.rotate_leaves:
            reason = "rotation requested"
        if reason is None:
            return
        action = "create" if cert is None else "renew"
        before = _summary(cert)
        key = crypto.generate_key(self.inp.key_type)
        cert = crypto.make_leaf(spec, key, ca_cert, ca_key, self.inp.leaf_days, self.now)
        self._write(spec.name + ".key", crypto.key_pem(key), action, reason, "<private key>" if before != "absent"
                    else "absent", "<private key>")
        self._write(spec.name + ".crt", crypto.cert_pem(cert), action, reason, before, _summary(cert))

    def _seed_sa(self):
        key = self._key("sa.key")
        if key is None:
            key = crypto.generate_key(SA_KEY_TYPE)
            self._write("sa.key", crypto.key_pem(key), "create", "missing", "absent", "<private key>")
        self._write("sa.pub", crypto.public_pem(key), "create" if self._bytes("sa.pub") is None else "update",
                    "derived from sa.key")

    def _seed_kubeconfig(self, spec):
        bundle = self.cas["kubernetes"][2]
        data = kubeconfig.render(self.inp.cluster, spec.server, spec.user, bundle,
                                 self._bytes(spec.cert + ".crt"), self._bytes(spec.cert + ".key"))
        existed = self._bytes(spec.name) is not None
        self._write(spec.name, data, "update" if existed else "create",
                    "credentials, server or CA bundle changed" if existed else "missing",
                    "<kubeconfig>" if existed else "absent", "<kubeconfig>")

    # -- the run -----------------------------------------------------------------------------
    def run(self, check_mode=False):
        if not check_mode:
            self.store.check_writable()
        self.preload()
        for name in CA_NAMES:
            self._seed_ca(name)
        for spec in self.specs:
            self._seed_leaf(spec)
        self._seed_sa()
        for spec in self.kubeconfigs:
            self._seed_kubeconfig(spec)
        if not check_mode and (self.writes or self.removes or not self.store.exists("")):
            self.store.ensure_root()
            for rel in sorted(self.writes, key=lambda r: (not r.endswith(".key"), r)):
                self.store.write(rel, self.writes[rel])
            for rel in self.removes:
                self.store.remove(rel)
        known = set(n.name for n in self.inp.nodes)
        stale = [n for n in self.store.node_dirs() if n not in known]
        return {
            "changed": bool(self.changes),
            "changes": [c.as_dict() for c in self.changes],
            "cluster_dir": self.store.root,
            "stale_nodes": stale,
            "warnings": self.warnings,
            "ca_rotation": dict((n, self._rotation_state(n)) for n in CA_NAMES),
            "diff": self.diff(),
        }

    def _rotation_state(self, name):
        base = CA_PATHS[name]
        if self._bytes(base + ".next.crt") is not None:
            return "begun"
        if self._bytes(base + ".prev.crt") is not None:
            return "promoted"
        return "none"

    def diff(self):
        before, after = [], []
        for c in self.changes:
            before.append("%s: %s\n" % (c.path, c.before if c.before is not None else "present"))
            after.append("%s: %s  (%s: %s)\n" % (c.path, c.after if c.after is not None else "new content",
                                                 c.action, c.reason))
        return {"before_header": self.store.root, "after_header": self.store.root,
                "before": "".join(before), "after": "".join(after)}
