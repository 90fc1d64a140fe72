"""The common model of every trust-store format: Store, StoreEntry, the errors, the limits.

A `Store` is what a reader returns: its format, its certificate entries (each with an alias when
the format has them and a kind: trusted certificate, key-entry chain or plain CA certificate), the
problems met (one line each) and what the passwords tried did. Nothing here parses a format.
"""
from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

FORMATS = ("pem", "der", "pkcs7-der", "pkcs7-pem", "pkcs12", "jks", "jceks", "unknown")
WRITABLE_FORMATS = ("jks", "jceks", "pkcs12")
FORMAT_NAMES = {"pem": "PEM", "der": "DER certificate", "pkcs7-der": "PKCS#7", "pkcs7-pem": "PKCS#7 (PEM)",
                "pkcs12": "PKCS#12", "jks": "JKS", "jceks": "JCEKS", "unknown": "unknown format"}
DEFAULT_PASSWORDS = ("changeit", "")
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

# Entry kinds.
TRUSTED_CERT = "trusted-cert"  # a trust anchor: JKS/JCEKS tag 2, PKCS#12 bag with the Java trust attribute, PEM/DER/PKCS#7
KEY_ENTRY_CHAIN = "key-entry-chain"  # a certificate of a private key entry's chain
CA_CERT = "ca-cert"  # a PKCS#12 certificate neither trusted by Java nor tied to a key (OpenSSL's -certfile/-CAfile)


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


class Unsupported(Exception):
    """Well-formed, but something this reader does not implement (BER, an algorithm...)."""


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def describe_passwords(passwords: tuple[str, ...]) -> str:
    names = ["an empty password" if p == "" else ("`changeit`" if p == "changeit" else "a given password")
             for p in passwords]
    return " or ".join(dict.fromkeys(names)) if names else "any password (none tried)"


def parses_as_certificate(der: bytes) -> bool:
    from cryptography import x509

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x509.load_der_x509_certificate(der)
        return True
    except Exception:  # noqa: BLE001 - any failure: not a certificate we can read
        return False
