"""Java KeyStore (JKS) and Sun JCE KeyStore (JCEKS): read every certificate, add trusted ones.

Certificates are stored in clear, so they are read whatever the password; the password only checks
the SHA-1 integrity digest that closes the file. New trusted-certificate entries go before the
digest (or before a closing JCEKS secret key), which is then recomputed with the store password.
"""
from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from ats_lint.trust.stores.detect import JKS_MAGIC
from ats_lint.trust.stores.model import (
    KEY_ENTRY_CHAIN,
    TRUSTED_CERT,
    Store,
    StoreEntry,
    StoreError,
    StorePasswordError,
    describe_passwords,
    parses_as_certificate,
)

_JKS_WHITENER = b"Mighty Aphrodite"


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


def jks_digest(password: str, body: bytes) -> bytes:
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


def read_jks(data: bytes, passwords: tuple[str, ...]) -> Store:
    fmt = "jks" if data[:4] == b"\xfe\xed\xfe\xed" else "jceks"
    layout = _parse_jks(data)
    digest = data[-20:]
    used = next((p for p in passwords if hmac.compare_digest(jks_digest(p, data[:-20]), digest)), None)
    problems = list(layout.problems)
    if used is None:
        tried = describe_passwords(passwords)
        problems.append(
            f"integrity digest does not match {tried}: certificates read without verifying the store"
        )
    for e in layout.entries:
        if not parses_as_certificate(e.der):
            problems.append(f"{e.location} ({e.alias}): not a parseable certificate")
    return Store(fmt, tuple(layout.entries), tuple(problems), password_needed=False, password=used,
                 integrity="verified" if used is not None else "unverified", key_entries=layout.key_entries)


def add_jks(data: bytes, certs: list[tuple[str, bytes]], password: str, timestamp_ms: int) -> bytes:
    layout = _parse_jks(data)
    if layout.body_end is None or layout.insert_at is None:
        raise StoreError("cannot add to this JCEKS: it holds a secret key entry this reader cannot skip")
    if not hmac.compare_digest(jks_digest(password, data[:-20]), data[-20:]):
        raise StorePasswordError("wrong store password: the keystore's integrity digest does not match it")
    existing = {a.lower() for a in layout.aliases}
    out = bytearray(data[:layout.insert_at])
    for alias, der in certs:
        key = alias.lower()  # JKS and JCEKS keep aliases in lower case (KeyStore.convertAlias)
        if key in existing:
            raise StoreError(f"alias {key!r} is already in the store")
        existing.add(key)
        out += struct.pack(">i", 2) + java_utf(key) + struct.pack(">q", timestamp_ms)
        if layout.version == 2:
            out += java_utf("X.509")
        out += struct.pack(">i", len(der)) + der
    out += data[layout.insert_at:layout.body_end]
    out[8:12] = struct.pack(">i", layout.count + len(certs))
    out += jks_digest(password, bytes(out))
    return bytes(out)


def java_utf(text: str) -> bytes:
    raw = _java_utf_encode(text)
    return struct.pack(">H", len(raw)) + raw
