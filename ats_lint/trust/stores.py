"""Trust stores in the formats real code points at: read their certificates, add trusted ones.

One job: bytes in, certificates (or new bytes) out. Imports only the standard library and
`cryptography`; nothing from `ats_lint`, nothing printed, no file written.

Formats, detected from the content (`detect_format`), never from a file name:

- ``pem``: PEM text with ``CERTIFICATE`` blocks (`pem_certificates`; ats_lint.certs has the full
  bundle reader with its diagnostics);
- ``der``: one DER certificate (``.der``, ``.cer``, ``.crt``);
- ``pkcs7-der`` / ``pkcs7-pem``: PKCS#7 SignedData "certs-only" bundles (``.p7b``, ``.p7c``);
- ``pkcs12``: PKCS#12 / PFX (``.p12``, ``.pfx``, and the JDK 9+ default keystore type);
- ``jks``: Java KeyStore (magic 0xFEEDFEED), ``jceks``: Sun JCE KeyStore (magic 0xCECECECE).

Passwords: JKS and JCEKS certificates are stored in clear, so they are always read; a password is
only needed to check the store's SHA-1 integrity digest. PKCS#12 certificates are usually
encrypted: each given password (by default the JDK's ``changeit``, then an empty one) is tried
against the MAC and the encryption, and a store none of them opens is reported as
``password_needed`` ("could not read without a password") rather than guessed at.

Writing (`add_certificates`) appends trusted-certificate entries to a JKS, JCEKS or PKCS#12 store
and keeps every existing entry byte for byte: a JKS/JCEKS gets new entries before its digest,
which is recomputed with the store password; a PKCS#12 gets one more SafeContents (its cert bags
carry the friendly name and the Java "trusted for any purpose" attribute, without which keytool
ignores a certificate) and a new MAC with the same algorithm, iteration count and password.

Every parser is bounded by the length of its input and raises `StoreError` (one line) on
malformed data, never IndexError or struct.error.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
import time
import warnings
from dataclasses import dataclass, field

FORMATS = ("pem", "der", "pkcs7-der", "pkcs7-pem", "pkcs12", "jks", "jceks", "unknown")
WRITABLE_FORMATS = ("jks", "jceks", "pkcs12")
DEFAULT_PASSWORDS = ("changeit", "")
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

# Entry kinds.
TRUSTED_CERT = "trusted-cert"  # a trust anchor: JKS/JCEKS tag 2, PKCS#12 bag with the Java trust attribute, PEM/DER/PKCS#7
KEY_ENTRY_CHAIN = "key-entry-chain"  # a certificate of a private key entry's chain
CA_CERT = "ca-cert"  # a PKCS#12 certificate neither trusted by Java nor tied to a key (OpenSSL's -certfile/-CAfile)

JKS_MAGIC = 0xFEEDFEED
JCEKS_MAGIC = 0xCECECECE
_JKS_WHITENER = b"Mighty Aphrodite"


class StoreError(Exception):
    """The store cannot be read or written; the message is one line and says why."""


class StorePasswordError(StoreError):
    """The password given does not open the store (MAC, digest or decryption does not match)."""


@dataclass(frozen=True)
class StoreEntry:
    der: bytes  # the certificate, DER
    alias: str | None  # JKS/JCEKS alias, PKCS#12 friendly name; None when the format has none
    kind: str  # TRUSTED_CERT, KEY_ENTRY_CHAIN or CA_CERT
    index: int  # 1-based: the entry of a JKS/JCEKS, the cert bag of a PKCS#12, the certificate of PEM/PKCS#7
    line: int | None = None  # 1-based line of the BEGIN marker (PEM and PEM PKCS#7)
    chain_index: int | None = None  # 1-based position in a JKS/JCEKS key entry's chain

    @property
    def location(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        if self.chain_index is not None:
            return f"entry {self.index}, chain certificate {self.chain_index}"
        return f"entry {self.index}"

    @property
    def sha256(self) -> bytes:
        return hashlib.sha256(self.der).digest()


@dataclass(frozen=True)
class Store:
    format: str  # one of FORMATS
    entries: tuple[StoreEntry, ...] = ()
    problems: tuple[str, ...] = ()  # one line each
    password_needed: bool = False  # some certificates could not be read with the passwords tried
    password: str | None = None  # the password that opened or verified the store, None if none did or none was needed
    integrity: str = "absent"  # "verified" (with `password`), "unverified" (no password tried matched), "absent" (the format or file has none)
    key_entries: int = 0  # private key entries / key bags seen (their keys are never decrypted)

    @property
    def certificates(self) -> list[bytes]:
        return [e.der for e in self.entries]

    @property
    def aliases(self) -> list[str]:
        return [e.alias for e in self.entries if e.alias is not None]


# --------------------------------------------------------------------------- DER reading

_SEQ, _SET, _INT, _OCTET, _OID, _NULL, _BITSTR, _BMP = 0x30, 0x31, 0x02, 0x04, 0x06, 0x05, 0x03, 0x1E


class _Unsupported(Exception):
    """Well-formed, but something this reader does not implement (BER, an algorithm...)."""


def _tlv(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
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
        raise _Unsupported("indefinite-length (BER) encoding")
    else:
        n = first & 0x7F
        if n > 4 or pos + n > end:
            raise StoreError("bad ASN.1 length")
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    if pos + length > end:
        raise StoreError("truncated ASN.1 element")
    return tag, pos, pos + length


def _children(buf: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, content start, content end, element start) of each element in buf[start:end]."""
    out = []
    pos = start
    while pos < end:
        tag, s, e = _tlv(buf, pos, end)
        out.append((tag, s, e, pos))
        pos = e
    return out


def _expect(buf: bytes, pos: int, end: int, tag: int, what: str) -> tuple[int, int]:
    t, s, e = _tlv(buf, pos, end)
    if t != tag:
        raise StoreError(f"malformed {what}")
    return s, e


def _oid_str(content: bytes) -> str:
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


def _int(content: bytes) -> int:
    return int.from_bytes(content, "big", signed=True) if content else 0


# --------------------------------------------------------------------------- DER writing


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _enc(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _len(len(content)) + content


def _seq(*parts: bytes) -> bytes:
    return _enc(_SEQ, b"".join(parts))


def _set(*parts: bytes) -> bytes:
    return _enc(_SET, b"".join(sorted(parts)))  # DER: SET OF sorted by encoding


def _oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for i, arc in enumerate([40 * arcs[0] + arcs[1], *arcs[2:]]):
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _enc(_OID, bytes(body))


def _integer(n: int) -> bytes:
    return _enc(_INT, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


# --------------------------------------------------------------------------- OIDs

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
OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
_PKCS12_PBE = {  # pbeWithSHAAnd...: (cipher, key bytes)
    "1.2.840.113549.1.12.1.3": ("3des", 24),
    "1.2.840.113549.1.12.1.4": ("3des", 16),
    "1.2.840.113549.1.12.1.5": ("rc2", 16),
    "1.2.840.113549.1.12.1.6": ("rc2", 5),
}
_HASHES = {  # digest OID / HMAC-PRF OID -> hashlib name
    "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224", "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512",
    "1.2.840.113549.2.7": "sha1", "1.2.840.113549.2.8": "sha224", "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384", "1.2.840.113549.2.11": "sha512",
}
_AES_CBC = {"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}
_DES_EDE3_CBC = "1.2.840.113549.3.7"


# --------------------------------------------------------------------------- detection

_PEM_CERT_RE = re.compile(
    rb"-----BEGIN (?P<kind>X509 CERTIFICATE|TRUSTED CERTIFICATE|CERTIFICATE)-----(?P<body>[^-]{0,65536}?)-----END (?P=kind)-----"
)
_PEM_PKCS7_RE = re.compile(rb"-----BEGIN (?P<kind>PKCS7|CMS)-----(?P<body>[^-]{0,16777216}?)-----END (?P=kind)-----")


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
        if _PEM_CERT_RE.search(data):
            return "pem"
        if _PEM_PKCS7_RE.search(data):
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
        if tag == _INT and length == 1 and data[inner:inner + 1] == b"\x03":
            tag2, _, _ = _header(data, inner + 1)
            return "pkcs12" if tag2 == _SEQ else None
        if tag == _OID and length is not None:
            oid = _oid_str(data[inner:inner + length])
            return "pkcs7-der" if oid == OID_SIGNED_DATA else None
        if tag == _SEQ and length is not None:  # tbsCertificate, then signatureAlgorithm SEQ, signature BIT STRING
            tag2, p2, l2 = _header(data, inner + length)
            if tag2 == _SEQ and l2 is not None:
                tag3, _, _ = _header(data, p2 + l2)
                if tag3 == _BITSTR:
                    return "der"
    except StoreError:
        return None
    return None


# --------------------------------------------------------------------------- entry points


def read_store_file(path: str | os.PathLike, passwords: tuple[str, ...] = DEFAULT_PASSWORDS,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> Store:
    """`read_store` of a file, reading at most `max_bytes` (a larger file is a StoreError)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise StoreError(f"cannot read: {exc.strerror or exc}") from None
    return read_store(data, passwords, max_bytes=max_bytes)


def read_store(data: bytes, passwords: tuple[str, ...] = DEFAULT_PASSWORDS,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Store:
    """The certificates of a trust store in any supported format; StoreError if it cannot be parsed."""
    if len(data) > max_bytes:
        raise StoreError(f"larger than {max_bytes} bytes: not read")
    fmt = detect_format(data)
    try:
        if fmt == "pem":
            return _read_pem(data)
        if fmt == "der":
            return _read_der(data)
        if fmt in ("pkcs7-der", "pkcs7-pem"):
            return _read_pkcs7(data, fmt)
        if fmt in ("jks", "jceks"):
            return _read_jks(data, passwords)
        if fmt == "pkcs12":
            return _read_pkcs12(data, passwords)
    except (struct.error, IndexError, ValueError, OverflowError, UnicodeError, _Unsupported) as exc:
        # Defence in depth: the parsers check bounds themselves; any slip is still one line.
        raise StoreError(f"malformed {fmt} store ({type(exc).__name__}: {_one_line(exc)})") from None
    raise StoreError("not a recognised trust store (PEM, DER, PKCS#7, PKCS#12, JKS or JCEKS)")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --------------------------------------------------------------------------- PEM, DER, PKCS#7


def pem_certificates(data: bytes) -> list[tuple[int, bytes | None]]:
    """(1-based line of BEGIN, DER or None when the body is not base64) of each PEM certificate block."""
    out = []
    for m in _PEM_CERT_RE.finditer(data):
        line = data.count(b"\n", 0, m.start()) + 1
        body = re.sub(rb"[^A-Za-z0-9+/=]", b"", m.group("body"))
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            out.append((line, None))
            continue
        if m.group("kind") == b"TRUSTED CERTIFICATE" and der[:1] == b"\x30":
            try:  # OpenSSL's trusted form: the certificate followed by its trust settings
                _, _, end = _tlv(der, 0, len(der))
                der = der[:end]
            except (StoreError, _Unsupported):
                pass
        out.append((line, der or None))
    return out


def _pkcs7_certificates(der: bytes) -> list[bytes]:
    """The certificates of a DER PKCS#7 SignedData, read structurally (when cryptography refuses it)."""
    s, e = _expect(der, 0, len(der), _SEQ, "PKCS#7 ContentInfo")
    ci = _children(der, s, e)
    if len(ci) != 2 or ci[0][0] != _OID or _oid_str(der[ci[0][1]:ci[0][2]]) != OID_SIGNED_DATA or ci[1][0] != 0xA0:
        raise StoreError("not PKCS#7 SignedData")
    sd = _children(der, *_expect(der, ci[1][1], ci[1][2], _SEQ, "PKCS#7 SignedData"))
    out = []
    for tag, cs, ce, _ in sd[3:]:
        if tag == 0xA0:  # [0] IMPLICIT SET OF CertificateChoices
            out.extend(der[start:end] for t, _, end, start in _children(der, cs, ce) if t == _SEQ)
    return out


def _parses_as_certificate(der: bytes) -> bool:
    from cryptography import x509

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x509.load_der_x509_certificate(der)
        return True
    except Exception:  # noqa: BLE001 - any failure: not a certificate we can read
        return False


def _read_pem(data: bytes) -> Store:
    entries, problems = [], []
    for i, (line, der) in enumerate(pem_certificates(data), 1):
        if der is None:
            problems.append(f"line {line}: certificate block is not valid base64")
            continue
        if not _parses_as_certificate(der):
            problems.append(f"line {line}: not a parseable certificate")
        entries.append(StoreEntry(der, None, TRUSTED_CERT, i, line=line))
    return Store("pem", tuple(entries), tuple(problems))


def _read_der(data: bytes) -> Store:
    _, _, end = _tlv(data, 0, len(data))
    problems = []
    if end != len(data):
        problems.append(f"{len(data) - end} bytes after the certificate ignored")
    der = data[:end]
    if not _parses_as_certificate(der):
        raise StoreError("DER data is not a parseable certificate")
    return Store("der", (StoreEntry(der, None, TRUSTED_CERT, 1),), tuple(problems))


def _read_pkcs7(data: bytes, fmt: str) -> Store:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    if fmt == "pkcs7-pem":
        m = _PEM_PKCS7_RE.search(data)
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
            certs = _pkcs7_certificates(der)
        except (StoreError, _Unsupported):
            raise StoreError(f"malformed PKCS#7 bundle: {_one_line(exc)}") from None
    entries = tuple(StoreEntry(c, None, TRUSTED_CERT, i) for i, c in enumerate(certs, 1))
    problems = () if entries else ("PKCS#7 bundle holds no certificate",)
    return Store(fmt, entries, problems)


# --------------------------------------------------------------------------- JKS / JCEKS


class _Reader:
    def __init__(self, data: bytes, end: int):
        self.data, self.pos, self.end = data, 0, end

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise StoreError(f"truncated at byte {self.pos} ({what})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self, what: str) -> int:
        return struct.unpack(">I", self.take(4, what))[0]

    def i32(self, what: str) -> int:
        return struct.unpack(">i", self.take(4, what))[0]

    def utf(self, what: str) -> str:
        n = struct.unpack(">H", self.take(2, what))[0]
        return _java_utf_decode(self.take(n, what))


def _java_utf_decode(raw: bytes) -> str:
    """Java's modified UTF-8 (DataInput.readUTF): NUL as C0 80, supplementary characters as surrogate pairs."""
    try:
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
        return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be")
    except UnicodeError:
        raise StoreError("an alias is not valid modified UTF-8") from None


def _java_utf_encode(text: str) -> bytes:
    out = bytearray()
    units = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(units), 2):
        u = int.from_bytes(units[i:i + 2], "big")
        if 0 < u < 0x80:
            out.append(u)
        elif u < 0x800:
            out += bytes([0xC0 | u >> 6, 0x80 | u & 0x3F])
        else:
            out += bytes([0xE0 | u >> 12, 0x80 | (u >> 6) & 0x3F, 0x80 | u & 0x3F])
    if len(out) > 0xFFFF:
        raise StoreError("alias too long for a Java keystore")
    return bytes(out)


def _jks_digest(password: str, body: bytes) -> bytes:
    pw = password.encode("utf-16-be", "surrogatepass")  # Java chars, big-endian
    return hashlib.sha1(pw + _JKS_WHITENER + body).digest()  # noqa: S324 - the format's own integrity check


@dataclass
class _JksLayout:
    version: int
    count: int
    entries: list[StoreEntry] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    key_entries: int = 0
    body_end: int | None = None  # where the digest starts when every entry was parsed
    insert_at: int | None = None  # where new entries go: body_end, or before a closing JCEKS secret key
    problems: list[str] = field(default_factory=list)


def _parse_jks(data: bytes) -> _JksLayout:
    if len(data) < 12 + 20:
        raise StoreError("truncated Java keystore (shorter than its header and digest)")
    end = len(data) - 20  # the SHA-1 digest closes the file
    r = _Reader(data, end)
    magic = r.u32("magic")
    fmt = "jks" if magic == JKS_MAGIC else "jceks"
    version = r.u32("version")
    if version not in (1, 2):
        raise StoreError(f"unsupported {fmt.upper()} version {version}")
    count = r.i32("entry count")
    if count < 0:
        raise StoreError(f"negative {fmt.upper()} entry count")
    layout = _JksLayout(version, count)

    def cert(what: str) -> bytes:
        if version == 2:
            ctype = r.utf(f"{what} type")
            if ctype != "X.509":
                raise StoreError(f"{what}: certificate type {ctype!r} is not X.509")
        n = r.i32(f"{what} length")
        return r.take(n, what)

    for index in range(1, count + 1):
        entry_start = r.pos
        tag = r.i32(f"entry {index} tag")
        if tag == 1:  # private key: alias, date, protected key, certificate chain
            alias = r.utf(f"entry {index} alias")
            r.take(8, f"entry {index} date")
            r.take(r.i32(f"entry {index} key length"), f"entry {index} key")
            chain = r.i32(f"entry {index} chain length")
            if chain < 0:
                raise StoreError(f"entry {index}: negative chain length")
            for c in range(1, chain + 1):
                der = cert(f"entry {index} chain certificate {c}")
                layout.entries.append(StoreEntry(der, alias, KEY_ENTRY_CHAIN, index, chain_index=c))
            layout.key_entries += 1
        elif tag == 2:  # trusted certificate: alias, date, certificate
            alias = r.utf(f"entry {index} alias")
            r.take(8, f"entry {index} date")
            layout.entries.append(StoreEntry(cert(f"entry {index}"), alias, TRUSTED_CERT, index))
        elif tag == 3 and fmt == "jceks":  # a Java-serialized SealedObject: no length to skip it by
            alias = r.utf(f"entry {index} alias")
            layout.aliases.append(alias)
            layout.key_entries += 1
            if index == count:  # the last entry: it runs up to the digest; new entries go before it,
                layout.body_end = end  # so that this reader still sees them
                layout.insert_at = entry_start
                return layout
            layout.problems.append(
                f"entry {index} ({alias}) is a JCEKS secret key (a Java-serialized object this reader cannot "
                f"skip); the {count - index} entries after it were not read"
            )
            return layout
        else:
            raise StoreError(f"entry {index}: unknown {fmt.upper()} entry tag {tag}")
        layout.aliases.append(alias)
    if r.pos != end:
        raise StoreError(f"{end - r.pos} unexpected bytes after the {count} entries")
    layout.body_end = layout.insert_at = end
    return layout


def _read_jks(data: bytes, passwords: tuple[str, ...]) -> Store:
    fmt = "jks" if data[:4] == b"\xfe\xed\xfe\xed" else "jceks"
    layout = _parse_jks(data)
    digest = data[-20:]
    used = next((p for p in passwords if hmac.compare_digest(_jks_digest(p, data[:-20]), digest)), None)
    problems = list(layout.problems)
    if used is None:
        tried = _describe_passwords(passwords)
        problems.append(
            f"integrity digest does not match {tried}: certificates read without verifying the store"
        )
    for e in layout.entries:
        if not _parses_as_certificate(e.der):
            problems.append(f"{e.location} ({e.alias}): not a parseable certificate")
    return Store(fmt, tuple(layout.entries), tuple(problems), password_needed=False, password=used,
                 integrity="verified" if used is not None else "unverified", key_entries=layout.key_entries)


def _describe_passwords(passwords: tuple[str, ...]) -> str:
    names = ["an empty password" if p == "" else ("`changeit`" if p == "changeit" else "a given password")
             for p in passwords]
    return " or ".join(dict.fromkeys(names)) if names else "any password (none tried)"


def _add_jks(data: bytes, certs: list[tuple[str, bytes]], password: str, timestamp_ms: int) -> bytes:
    layout = _parse_jks(data)
    if layout.body_end is None or layout.insert_at is None:
        raise StoreError("cannot add to this JCEKS: it holds a secret key entry this reader cannot skip")
    if not hmac.compare_digest(_jks_digest(password, data[:-20]), data[-20:]):
        raise StorePasswordError("wrong store password: the keystore's integrity digest does not match it")
    existing = {a.lower() for a in layout.aliases}
    out = bytearray(data[:layout.insert_at])
    for alias, der in certs:
        key = alias.lower()  # JKS and JCEKS keep aliases in lower case (KeyStore.convertAlias)
        if key in existing:
            raise StoreError(f"alias {key!r} is already in the store")
        existing.add(key)
        out += struct.pack(">i", 2) + _utf(key) + struct.pack(">q", timestamp_ms)
        if layout.version == 2:
            out += _utf("X.509")
        out += struct.pack(">i", len(der)) + der
    out += data[layout.insert_at:layout.body_end]
    out[8:12] = struct.pack(">i", layout.count + len(certs))
    out += _jks_digest(password, bytes(out))
    return bytes(out)


def _utf(text: str) -> bytes:
    raw = _java_utf_encode(text)
    return struct.pack(">H", len(raw)) + raw


# --------------------------------------------------------------------------- PKCS#12 key derivation


def _bmp_password(password: str, empty_as_nothing: bool = False) -> bytes:
    """The PKCS#12 password: BMPString plus a NUL; an empty one is either 00 00 or no bytes at all."""
    if password == "" and empty_as_nothing:
        return b""
    return password.encode("utf-16-be", "surrogatepass") + b"\x00\x00"


def _pkcs12_kdf(password: bytes, salt: bytes, ident: int, iterations: int, n: int, hash_name: str) -> bytes:
    """RFC 7292 appendix B.2."""
    h = hashlib.new(hash_name)
    u, v = h.digest_size, h.block_size
    d = bytes([ident]) * v

    def stretch(b: bytes) -> bytes:  # b repeated to the next multiple of v bytes
        if not b:
            return b""
        length = v * -(-len(b) // v)
        return (b * (length // len(b) + 1))[:length]

    i = stretch(salt) + stretch(password)
    out = b""
    while len(out) < n:
        a = d + i
        for _ in range(iterations):
            a = hashlib.new(hash_name, a).digest()
        out += a
        if len(out) >= n:
            break
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        blocks = [int.from_bytes(i[k:k + v], "big") for k in range(0, len(i), v)]
        i = b"".join(((blk + b) % (1 << (8 * v))).to_bytes(v, "big") for blk in blocks)
    return out[:n]


_MAX_ITERATIONS = 1_000_000  # bounds the work a hostile file can ask for (the JDK's own cap is 5,000,000)


# --------------------------------------------------------------------------- PKCS#12 structure


@dataclass
class _Pfx:
    auth_safe_items: list[bytes]  # each ContentInfo of the AuthenticatedSafe, as encoded
    auth_safe_content: bytes  # the DER the MAC covers
    mac_hash: str | None
    mac_salt: bytes
    mac_iterations: int
    mac_digest: bytes
    mac_oid: str | None


def _parse_pfx(data: bytes) -> _Pfx:
    s, e = _expect(data, 0, len(data), _SEQ, "PKCS#12 (PFX)")
    if e != len(data):
        raise StoreError(f"{len(data) - e} bytes after the PKCS#12 structure")
    kids = _children(data, s, e)
    if len(kids) not in (2, 3) or kids[0][0] != _INT or _int(data[kids[0][1]:kids[0][2]]) != 3:
        raise StoreError("malformed PKCS#12 (PFX version)")
    _, cs, ce, _ = kids[1]
    ci = _children(data, cs, ce)
    if len(ci) != 2 or ci[0][0] != _OID:
        raise StoreError("malformed PKCS#12 authSafe")
    oid = _oid_str(data[ci[0][1]:ci[0][2]])
    if oid == OID_SIGNED_DATA:
        raise _Unsupported("public-key integrity mode (signed PKCS#12)")
    if oid != OID_DATA or ci[1][0] != 0xA0:
        raise StoreError("malformed PKCS#12 authSafe")
    os_s, os_e = _expect(data, ci[1][1], ci[1][2], _OCTET, "PKCS#12 authSafe content")
    content = data[os_s:os_e]
    as_s, as_e = _expect(content, 0, len(content), _SEQ, "PKCS#12 AuthenticatedSafe")
    items = [content[start:ee] for _, _, ee, start in _children(content, as_s, as_e)]
    mac_hash, salt, iterations, digest, mac_oid = None, b"", 1, b"", None
    if len(kids) == 3:
        md = _children(data, kids[2][1], kids[2][2])
        if len(md) not in (2, 3) or md[0][0] != _SEQ or md[1][0] != _OCTET:
            raise StoreError("malformed PKCS#12 MAC")
        di = _children(data, md[0][1], md[0][2])
        if len(di) != 2 or di[0][0] != _SEQ or di[1][0] != _OCTET:
            raise StoreError("malformed PKCS#12 MAC digest")
        alg = _children(data, di[0][1], di[0][2])
        if not alg or alg[0][0] != _OID:
            raise StoreError("malformed PKCS#12 MAC algorithm")
        mac_oid = _oid_str(data[alg[0][1]:alg[0][2]])
        mac_hash = _HASHES.get(mac_oid)
        digest = data[di[1][1]:di[1][2]]
        salt = data[md[1][1]:md[1][2]]
        if len(md) == 3:
            if md[2][0] != _INT:
                raise StoreError("malformed PKCS#12 MAC iterations")
            iterations = _int(data[md[2][1]:md[2][2]])
    if not 1 <= iterations <= _MAX_ITERATIONS:
        raise StoreError(f"PKCS#12 MAC iteration count {iterations} out of range")
    if as_e != len(content):
        raise StoreError("bytes after the PKCS#12 AuthenticatedSafe")
    return _Pfx(items, content, mac_hash, salt, iterations, digest, mac_oid)


def _mac_matches(pfx: _Pfx, password: str) -> bool | None:
    """Whether `password` verifies the MAC (None: no MAC, or an algorithm not implemented here)."""
    if pfx.mac_oid is None or pfx.mac_hash is None:
        return None
    return _mac_password_form(pfx, password) is not None


def _mac_password_form(pfx: _Pfx, password: str) -> bytes | None:
    """The password bytes (BMP form) that verify the MAC, or None."""
    assert pfx.mac_hash is not None
    size = hashlib.new(pfx.mac_hash).digest_size
    forms = [_bmp_password(password)] + ([b""] if password == "" else [])
    for pw in forms:
        key = _pkcs12_kdf(pw, pfx.mac_salt, 3, pfx.mac_iterations, size, pfx.mac_hash)
        if hmac.compare_digest(hmac.new(key, pfx.auth_safe_content, pfx.mac_hash).digest(), pfx.mac_digest):
            return pw
    return None


def _legacy_cipher(name: str):
    """TripleDES or RC2: in cryptography's `decrepit` module since 43, TripleDES in `algorithms` before."""
    try:
        from cryptography.hazmat.decrepit.ciphers import algorithms as decrepit
        return getattr(decrepit, name)
    except (ImportError, AttributeError):
        from cryptography.hazmat.primitives.ciphers import algorithms
        if hasattr(algorithms, name):
            return getattr(algorithms, name)
    raise _Unsupported(f"{name} is not available in this cryptography")


def _decrypt(alg: bytes, ciphertext: bytes, password: str) -> bytes:
    """Decrypt PKCS#12 encryptedData content with PBES2 (PBKDF2 + AES/3DES-CBC) or the PKCS#12 PBEs."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    a = _children(alg, *_expect(alg, 0, len(alg), _SEQ, "encryption algorithm"))
    if not a or a[0][0] != _OID:
        raise StoreError("malformed encryption algorithm")
    oid = _oid_str(alg[a[0][1]:a[0][2]])
    params = alg[a[1][3]:a[1][2]] if len(a) > 1 else b""
    if oid == OID_PBES2:
        ps = _children(params, *_expect(params, 0, len(params), _SEQ, "PBES2 parameters"))
        if len(ps) != 2:
            raise StoreError("malformed PBES2 parameters")
        kdf = _children(params, ps[0][1], ps[0][2])
        enc = _children(params, ps[1][1], ps[1][2])
        if len(kdf) != 2 or len(enc) != 2 or _oid_str(params[kdf[0][1]:kdf[0][2]]) != OID_PBKDF2:
            raise _Unsupported("PBES2 key derivation other than PBKDF2")
        kp = _children(params, kdf[1][1], kdf[1][2])
        if len(kp) < 2 or kp[0][0] != _OCTET or kp[1][0] != _INT:
            raise StoreError("malformed PBKDF2 parameters")
        salt = params[kp[0][1]:kp[0][2]]
        iterations = _int(params[kp[1][1]:kp[1][2]])
        prf = "sha1"
        for t, s, e, _ in kp[2:]:
            if t == _SEQ:
                pa = _children(params, s, e)
                prf = _HASHES.get(_oid_str(params[pa[0][1]:pa[0][2]]) if pa else "", "")
                if not prf:
                    raise _Unsupported("PBKDF2 pseudo-random function")
        if not 1 <= iterations <= _MAX_ITERATIONS:
            raise StoreError(f"PBKDF2 iteration count {iterations} out of range")
        enc_oid = _oid_str(params[enc[0][1]:enc[0][2]])
        if enc[1][0] != _OCTET:
            raise _Unsupported("PBES2 cipher parameters")
        iv = params[enc[1][1]:enc[1][2]]
        if enc_oid in _AES_CBC:
            key_len, algo = _AES_CBC[enc_oid], algorithms.AES
        elif enc_oid == _DES_EDE3_CBC:
            key_len, algo = 24, _legacy_cipher("TripleDES")
        else:
            raise _Unsupported(f"PBES2 cipher {enc_oid}")
        key = hashlib.pbkdf2_hmac(prf, password.encode("utf-8"), salt, iterations, key_len)
        block = 128 if algo is algorithms.AES else 64
    elif oid in _PKCS12_PBE:
        cipher, key_len = _PKCS12_PBE[oid]
        pp = _children(params, *_expect(params, 0, len(params), _SEQ, "PBE parameters"))
        if len(pp) != 2 or pp[0][0] != _OCTET or pp[1][0] != _INT:
            raise StoreError("malformed PBE parameters")
        salt = params[pp[0][1]:pp[0][2]]
        iterations = _int(params[pp[1][1]:pp[1][2]])
        if not 1 <= iterations <= _MAX_ITERATIONS:
            raise StoreError(f"PBE iteration count {iterations} out of range")
        pw = _bmp_password(password)
        key = _pkcs12_kdf(pw, salt, 1, iterations, key_len, "sha1")
        iv = _pkcs12_kdf(pw, salt, 2, iterations, 8, "sha1")
        if cipher == "3des":
            algo = _legacy_cipher("TripleDES")
            if key_len == 16:
                key = key + key[:8]
        elif key_len != 16:  # cryptography's RC2 takes 128-bit keys only
            raise _Unsupported(f"RC2 with a {8 * key_len}-bit key")
        else:
            algo = _legacy_cipher("RC2")
        block = 64
    else:
        raise _Unsupported(f"encryption algorithm {oid}")
    if len(ciphertext) % (block // 8) or len(iv) != block // 8:
        raise StorePasswordError("encrypted content has a bad length")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dec = Cipher(algo(key), modes.CBC(iv)).decryptor()
            plain = dec.update(ciphertext) + dec.finalize()
            unpad = padding.PKCS7(block).unpadder()
            return unpad.update(plain) + unpad.finalize()
    except ValueError:
        raise StorePasswordError("decryption failed (wrong password)") from None


@dataclass
class _Bag:
    oid: str
    der: bytes | None  # certificate DER for cert bags
    friendly_name: str | None
    local_key_id: bytes | None
    java_trusted: bool
    encrypted: bool


def _safe_contents(buf: bytes, encrypted: bool, depth: int = 0) -> list[_Bag]:
    if depth > 4:
        raise StoreError("PKCS#12 safe contents nested too deeply")
    s, e = _expect(buf, 0, len(buf), _SEQ, "PKCS#12 SafeContents")
    bags = []
    for _, bs, be, _ in _children(buf, s, e):
        parts = _children(buf, bs, be)
        if len(parts) not in (2, 3) or parts[0][0] != _OID or parts[1][0] != 0xA0:
            raise StoreError("malformed PKCS#12 SafeBag")
        oid = _oid_str(buf[parts[0][1]:parts[0][2]])
        value = buf[parts[1][1]:parts[1][2]]
        if oid == OID_SAFE_CONTENTS_BAG:
            bags.extend(_safe_contents(value, encrypted, depth + 1))
            continue
        name, key_id, trusted = None, None, False
        if len(parts) == 3:
            for _, as_, ae, _ in _children(buf, parts[2][1], parts[2][2]):
                attr = _children(buf, as_, ae)
                if len(attr) != 2 or attr[0][0] != _OID or attr[1][0] != _SET:
                    raise StoreError("malformed PKCS#12 bag attribute")
                aoid = _oid_str(buf[attr[0][1]:attr[0][2]])
                vals = _children(buf, attr[1][1], attr[1][2])
                if aoid == OID_FRIENDLY_NAME and vals and vals[0][0] == _BMP:
                    name = buf[vals[0][1]:vals[0][2]].decode("utf-16-be", "replace")
                elif aoid == OID_LOCAL_KEY_ID and vals and vals[0][0] == _OCTET:
                    key_id = buf[vals[0][1]:vals[0][2]]
                elif aoid == OID_JAVA_TRUSTED_KEY_USAGE:
                    trusted = True
        der = None
        if oid == OID_CERT_BAG:
            cb = _children(value, *_expect(value, 0, len(value), _SEQ, "PKCS#12 CertBag"))
            if len(cb) != 2 or cb[0][0] != _OID or cb[1][0] != 0xA0:
                raise StoreError("malformed PKCS#12 CertBag")
            if _oid_str(value[cb[0][1]:cb[0][2]]) == OID_X509_CERT:
                der = value[slice(*_expect(value, cb[1][1], cb[1][2], _OCTET, "PKCS#12 certificate"))]
        bags.append(_Bag(oid, der, name, key_id, trusted, encrypted))
    return bags


def _content_info(item: bytes) -> tuple[str, bytes, int, int]:
    """(content type OID, item, start, end of the [0] content) of one AuthenticatedSafe ContentInfo."""
    s, e = _expect(item, 0, len(item), _SEQ, "PKCS#12 ContentInfo")
    kids = _children(item, s, e)
    if len(kids) != 2 or kids[0][0] != _OID or kids[1][0] != 0xA0:
        raise StoreError("malformed PKCS#12 ContentInfo")
    return _oid_str(item[kids[0][1]:kids[0][2]]), item, kids[1][1], kids[1][2]


def _open_content(item: bytes, password: str | None) -> tuple[list[_Bag] | None, bool]:
    """(bags, encrypted) of one ContentInfo; bags None when it is encrypted and no password is given."""
    oid, buf, s, e = _content_info(item)
    if oid == OID_DATA:
        os_ = _expect(buf, s, e, _OCTET, "PKCS#12 data")
        return _safe_contents(buf[slice(*os_)], False), False
    if oid == OID_ENCRYPTED_DATA:
        if password is None:
            return None, True
        ed = _children(buf, *_expect(buf, s, e, _SEQ, "PKCS#12 EncryptedData"))
        if len(ed) < 2 or ed[1][0] != _SEQ:
            raise StoreError("malformed PKCS#12 EncryptedData")
        eci = _children(buf, ed[1][1], ed[1][2])
        if len(eci) != 3 or eci[1][0] != _SEQ:
            raise StoreError("malformed PKCS#12 EncryptedContentInfo")
        if eci[2][0] == 0xA0:
            raise _Unsupported("constructed (BER) encrypted content")
        if eci[2][0] != 0x80:
            raise StoreError("malformed PKCS#12 encrypted content")
        plain = _decrypt(buf[eci[1][3]:eci[1][2]], buf[eci[2][1]:eci[2][2]], password)
        try:
            return _safe_contents(plain, True), True
        except (StoreError, _Unsupported):
            raise StorePasswordError("decrypted content is not PKCS#12 bags (wrong password)") from None
    if oid == OID_ENVELOPED_DATA:
        raise _Unsupported("public-key privacy mode (envelopedData)")
    raise StoreError(f"unknown PKCS#12 content type {oid}")


@dataclass
class _P12Read:
    pfx: _Pfx
    bags: list[_Bag]
    locked: int  # encrypted contents not opened
    password: str | None
    mac_form: bytes | None
    integrity: str
    opaque: list[str]  # why some encrypted contents (password verified by the MAC) were not decrypted here


def _open_pkcs12(data: bytes, passwords: tuple[str, ...]) -> _P12Read:
    pfx = _parse_pfx(data)
    if pfx.mac_oid is not None and pfx.mac_hash is None:
        raise _Unsupported(f"PKCS#12 MAC algorithm {pfx.mac_oid}")
    mac_form, used = None, None
    if pfx.mac_hash is not None:
        for p in passwords:
            form = _mac_password_form(pfx, p)
            if form is not None:
                mac_form, used = form, p
                break
    bags: list[_Bag] = []
    locked = 0
    opaque: list[str] = []
    for item in pfx.auth_safe_items:
        if _content_info(item)[0] != OID_ENCRYPTED_DATA:
            bags.extend(_open_content(item, None)[0] or [])
            continue
        for p in (used,) if used is not None else passwords:
            try:
                opened, _ = _open_content(item, p)
            except StorePasswordError:
                if mac_form is not None:  # the MAC says the password is right: the content is broken
                    raise StoreError("encrypted PKCS#12 content does not decrypt with the MAC's password") from None
                continue
            except _Unsupported as why:
                if mac_form is None:
                    raise
                opaque.append(str(why))  # the MAC vouches for the password; the content stays as it is
                used = p
                break
            bags.extend(opened or [])
            used = p
            break
        else:
            locked += 1
    integrity = "absent" if pfx.mac_oid is None else ("verified" if mac_form is not None else "unverified")
    return _P12Read(pfx, bags, locked, used, mac_form, integrity, opaque)


def _read_pkcs12(data: bytes, passwords: tuple[str, ...]) -> Store:
    try:
        opened = _open_pkcs12(data, passwords)
    except _Unsupported as why:
        return _read_pkcs12_with_cryptography(data, passwords, str(why))
    if opened.opaque:
        return _read_pkcs12_with_cryptography(data, passwords, opened.opaque[0])
    key_ids = {b.local_key_id for b in opened.bags if b.oid in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG) and b.local_key_id}
    entries, problems = [], []
    index = 0
    for bag in opened.bags:
        if bag.oid != OID_CERT_BAG:
            continue
        index += 1
        if bag.der is None:
            problems.append(f"entry {index}: a certificate bag that is not X.509, skipped")
            continue
        if bag.local_key_id is not None and bag.local_key_id in key_ids:
            kind = KEY_ENTRY_CHAIN
        elif bag.java_trusted:
            kind = TRUSTED_CERT
        else:
            kind = CA_CERT
        if not _parses_as_certificate(bag.der):
            problems.append(f"entry {index} ({bag.friendly_name}): not a parseable certificate")
        entries.append(StoreEntry(bag.der, bag.friendly_name, kind, index))
    needed = opened.locked > 0
    if needed:
        problems.append(
            f"could not read without a password: {opened.locked} encrypted part(s) do not open with "
            f"{_describe_passwords(passwords)}"
        )
    elif opened.integrity == "unverified":
        problems.append(f"MAC does not match {_describe_passwords(passwords)}: certificates read without verifying the store")
    keys = sum(1 for b in opened.bags if b.oid in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG))
    return Store("pkcs12", tuple(entries), tuple(problems), password_needed=needed, password=opened.password,
                 integrity=opened.integrity, key_entries=keys)


def _read_pkcs12_with_cryptography(data: bytes, passwords: tuple[str, ...], why: str) -> Store:
    """Fallback for what the structural reader does not implement: cryptography's loader (no attributes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    note = f"read with cryptography's PKCS#12 loader ({why}): Java trusted-certificate attributes not visible"
    for p in passwords:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loaded = pkcs12.load_pkcs12(data, p.encode("utf-8") if p else None)
        except Exception:  # noqa: BLE001 - wrong password or unreadable: try the next
            continue
        entries = []
        certs = ([(loaded.cert, KEY_ENTRY_CHAIN if loaded.key else CA_CERT)] if loaded.cert else []) + [
            (c, CA_CERT) for c in loaded.additional_certs
        ]
        for i, (c, kind) in enumerate(certs, 1):
            name = c.friendly_name.decode("utf-8", "replace") if c.friendly_name else None
            entries.append(StoreEntry(c.certificate.public_bytes(serialization.Encoding.DER), name, kind, i))
        return Store("pkcs12", tuple(entries), (note,), password=p, integrity="verified",
                     key_entries=1 if loaded.key else 0)
    return Store("pkcs12", (), (f"could not read without a password: it does not open with {_describe_passwords(passwords)} ({why})",),
                 password_needed=True, integrity="unverified")


# --------------------------------------------------------------------------- PKCS#12 writing

_PBES2_ITERATIONS = 10000  # the JDK 17 default (keystore.pkcs12.certPbeIterationCount)


def _cert_bag(alias: str, der: bytes) -> bytes:
    cert_bag = _seq(_oid(OID_X509_CERT), _enc(0xA0, _enc(_OCTET, der)))
    attrs = _set(
        _seq(_oid(OID_FRIENDLY_NAME), _set(_enc(_BMP, alias.encode("utf-16-be", "surrogatepass")))),
        _seq(_oid(OID_JAVA_TRUSTED_KEY_USAGE), _set(_oid(OID_ANY_EXTENDED_KEY_USAGE))),
    )
    return _seq(_oid(OID_CERT_BAG), _enc(0xA0, cert_bag), attrs)


def _encrypted_content(plain: bytes, password: str) -> bytes:
    """An encryptedData ContentInfo: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC (what JDK 17 and OpenSSL 3 write)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    salt, iv = os.urandom(16), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBES2_ITERATIONS, 32)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = enc.update(padder.update(plain) + padder.finalize()) + enc.finalize()
    alg = _seq(
        _oid(OID_PBES2),
        _seq(
            _seq(_oid(OID_PBKDF2), _seq(_enc(_OCTET, salt), _integer(_PBES2_ITERATIONS), _integer(32),
                                        _seq(_oid("1.2.840.113549.2.9"), _enc(_NULL, b"")))),
            _seq(_oid("2.16.840.1.101.3.4.1.42"), _enc(_OCTET, iv)),
        ),
    )
    encrypted_data = _seq(_integer(0), _seq(_oid(OID_DATA), alg, _enc(0x80, ciphertext)))
    return _seq(_oid(OID_ENCRYPTED_DATA), _enc(0xA0, encrypted_data))


def _add_pkcs12(data: bytes, certs: list[tuple[str, bytes]], password: str) -> bytes:
    try:
        pfx = _parse_pfx(data)
        if pfx.mac_oid is not None and pfx.mac_hash is None:
            raise _Unsupported(f"MAC algorithm {pfx.mac_oid}")
        if pfx.mac_hash is not None and _mac_password_form(pfx, password) is None:
            raise StorePasswordError("wrong store password: the PKCS#12 MAC does not match it")
        opened = _open_pkcs12(data, (password,))
    except _Unsupported as why:
        raise StoreError(f"cannot add to this PKCS#12: {why}") from None
    if opened.locked:
        raise StorePasswordError("wrong store password: encrypted PKCS#12 content does not open with it")
    existing = {b.friendly_name.lower() for b in opened.bags if b.friendly_name}
    if opened.opaque:  # names inside contents this reader cannot decrypt: ask cryptography's loader
        existing |= {a.lower() for a in _read_pkcs12_with_cryptography(data, (password,), "").aliases}
    bags = []
    for alias, der in certs:
        if alias.lower() in existing:
            raise StoreError(f"alias {alias!r} is already in the store")
        existing.add(alias.lower())
        bags.append(_cert_bag(alias, der))
    safe_contents = _seq(*bags)
    cert_bags = [b for b in opened.bags if b.oid == OID_CERT_BAG]
    encrypt = password != "" and (not cert_bags or any(b.encrypted for b in cert_bags))
    new_item = _encrypted_content(safe_contents, password) if encrypt else _seq(
        _oid(OID_DATA), _enc(0xA0, _enc(_OCTET, safe_contents)))
    auth_safe = _seq(*pfx.auth_safe_items, new_item)
    content_info = _seq(_oid(OID_DATA), _enc(0xA0, _enc(_OCTET, auth_safe)))
    parts = [_integer(3), content_info]
    if pfx.mac_hash is not None:
        assert opened.mac_form is not None and pfx.mac_oid is not None
        salt = os.urandom(max(len(pfx.mac_salt), 8))
        size = hashlib.new(pfx.mac_hash).digest_size
        key = _pkcs12_kdf(opened.mac_form, salt, 3, pfx.mac_iterations, size, pfx.mac_hash)
        digest = hmac.new(key, auth_safe, pfx.mac_hash).digest()
        mac = _seq(_seq(_seq(_oid(pfx.mac_oid), _enc(_NULL, b"")), _enc(_OCTET, digest)),
                   _enc(_OCTET, salt), _integer(pfx.mac_iterations))
        parts.append(mac)
    return _seq(*parts)


# --------------------------------------------------------------------------- writing entry point


def add_certificates(data: bytes, certs: list[tuple[str, bytes]], password: str = "changeit",
                     *, timestamp_ms: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """`data` (a JKS, JCEKS or PKCS#12 store) with a trusted-certificate entry for each (alias, DER).

    Existing entries are kept byte for byte; the store password stays `password`, which must open
    the store (StorePasswordError otherwise). An alias already in the store is a StoreError:
    skipping certificates the store already trusts is the caller's job. JKS/JCEKS aliases are
    written in lower case, as Java stores them. `timestamp_ms` (Java epoch milliseconds, default
    now) dates new JKS/JCEKS entries.
    """
    if len(data) > max_bytes:
        raise StoreError(f"larger than {max_bytes} bytes: not rewritten")
    for alias, der in certs:
        if not alias:
            raise StoreError("an alias is empty")
        if not _parses_as_certificate(der):
            raise StoreError(f"{alias}: not a parseable DER certificate")
    fmt = detect_format(data)
    if not certs:
        read_store(data, (password,), max_bytes=max_bytes)  # still validates the input
        return data
    try:
        if fmt in ("jks", "jceks"):
            stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
            return _add_jks(data, certs, password, stamp)
        if fmt == "pkcs12":
            return _add_pkcs12(data, certs, password)
    except (struct.error, IndexError, ValueError, OverflowError, UnicodeError) as exc:
        raise StoreError(f"malformed {fmt} store ({type(exc).__name__}: {_one_line(exc)})") from None
    raise StoreError(f"cannot add certificates to a {fmt} store (only JKS, JCEKS and PKCS#12 here)")

