"""What every scanner checks inside a piece of literal text: S3/CloudFront hosts (ATS101/ATS102),
DigiCert fingerprints and pins, and embedded DigiCert PEM blocks (ATS302)."""
from __future__ import annotations

import functools
import re
from typing import Callable

from ats_lint.model import Span
from ats_lint.scan.sink import FindingSink

PEM_MARKER = "-----BEGIN CERTIFICATE-----"
QUOTES = "\"'`"  # the quotes a string literal is written with, in every scanned language


@functools.lru_cache(maxsize=1)
def _host_hint() -> tuple[tuple[bytes, ...], re.Pattern]:
    """Cheap pre-check: a text without one of the domain suffixes (rules/hosts.yaml) holds no host."""
    from ats_lint.scan.hosts import suffix_fragments

    fragments = suffix_fragments()
    regex = re.compile("|".join(re.escape(f) for f in fragments), re.IGNORECASE)
    return tuple(f.encode("ascii") for f in fragments), regex


def host_hint_re() -> re.Pattern:
    """The pre-check as a regular expression (case-insensitive)."""
    return _host_hint()[1]


def has_host_hint(text: str) -> bool:
    """`host_hint_re().search(text)`, at memory speed."""
    needles, regex = _host_hint()
    return contains_ignoring_case(text, needles, regex)


@functools.lru_cache(maxsize=1)
def _folding_to_ascii() -> tuple[str, ...]:
    """Non-ASCII characters that a case-insensitive regex matches with an ASCII letter (the dotted
    and dotless i, the long s, the Kelvin sign)."""
    letter = re.compile("[A-Za-z]", re.IGNORECASE)
    return tuple(chr(c) for c in range(0x80, 0x10000) if letter.match(chr(c)))


def contains_ignoring_case(text: str, needles: tuple[bytes, ...], regex: re.Pattern) -> bool:
    """`regex.search(text)` for a case-insensitive regex that is an alternation of the ASCII
    `needles`: a substring search in the lower-cased UTF-8 bytes (a case-insensitive regex tries
    every character). Text holding a character that folds to an ASCII letter keeps the regex."""
    if not text.isascii() and any(ch in text for ch in _folding_to_ascii()):
        return regex.search(text) is not None
    lowered = _lowered(text)
    return any(needle in lowered for needle in needles)


_last_lowered: tuple[str, bytes] = ("", b"")


def _lowered(text: str) -> bytes:
    """The lower-cased UTF-8 bytes of `text`; the scanner and the suppressions ask about the same
    text in turn, so the last one is kept (one tuple: read and replaced whole)."""
    global _last_lowered
    last = _last_lowered
    if last[0] is not text:
        last = _last_lowered = (text, text.encode("utf-8", "surrogatepass").lower())
    return last[1]


def has_der_hint(text: str) -> bool:
    """Could `text` hold a certificate written as bare base64 DER (`MII...`, hundreds of characters)?"""
    if "MII" not in text:
        return False
    from ats_lint.trust.certs import der_base64_runs

    return next(der_base64_runs(text), None) is not None


def may_hold_literal_finding(text: str, digest: bool | None = None) -> bool:
    """Could `scan_text` find anything in `text`: a host, a digest, a PEM block or a bare base64 DER
    certificate? `digest`: the caller's `may_contain_digest(text)`, when it has it already."""
    if digest is None:
        from ats_lint.trust.certs import may_contain_digest

        digest = may_contain_digest(text)
    return digest or has_host_hint(text) or PEM_MARKER in text or has_der_hint(text)


def scan_text(text: str, sink: FindingSink, span_at: Callable[[int, int], Span], hosts: bool = True) -> None:
    """Report hosts, digests and DigiCert PEMs in `text`; `span_at(start, end)` maps offsets to spans."""
    if hosts and has_host_hint(text):
        from ats_lint.scan.hosts import host_matcher

        for hit in host_matcher().find(text):
            sink.host(hit, span_at(hit.start, hit.end))
    if len(text) >= 28:
        from ats_lint.trust.certs import knowledge

        for offset, match in knowledge().find_digests(text):
            if match.certificate.side == "digicert":
                sink.digest(match, span_at(offset, offset + len(match.text)))
    if PEM_MARKER in text:
        scan_pems(text, sink, span_at)
    if "MII" in text:
        scan_der_base64(text, sink, span_at)


def scan_pems(text: str, sink: FindingSink, span_at: Callable[[int, int], Span]) -> None:
    from ats_lint.trust.certs import classify_der, pem_blocks

    for offset, der in pem_blocks(text):
        if der is not None and (label := _digicert_label(classify_der(der))) is not None:
            sink.digicert_pem(label, span_at(offset, offset + len(PEM_MARKER)), PEM_MARKER + label)


def _digicert_label(cert) -> str | None:
    """The label of a DigiCert certificate that is not also an Amazon Trust Services one, or None."""
    if cert.is_digicert and not cert.is_ats:
        return cert.known.label if cert.known else (cert.subject or "unknown subject")
    return None


def scan_der_base64(text: str, sink: FindingSink, span_at: Callable[[int, int], Span]) -> None:
    """A DigiCert certificate written as bare base64 DER (no PEM armour)."""
    from ats_lint.trust.certs import PEM_BLOCK_RE, classify_der, der_certificates

    armoured = [m.span() for m in PEM_BLOCK_RE.finditer(text)] if PEM_MARKER in text else []
    for offset, der in der_certificates(text):
        if any(a <= offset < b for a, b in armoured):
            continue  # the body of a PEM block: scan_pems reports it
        if (label := _digicert_label(classify_der(der))) is not None:
            sink.digicert_pem(label, span_at(offset, offset + 3), text[offset:offset + 40] + "...", written="base64 DER")


def scan_digest_bytes(raw: bytes, sink: FindingSink, span: Span) -> None:
    """A bytes literal that is itself a raw SHA-1/SHA-256 digest of a DigiCert certificate."""
    if len(raw) not in (20, 32):
        return
    from ats_lint.trust.certs import DigestMatch, knowledge

    hit = knowledge().identify_digest(raw)
    if hit and hit[0].side == "digicert":
        sink.digest(DigestMatch(hit[0], hit[1], raw.hex()), span)
