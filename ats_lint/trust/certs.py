"""Certificate knowledge.

Everything here is derived at load time from the PEM bundles shipped in `rules/certs/`:
the ATS roots (and their cross-certificates) and the DigiCert roots and intermediates.
No fingerprint is written down anywhere in the code or the data; each one is computed
from a certificate. `cryptography` is imported only when certificates must be parsed.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ats_lint.resources import load_data, rules_dir

PEM_BLOCK_RE = re.compile(
    r"-----BEGIN CERTIFICATE-----(?P<body>[^-]{0,20000}?)-----END CERTIFICATE-----"
)
_BASE64_CHARS_RE = re.compile(r"[^A-Za-z0-9+/=]")

# Candidate spellings of a digest inside a piece of text. Each is bounded and anchored by
# look-arounds, so matching is linear in the length of the text.
_HEX = "[0-9A-Fa-f]"
FINGERPRINT_CANDIDATE_RE = re.compile(
    rf"(?<![0-9A-Za-z])(?:"
    rf"(?P<sep>{_HEX}{{2}}(?:[:\- ]{_HEX}{{2}}){{19}}(?:(?:[:\- ]{_HEX}{{2}}){{12}})?)"
    rf"|(?P<hex>{_HEX}{{64}}|{_HEX}{{40}})"
    rf")(?![0-9A-Za-z])"
    rf"|(?<![A-Za-z0-9+])(?P<b64>[A-Za-z0-9+/]{{43}}=|[A-Za-z0-9+/]{{27}}=)(?![A-Za-z0-9+/=])"
)

# A presence test that runs at memory speed: map the characters a digest is spelled with to
# marker bytes, then look for a long enough run of markers. Only text that passes it is given
# to the candidate regex (most files and literals do not).
_HEX_TABLE = bytes.maketrans(b"0123456789abcdefABCDEF:- ", b"\x01" * 22 + b"\x02" * 3)
_B64_TABLE = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", b"\x03" * 64)
_HEX_RUN = b"\x01" * 40
_HEX_SEPARATED = b"\x01\x01\x02" * 19 + b"\x01\x01"
_B64_RUN = b"\x03" * 27 + b"="


def may_contain_digest(text: str) -> bool:
    """False when `text` certainly holds no 20/32-byte digest in hex (plain or separated) or base64."""
    raw = text.encode("utf-8", "replace")
    hexed = raw.translate(_HEX_TABLE)
    return _HEX_RUN in hexed or _HEX_SEPARATED in hexed or _B64_RUN in raw.translate(_B64_TABLE)


DIGEST_KINDS = {
    "sha256": "SHA-256 certificate fingerprint",
    "sha1": "SHA-1 certificate fingerprint",
    "spki-sha256": "SHA-256 public-key (SPKI) pin",
    "spki-sha1": "SHA-1 public-key (SPKI) pin",
}


@dataclass(frozen=True)
class KnownCertificate:
    label: str
    side: str  # "ats" or "digicert"
    role: str  # "root" or "intermediate"
    subject: str
    sha256: bytes
    sha1: bytes
    spki_sha256: bytes
    spki_sha1: bytes
    source_file: str

    @property
    def is_ats(self) -> bool:
        return self.side == "ats"


@dataclass(frozen=True)
class DigestMatch:
    certificate: KnownCertificate
    kind: str  # a key of DIGEST_KINDS
    text: str  # the spelling found in the source


@dataclass
class CertificateKnowledge:
    certificates: list[KnownCertificate]
    by_digest: dict[bytes, list[tuple[KnownCertificate, str]]] = field(default_factory=dict)
    ats_spki: frozenset[bytes] = frozenset()
    by_der_sha256: dict[bytes, KnownCertificate] = field(default_factory=dict)

    def identify_digest(self, raw: bytes) -> tuple[KnownCertificate, str] | None:
        """The certificate whose fingerprint or pin is `raw`; DigiCert wins if a value were shared."""
        entries = self.by_digest.get(raw)
        if not entries:
            return None
        return sorted(entries, key=lambda e: (e[0].side != "digicert", e[0].label))[0]

    def find_digests(self, text: str) -> Iterator[tuple[int, DigestMatch]]:
        """Yield (offset, match) for every fingerprint or pin of a known certificate in `text`."""
        if not may_contain_digest(text):
            return
        for m in FINGERPRINT_CANDIDATE_RE.finditer(text):
            raw = normalize_fingerprint(m.group(0))
            if raw is None:
                continue
            hit = self.identify_digest(raw)
            if hit:
                yield m.start(), DigestMatch(hit[0], hit[1], m.group(0))

    def by_label(self, label: str, side: str | None = None) -> KnownCertificate:
        for cert in self.certificates:
            if cert.label == label and (side is None or cert.side == side):
                return cert
        raise KeyError(label)


def normalize_fingerprint(text: str) -> bytes | None:
    """Bytes of a digest written as hex (any case, colons/spaces/dashes or none) or base64."""
    text = text.strip()
    if text.endswith("=") or len(text) in (28, 44) and not re.fullmatch(r"[0-9A-Fa-f:\- ]+", text):
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
        return raw if len(raw) in (20, 32) else None
    hexdigits = re.sub(r"[:\- ]", "", text)
    if len(hexdigits) not in (40, 64) or not re.fullmatch(r"[0-9A-Fa-f]+", hexdigits):
        return None
    return bytes.fromhex(hexdigits)


def pem_blocks(text: str) -> Iterator[tuple[int, bytes | None]]:
    """Yield (offset, DER or None when the body is not valid base64) for each PEM certificate."""
    for m in PEM_BLOCK_RE.finditer(text):
        body = m.group("body").replace("\\n", "").replace("\\r", "")
        body = _BASE64_CHARS_RE.sub("", body)
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            yield m.start(), None
            continue
        yield m.start(), der if der else None


# A certificate written as bare base64 DER (no PEM armour: `Data(base64Encoded: "MIID...")`, a list
# of an SDK's stored certificates): a DER SEQUENCE with a two-byte length encodes as `MII`; a
# certificate is a few hundred characters at least. Long base64 is often wrapped: line breaks (or
# `\n` escapes inside a string) with indentation, each further line nothing but base64 (a plist
# `<data>` block, a multi-line string); each further line is matched in turn, not by one regex.
DER_HEAD_RE = re.compile(r"(?<![A-Za-z0-9+/])MII[A-Za-z0-9+/]{13,16000}")
DER_LINE_RE = re.compile(r"(?:\\[rn]|[ \t]{0,40}\r?\n)[ \t]{0,40}[A-Za-z0-9+/]{1,16000}={0,2}(?=[ \t]{0,40}(?:\r?\n|\\[rn]|[\"'`<]|$))")
_WRAPPING_RE = re.compile(r"\\[rn]|\s")
_MAX_DER_LINES = 400


def der_base64_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, base64 without its wrapping) of each run in `text` long enough to be a certificate."""
    if "MII" not in text:
        return
    done = 0
    for head in DER_HEAD_RE.finditer(text):
        if head.start() < done:
            continue  # a line of a run already read
        end, parts = head.end(), [head.group()]
        for _ in range(_MAX_DER_LINES):
            line = DER_LINE_RE.match(text, end)
            if line is None:
                break
            parts.append(line.group())
            end = line.end()
        done = end
        body = _WRAPPING_RE.sub("", "".join(parts))
        if len(body) >= 400:
            yield head.start(), end, body


def der_certificates(text: str) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, DER) for each run of base64 in `text` that decodes to a DER structure."""
    for start, _, body in der_base64_runs(text):
        try:
            der = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        yield start, der


def _crypto():
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509, serialization


def spki_der(der: bytes) -> bytes | None:
    """The SubjectPublicKeyInfo of a DER certificate, or None if it does not parse."""
    x509, serialization = _crypto()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cert = x509.load_der_x509_certificate(der)
            return cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
    except Exception:  # noqa: BLE001 - any parse failure means "not a certificate we can read"
        return None


def describe_der(der: bytes) -> dict | None:
    """Subject, issuer, validity and SPKI of a DER certificate, or None if it does not parse."""
    x509, serialization = _crypto()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cert = x509.load_der_x509_certificate(der)
            spki = cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            subject = cert.subject.rfc4514_string()
            issuer = cert.issuer.rfc4514_string()
            not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    except Exception:  # noqa: BLE001
        return None
    return {"subject": subject, "issuer": issuer, "spki": spki, "not_before": not_before, "not_after": not_after}


def _label_from_comments(comment_lines: list[str]) -> str | None:
    for line in comment_lines:
        m = re.match(r"#\s*Label:\s*\"?(.*?)\"?\s*$", line)
        if m:
            return m.group(1)
    return None


def _read_reference_bundle(path: Path) -> Iterator[tuple[str | None, bytes]]:
    text = path.read_text(encoding="utf-8")
    last_end = 0
    for m in PEM_BLOCK_RE.finditer(text):
        comments = [ln for ln in text[last_end:m.start()].splitlines() if ln.startswith("#")]
        der = base64.b64decode(_BASE64_CHARS_RE.sub("", m.group("body")))
        last_end = m.end()
        yield _label_from_comments(comments), der


@functools.lru_cache(maxsize=1)
def knowledge() -> CertificateKnowledge:
    """Every reference certificate named in rules/certs.yaml, fingerprinted.

    Parsing certificates needs `cryptography` (a noticeable part of a small run's start-up), so
    the derived facts are kept as plain JSON in the user's cache folder, keyed by a hash of the
    shipped certificates, rules/certs.yaml and this module: any change to them derives again."""
    key, sources = _knowledge_key()
    cached = _read_knowledge_cache(key)
    certificates = cached if cached is not None else _derive_certificates(sources)
    if cached is None:
        _write_knowledge_cache(key, certificates)
    kb = CertificateKnowledge(certificates)
    for cert in certificates:
        for kind, digest in (
            ("sha256", cert.sha256),
            ("sha1", cert.sha1),
            ("spki-sha256", cert.spki_sha256),
            ("spki-sha1", cert.spki_sha1),
        ):
            entries = kb.by_digest.setdefault(digest, [])
            if (cert, kind) not in entries:
                entries.append((cert, kind))
        kb.by_der_sha256[cert.sha256] = cert
    kb.ats_spki = frozenset(c.spki_sha256 for c in certificates if c.is_ats)
    return kb


_KNOWLEDGE_FORMAT = 1
_DIGEST_FIELDS = ("sha256", "sha1", "spki_sha256", "spki_sha1")


def _knowledge_key() -> tuple[str, list[tuple[dict, Path, bytes]]]:
    spec = load_data("certs.yaml")
    h = hashlib.sha256(f"format {_KNOWLEDGE_FORMAT}\n".encode())
    h.update((rules_dir() / "certs.yaml").read_bytes())
    h.update(Path(__file__).read_bytes())
    sources = []
    for bundle in spec["bundles"]:
        path = rules_dir() / bundle["file"]
        data = path.read_bytes()
        h.update(bundle["file"].encode() + b"\0" + data)
        sources.append((bundle, path, data))
    return h.hexdigest()[:32], sources


def _derive_certificates(sources: list[tuple[dict, Path, bytes]]) -> list[KnownCertificate]:
    certificates: list[KnownCertificate] = []
    for bundle, path, _ in sources:
        for label, der in _read_reference_bundle(path):
            info = describe_der(der)
            if info is None:
                raise ValueError(f"{path}: a reference certificate does not parse")
            spki = info["spki"]
            certificates.append(
                KnownCertificate(
                    label=label or info["subject"],
                    side=bundle["side"],
                    role="root" if info["subject"] == info["issuer"] else "intermediate",
                    subject=info["subject"],
                    sha256=hashlib.sha256(der).digest(),
                    sha1=hashlib.sha1(der).digest(),  # noqa: S324 - a fingerprint, not security
                    spki_sha256=hashlib.sha256(spki).digest(),
                    spki_sha1=hashlib.sha1(spki).digest(),  # noqa: S324
                    source_file=bundle["file"],
                )
            )
    return certificates


def _knowledge_cache_file(key: str) -> Path | None:
    from ats_lint.resources import user_cache_base

    base = user_cache_base()
    return base / "knowledge" / f"certificates-{key}.json" if base is not None else None


def _read_knowledge_cache(key: str) -> list[KnownCertificate] | None:
    import json

    path = _knowledge_cache_file(key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _KNOWLEDGE_FORMAT or data.get("key") != key:
            return None
        return [
            KnownCertificate(**{k: (bytes.fromhex(v) if k in _DIGEST_FIELDS else v) for k, v in entry.items()})
            for entry in data["certificates"]
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing, damaged or of another version: derive again


def _write_knowledge_cache(key: str, certificates: list[KnownCertificate]) -> None:
    """Write atomically (temporary file + rename); a cache folder that cannot be written is no error."""
    import dataclasses
    import json

    from ats_lint.files import replace_file

    path = _knowledge_cache_file(key)
    if path is None:
        return
    entries = [
        {k: (v.hex() if k in _DIGEST_FIELDS else v) for k, v in dataclasses.asdict(cert).items()}
        for cert in certificates
    ]
    try:
        if not path.parent.is_dir():
            # A folder of its own, tagged as a cache: when XDG_CACHE_HOME lies inside a scanned tree,
            # discovery skips it (the file holds DigiCert fingerprints), and so do backups and git.
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.parent / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# ats-lint's certificate knowledge (a cache).\n", encoding="utf-8")
            (path.parent / ".gitignore").write_text("# Created by ats-lint: a cache, never committed.\n*\n", encoding="utf-8")
        replace_file(path, json.dumps({"format": _KNOWLEDGE_FORMAT, "key": key, "certificates": entries}).encode("utf-8"), 0o600)
    except OSError:
        pass  # a cache that cannot be written only costs start-up time


@functools.lru_cache(maxsize=1)
def fix_roots() -> tuple[tuple[KnownCertificate, str], ...]:
    """The roots a fix appends (rules/certs.yaml `fix_roots`), each with its PEM block as shipped."""
    spec = load_data("certs.yaml")["fix_roots"]
    text = (rules_dir() / spec["file"]).read_text(encoding="utf-8")
    pems = {hashlib.sha256(base64.b64decode(_BASE64_CHARS_RE.sub("", m.group("body")))).digest(): m.group(0)
            for m in PEM_BLOCK_RE.finditer(text)}
    kb = knowledge()
    out = []
    for label in spec["labels"]:
        cert = next((c for c in kb.certificates if c.label == label and c.source_file == spec["file"] and c.role == "root"), None)
        if cert is None or cert.sha256 not in pems:
            raise ValueError(f"rules/certs.yaml fix_roots: no self-signed `{label}` in {spec['file']}")
        out.append((cert, pems[cert.sha256]))
    return tuple(out)


# --------------------------------------------------------------------------- bundles


@dataclass
class BundleCertificate:
    offset: int
    subject: str | None
    issuer: str | None
    sha256: bytes | None
    known: KnownCertificate | None
    is_ats: bool
    is_digicert: bool
    problem: str | None = None


@dataclass
class BundleAnalysis:
    certificates: list[BundleCertificate]
    format: str = "pem"  # a trust-store format of ats_lint.trust.stores, or "folder"
    problem: str | None = None  # the store could not be read at all (one line)
    password_needed: bool = False  # part of the store is encrypted and no password tried opens it

    @property
    def trusts_ats(self) -> bool:
        return any(c.is_ats for c in self.certificates)

    @property
    def ats_labels(self) -> list[str]:
        return sorted({c.known.label if c.known else (c.subject or "?") for c in self.certificates if c.is_ats})

    @property
    def readable(self) -> bool:
        return any(c.problem is None for c in self.certificates)


_DIGICERT_NAME_RE = re.compile(r"O=DigiCert|CN=Baltimore CyberTrust|O=Baltimore", re.I)


def classify_der(der: bytes, offset: int = 0) -> BundleCertificate:
    kb = knowledge()
    sha256 = hashlib.sha256(der).digest()
    known = kb.by_der_sha256.get(sha256)
    info = describe_der(der)
    if info is None:
        return BundleCertificate(offset, None, None, sha256, None, False, False, "not a parseable certificate")
    spki_digest = hashlib.sha256(info["spki"]).digest()
    if known is None:
        shared = [c for c, kind in kb.by_digest.get(spki_digest, []) if kind == "spki-sha256"]
        known = shared[0] if shared else None
    is_ats = spki_digest in kb.ats_spki
    is_digicert = (known is not None and known.side == "digicert") or bool(
        _DIGICERT_NAME_RE.search(info["subject"])
    )
    return BundleCertificate(offset, info["subject"], info["issuer"], sha256, known, is_ats, is_digicert)


def analyze_bundle_text(text: str) -> BundleAnalysis:
    certs = []
    for offset, der in pem_blocks(text):
        if der is None:
            certs.append(BundleCertificate(offset, None, None, None, None, False, False, "invalid base64"))
        else:
            certs.append(classify_der(der, offset))
    return BundleAnalysis(certs)


def analyze_bundle_file(path: Path, max_bytes: int = 16 * 1024 * 1024) -> BundleAnalysis:
    """Analyze a trust store in any format of ats_lint.trust.stores (PEM, DER, PKCS#7, PKCS#12, JKS,
    JCEKS), or a folder of PEM/DER files (OpenSSL capath). A store that cannot be read gives an
    analysis with `problem` set; a folder skips the files that are not certificates."""
    if path.is_dir():
        certs: list[BundleCertificate] = []
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            certs.extend(analyze_store_bytes(_read_limited(file, max_bytes), max_bytes).certificates)
        return BundleAnalysis(certs, format="folder")
    return analyze_store_bytes(_read_limited(path, max_bytes), max_bytes)


def _read_limited(path: Path, max_bytes: int) -> bytes:
    """Regular files only, never blocking on a FIFO (`NotARegularFile`, an OSError, otherwise)."""
    from ats_lint.files import read_limited

    return read_limited(path, max_bytes)


def analyze_store_bytes(data: bytes, max_bytes: int = 16 * 1024 * 1024) -> BundleAnalysis:
    """Analyze the content of one store file (see `analyze_bundle_file`)."""
    from ats_lint.trust import stores

    fmt = stores.detect_format(data)
    if fmt == "pem" and b"-----BEGIN CERTIFICATE-----" in data:
        return analyze_bundle_text(data[:max_bytes].decode("ascii", "replace"))
    try:
        store = stores.read_store(data, max_bytes=max_bytes)
    except stores.StoreError as exc:
        return BundleAnalysis([], format=fmt, problem=str(exc))
    certs = [classify_der(entry.der) for entry in store.entries]
    problem = next((p for p in store.problems if p.startswith("could not read without a password")), None)
    return BundleAnalysis(certs, format=store.format, problem=problem if not certs else None,
                          password_needed=store.password_needed)
