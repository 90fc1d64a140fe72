"""A small DER reader and writer, and the object identifiers the PKCS formats use.

Reading is bounded by the `end` given (a length past it is a StoreError, indefinite-length BER is
`Unsupported`); writing produces DER (SET OF sorted by encoding).
"""
from __future__ import annotations

from ats_lint.trust.stores.model import StoreError, Unsupported

SEQUENCE, SET, INTEGER, OCTET_STRING, OBJECT_ID, NULL, BIT_STRING, BMP_STRING = 0x30, 0x31, 0x02, 0x04, 0x06, 0x05, 0x03, 0x1E


def tlv(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `pos`; bounded by `end`."""
    if pos + 2 > end:
        raise StoreError("truncated ASN.1 element")
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise StoreError("unsupported ASN.1 tag")
    first = buf[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise Unsupported("indefinite-length (BER) encoding")
    else:
        n = first & 0x7F
        if n > 4 or pos + n > end:
            raise StoreError("bad ASN.1 length")
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    if pos + length > end:
        raise StoreError("truncated ASN.1 element")
    return tag, pos, pos + length


def children(buf: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, content start, content end, element start) of each element in buf[start:end]."""
    out = []
    pos = start
    while pos < end:
        tag, s, e = tlv(buf, pos, end)
        out.append((tag, s, e, pos))
        pos = e
    return out


def expect(buf: bytes, pos: int, end: int, tag: int, what: str) -> tuple[int, int]:
    t, s, e = tlv(buf, pos, end)
    if t != tag:
        raise StoreError(f"malformed {what}")
    return s, e


def oid_str(content: bytes) -> str:
    if not content:
        raise StoreError("empty object identifier")
    arcs: list[int] = []
    value = 0
    for b in content:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2) if arcs else 0
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]]) if arcs else ""


def int_value(content: bytes) -> int:
    return int.from_bytes(content, "big", signed=True) if content else 0


# --------------------------------------------------------------------------- DER writing


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _len(len(content)) + content


def encode_seq(*parts: bytes) -> bytes:
    return encode(SEQUENCE, b"".join(parts))


def encode_set(*parts: bytes) -> bytes:
    return encode(SET, b"".join(sorted(parts)))  # DER: SET OF sorted by encoding


def encode_oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for i, arc in enumerate([40 * arcs[0] + arcs[1], *arcs[2:]]):
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return encode(OBJECT_ID, bytes(body))


def encode_int(n: int) -> bytes:
    return encode(INTEGER, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
OID_JAVA_TRUSTED_KEY_USAGE = "2.16.840.1.113894.746875.1.1"  # Oracle: trusted certificate entry
OID_ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0"
HASHES = {  # digest OID / HMAC-PRF OID -> hashlib name
    "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224", "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512",
    "1.2.840.113549.2.7": "sha1", "1.2.840.113549.2.8": "sha224", "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384", "1.2.840.113549.2.11": "sha512",
}
