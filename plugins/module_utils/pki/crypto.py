# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Key and certificate primitives on ``cryptography``: make, load, describe, compare.

Keys are written unencrypted in the traditional PEM forms kubeadm writes ("RSA PRIVATE KEY",
"EC PRIVATE KEY"), which every Go and OpenSSL consumer reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the modules
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = exc

from ansible_collections.ondemand.caas.plugins.module_utils.pki.errors import PkiFileError

BACKDATE = datetime.timedelta(minutes=5)
_EKU = {}
if HAS_CRYPTOGRAPHY:
    _EKU = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def generate_key(key_type):
    if key_type == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    bits = {"rsa-2048": 2048, "rsa-4096": 4096}[key_type]
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def key_type_of(key):
    public = key.public_key() if hasattr(key, "public_key") else key
    if isinstance(public, ec.EllipticCurvePublicKey):
        return "ecdsa-p256" if public.curve.name == "secp256r1" else "ecdsa-" + public.curve.name
    if isinstance(public, rsa.RSAPublicKey):
        return "rsa-%d" % public.key_size
    return type(public).__name__


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _public_der(public):
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches(key, cert):
    return _public_der(key.public_key()) == _public_der(cert.public_key())


def _load_pem_key(data):
    # The RSA consistency check costs ~30 ms a key; the keys are ours and each is matched against its
    # certificate anyway, so skip it where cryptography (>= 39) allows.
    try:
        return serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return serialization.load_pem_private_key(data, password=None)


def load_key(data, path):
    try:
        return _load_pem_key(data)
    except (ValueError, TypeError) as exc:
        raise PkiFileError("%s is not a readable unencrypted PEM private key (%s)" % (path, exc), path=path)
    except Exception as exc:  # cryptography raises UnsupportedAlgorithm and friends too
        raise PkiFileError("%s cannot be loaded as a private key (%s)" % (path, exc), path=path)


def load_certs(data, path):
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise PkiFileError("%s is not a readable PEM certificate (%s)" % (path, exc), path=path)
    if not certs:
        raise PkiFileError("%s holds no certificate" % path, path=path)
    return certs


def load_cert(data, path):
    certs = load_certs(data, path)
    if len(certs) != 1:
        raise PkiFileError("%s holds %d certificates, expected one" % (path, len(certs)), path=path)
    return certs[0]


def _name(cn, orgs=()):
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, u"%s" % o) for o in orgs]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, u"%s" % cn))
    return x509.Name(attrs)


def _sig_hash(key):
    return hashes.SHA256()


def make_ca(key, cn, days, now=None):
    now = now or utcnow()
    subject = _name(cn)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - BACKDATE)
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=False, encipher_only=False, decipher_only=False),
                              critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    return builder.sign(key, _sig_hash(key))


def make_leaf(spec, key, ca_cert, ca_key, days, now=None):
    now = now or utcnow()
    not_after = min(now + datetime.timedelta(days=days), ca_cert.not_valid_after_utc)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(spec.cn, spec.orgs)).issuer_name(ca_cert.subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - BACKDATE)
               .not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False),
                              critical=True)
               .add_extension(x509.ExtendedKeyUsage([_EKU[u] for u in spec.usages]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    if spec.dns or spec.ips:
        names = [x509.DNSName(u"%s" % d) for d in spec.dns] + [x509.IPAddress(i) for i in spec.ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca_key, _sig_hash(ca_key))


def describe(cert):
    """A JSON-friendly summary: subject, SANs, issuer, usages, validity."""
    cn = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    dns, ips = sans(cert)
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        usages = sorted(n for n, oid in _EKU.items() if oid in eku)
    except x509.ExtensionNotFound:
        usages = []
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return {
        "subject": cert.subject.rfc4514_string(),
        "common_name": cn[0] if cn else None,
        "organizations": orgs,
        "issuer": cert.issuer.rfc4514_string(),
        "dns_names": list(dns),
        "ip_addresses": [u"%s" % i for i in ips],
        "usages": usages,
        "is_ca": is_ca,
        "serial": "%x" % cert.serial_number,
        "key_type": key_type_of(cert.public_key()),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def days_left(cert, now=None):
    now = now or utcnow()
    return (cert.not_valid_after_utc - now).total_seconds() / 86400.0


def sans(cert):
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return (), ()
    dns = tuple(sorted(ext.get_values_for_type(x509.DNSName)))
    ips = tuple(sorted(ext.get_values_for_type(x509.IPAddress), key=lambda a: (a.version, a)))
    return dns, ips


def issued_by(cert, ca_cert):
    if cert.issuer != ca_cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def mismatch(spec, cert, key_type, ca_cert):
    """Why an existing leaf no longer fits its spec, or None."""
    info = describe(cert)
    reasons = []
    if info["common_name"] != spec.cn or sorted(info["organizations"]) != sorted(spec.orgs):
        reasons.append("subject %s -> CN=%s,O=%s" % (info["subject"], spec.cn, "+".join(spec.orgs)))
    dns, ips = sans(cert)
    if set(dns) != set(spec.dns) or set(ips) != set(spec.ips):
        added = sorted(set(spec.dns) - set(dns)) + sorted(u"%s" % i for i in set(spec.ips) - set(ips))
        removed = sorted(set(dns) - set(spec.dns)) + sorted(u"%s" % i for i in set(ips) - set(spec.ips))
        reasons.append("SANs +[%s] -[%s]" % (", ".join(added), ", ".join(removed)))
    if sorted(info["usages"]) != sorted(spec.usages):
        reasons.append("usages %s -> %s" % (info["usages"], list(spec.usages)))
    if info["key_type"] != key_type:
        reasons.append("key type %s -> %s" % (info["key_type"], key_type))
    if not issued_by(cert, ca_cert):
        reasons.append("not issued by the current %s" % ca_cert.subject.rfc4514_string())
    return "; ".join(reasons) or None


def ip_text(value):
    return u"%s" % ipaddress.ip_address(u"%s" % value)
