"""Trust stores in the formats real code points at: read their certificates, add trusted ones.

One job: bytes in, certificates (or new bytes) out. Imports only the standard library and
`cryptography`; nothing from `ats_lint`, nothing printed, no file written.

Formats, detected from the content (`detect_format`), never from a file name:

- ``pem``: PEM text with ``CERTIFICATE`` blocks (`pem_certificates`; ats_lint.trust.certs has the
  full bundle reader with its diagnostics);
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

One module per job: `model` (Store, StoreEntry, errors), `der` (a small DER reader/writer and the
OIDs), `detect` (format by content), `certfiles` (PEM, DER, PKCS#7), `jks` (JKS/JCEKS),
`pkcs12` and `pkcs12_crypto` (PKCS#12). This module holds the entry points.
"""
from __future__ import annotations

import os
import struct
import time

from ats_lint.trust.stores.certfiles import pem_certificates, read_der, read_pem, read_pkcs7
from ats_lint.trust.stores.detect import JCEKS_MAGIC, JKS_MAGIC, detect_format
from ats_lint.trust.stores.jks import add_jks, read_jks
from ats_lint.trust.stores.model import (
    CA_CERT,
    DEFAULT_MAX_BYTES,
    DEFAULT_PASSWORDS,
    FORMAT_NAMES,
    FORMATS,
    KEY_ENTRY_CHAIN,
    TRUSTED_CERT,
    WRITABLE_FORMATS,
    Store,
    StoreEntry,
    StoreError,
    StorePasswordError,
    Unsupported,
    one_line,
    parses_as_certificate,
)
from ats_lint.trust.stores.pkcs12 import add_pkcs12, read_pkcs12

__all__ = [
    "CA_CERT", "DEFAULT_MAX_BYTES", "DEFAULT_PASSWORDS", "FORMAT_NAMES", "FORMATS", "JCEKS_MAGIC", "JKS_MAGIC", "KEY_ENTRY_CHAIN",
    "TRUSTED_CERT", "WRITABLE_FORMATS", "Store", "StoreEntry", "StoreError", "StorePasswordError",
    "add_certificates", "detect_format", "pem_certificates", "read_store", "read_store_file",
]


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
            return read_pem(data)
        if fmt == "der":
            return read_der(data)
        if fmt in ("pkcs7-der", "pkcs7-pem"):
            return read_pkcs7(data, fmt)
        if fmt in ("jks", "jceks"):
            return read_jks(data, passwords)
        if fmt == "pkcs12":
            return read_pkcs12(data, passwords)
    except (struct.error, IndexError, ValueError, OverflowError, UnicodeError, Unsupported) as exc:
        # Defence in depth: the parsers check bounds themselves; any slip is still one line.
        raise StoreError(f"malformed {fmt} store ({type(exc).__name__}: {one_line(exc)})") from None
    raise StoreError("not a recognised trust store (PEM, DER, PKCS#7, PKCS#12, JKS or JCEKS)")


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
        if not parses_as_certificate(der):
            raise StoreError(f"{alias}: not a parseable DER certificate")
    fmt = detect_format(data)
    if not certs:
        read_store(data, (password,), max_bytes=max_bytes)  # still validates the input
        return data
    try:
        if fmt in ("jks", "jceks"):
            stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
            return add_jks(data, certs, password, stamp)
        if fmt == "pkcs12":
            return add_pkcs12(data, certs, password)
    except (struct.error, IndexError, ValueError, OverflowError, UnicodeError) as exc:
        raise StoreError(f"malformed {fmt} store ({type(exc).__name__}: {one_line(exc)})") from None
    raise StoreError(f"cannot add certificates to a {fmt} store (only JKS, JCEKS and PKCS#12 here)")
