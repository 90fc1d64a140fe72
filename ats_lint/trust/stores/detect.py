"""Which trust-store format a file's bytes are in, from the content (never the file name)."""
from __future__ import annotations

import re
import struct

from ats_lint.trust.stores.der import BIT_STRING, INTEGER, OBJECT_ID, OID_SIGNED_DATA, SEQUENCE, oid_str
from ats_lint.trust.stores.model import StoreError

JKS_MAGIC = 0xFEEDFEED
JCEKS_MAGIC = 0xCECECECE

PEM_CERT_RE = re.compile(
    rb"-----BEGIN (?P<kind>X509 CERTIFICATE|TRUSTED CERTIFICATE|CERTIFICATE)-----(?P<body>[^-]{0,65536}?)-----END (?P=kind)-----"
)
PEM_PKCS7_RE = re.compile(rb"-----BEGIN (?P<kind>PKCS7|CMS)-----(?P<body>[^-]{0,16777216}?)-----END (?P=kind)-----")


def detect_format(data: bytes) -> str:
    """The store format of `data`, from its content: one of FORMATS."""
    if len(data) >= 4:
        magic = struct.unpack(">I", data[:4])[0]
        if magic == JKS_MAGIC:
            return "jks"
        if magic == JCEKS_MAGIC:
            return "jceks"
    if data[:1] == b"\x30":
        kind = _sniff_der(data)
        if kind:
            return kind
    if b"-----BEGIN" in data:
        if PEM_CERT_RE.search(data):
            return "pem"
        if PEM_PKCS7_RE.search(data):
            return "pkcs7-pem"
    return "unknown"


def _header(buf: bytes, pos: int) -> tuple[int, int, int | None]:
    """(tag, content start, content length or None when indefinite) without bounds on the content."""
    if pos + 2 > len(buf):
        raise StoreError("truncated")
    tag, first = buf[pos], buf[pos + 1]
    pos += 2
    if first < 0x80:
        return tag, pos, first
    if first == 0x80:
        return tag, pos, None
    n = first & 0x7F
    if n > 4 or pos + n > len(buf):
        raise StoreError("bad length")
    return tag, pos + n, int.from_bytes(buf[pos:pos + n], "big")


def _sniff_der(data: bytes) -> str | None:
    """Tell a certificate from a PKCS#7 ContentInfo from a PFX by their first elements (BER-tolerant)."""
    try:
        _, pos, _ = _header(data, 0)
        tag, inner, length = _header(data, pos)
        if tag == INTEGER and length == 1 and data[inner:inner + 1] == b"\x03":
            tag2, _, _ = _header(data, inner + 1)
            return "pkcs12" if tag2 == SEQUENCE else None
        if tag == OBJECT_ID and length is not None:
            oid = oid_str(data[inner:inner + length])
            return "pkcs7-der" if oid == OID_SIGNED_DATA else None
        if tag == SEQUENCE and length is not None:  # tbsCertificate, then signatureAlgorithm SEQ, signature BIT STRING
            tag2, p2, l2 = _header(data, inner + length)
            if tag2 == SEQUENCE and l2 is not None:
                tag3, _, _ = _header(data, p2 + l2)
                if tag3 == BIT_STRING:
                    return "der"
    except StoreError:
        return None
    return None
