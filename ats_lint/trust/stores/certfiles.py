"""The unprotected formats: PEM bundles, single DER certificates and PKCS#7 (DER or PEM) bundles."""
from __future__ import annotations

import base64
import binascii
import re
import warnings

from ats_lint.trust.stores.der import OBJECT_ID, OID_SIGNED_DATA, SEQUENCE, children, expect, oid_str, tlv
from ats_lint.trust.stores.detect import PEM_CERT_RE, PEM_PKCS7_RE
from ats_lint.trust.stores.model import (
    TRUSTED_CERT,
    Store,
    StoreEntry,
    StoreError,
    Unsupported,
    one_line,
    parses_as_certificate,
)


def pem_certificates(data: bytes) -> list[tuple[int, bytes | None]]:
    """(1-based line of BEGIN, DER or None when the body is not base64) of each PEM certificate block."""
    out = []
    for m in PEM_CERT_RE.finditer(data):
        line = data.count(b"\n", 0, m.start()) + 1
        body = re.sub(rb"[^A-Za-z0-9+/=]", b"", m.group("body"))
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            out.append((line, None))
            continue
        if m.group("kind") == b"TRUSTED CERTIFICATE" and der[:1] == b"\x30":
            try:  # OpenSSL's trusted form: the certificate followed by its trust settings
                _, _, end = tlv(der, 0, len(der))
                der = der[:end]
            except (StoreError, Unsupported):
                pass
        out.append((line, der or None))
    return out


def pkcs7_certificates(der: bytes) -> list[bytes]:
    """The certificates of a DER PKCS#7 SignedData, read structurally (when cryptography refuses it)."""
    s, e = expect(der, 0, len(der), SEQUENCE, "PKCS#7 ContentInfo")
    ci = children(der, s, e)
    if len(ci) != 2 or ci[0][0] != OBJECT_ID or oid_str(der[ci[0][1]:ci[0][2]]) != OID_SIGNED_DATA or ci[1][0] != 0xA0:
        raise StoreError("not PKCS#7 SignedData")
    sd = children(der, *expect(der, ci[1][1], ci[1][2], SEQUENCE, "PKCS#7 SignedData"))
    out = []
    for tag, cs, ce, _ in sd[3:]:
        if tag == 0xA0:  # [0] IMPLICIT SET OF CertificateChoices
            out.extend(der[start:end] for t, _, end, start in children(der, cs, ce) if t == SEQUENCE)
    return out


def read_pem(data: bytes) -> Store:
    entries, problems = [], []
    for i, (line, der) in enumerate(pem_certificates(data), 1):
        if der is None:
            problems.append(f"line {line}: certificate block is not valid base64")
            continue
        if not parses_as_certificate(der):
            problems.append(f"line {line}: not a parseable certificate")
        entries.append(StoreEntry(der, None, TRUSTED_CERT, i, line=line))
    return Store("pem", tuple(entries), tuple(problems))


def read_der(data: bytes) -> Store:
    _, _, end = tlv(data, 0, len(data))
    problems = []
    if end != len(data):
        problems.append(f"{len(data) - end} bytes after the certificate ignored")
    der = data[:end]
    if not parses_as_certificate(der):
        raise StoreError("DER data is not a parseable certificate")
    return Store("der", (StoreEntry(der, None, TRUSTED_CERT, 1),), tuple(problems))


def read_pkcs7(data: bytes, fmt: str) -> Store:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    if fmt == "pkcs7-pem":
        m = PEM_PKCS7_RE.search(data)
        if m is None:
            raise StoreError("malformed PEM PKCS#7 block")
        try:
            der = base64.b64decode(re.sub(rb"[^A-Za-z0-9+/=]", b"", m.group("body")), validate=True)
        except (binascii.Error, ValueError):
            raise StoreError("PEM PKCS#7 block is not valid base64") from None
    else:
        der = data
    try:
        with warnings.catch_warnings():  # openssl crl2pkcs7 writes an unsorted SET: cryptography warns
            warnings.simplefilter("ignore")
            certs = [c.public_bytes(serialization.Encoding.DER) for c in pkcs7.load_der_pkcs7_certificates(der)]
    except Exception as exc:  # noqa: BLE001 - cryptography raises ValueError and friends
        try:
            certs = pkcs7_certificates(der)
        except (StoreError, Unsupported):
            raise StoreError(f"malformed PKCS#7 bundle: {one_line(exc)}") from None
    entries = tuple(StoreEntry(c, None, TRUSTED_CERT, i) for i, c in enumerate(certs, 1))
    problems = () if entries else ("PKCS#7 bundle holds no certificate",)
    return Store(fmt, entries, problems)
