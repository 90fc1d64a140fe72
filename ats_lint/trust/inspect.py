"""`ats-lint bundle inspect`: list what a trust store holds and whether it trusts Amazon Trust Services.

A store is a PEM bundle, a DER certificate, a PKCS#7 bundle, a PKCS#12, JKS or JCEKS keystore
(read by content through `trust.stores`, with the passwords given), or a folder of PEM/DER files
(an OpenSSL `capath`). Every certificate is classified with the knowledge in `certs` (derived
from rules/certs); everything else in a PEM file (text that is not a comment, a truncated block, a
block that is not a certificate, an undecodable body) becomes a problem entry of its own and never
stops the run. A keystore that does not parse, or whose certificates are encrypted with a password
none of those given opens, is an error of that store (the others are still inspected). The
verdict suggests `bundle fix` only for the formats it rewrites (PEM, PKCS#12, JKS, JCEKS) and
only when the file holds certificates. This module returns data and renders it; it never prints.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ats_lint.trust import stores
from ats_lint.trust.certs import _BASE64_CHARS_RE, classify_der, describe_der
from ats_lint.trust.stores import FORMAT_NAMES

MAX_BYTES = 16 * 1024 * 1024
FIXABLE_FORMATS = ("pem", "jks", "jceks", "pkcs12")  # what `bundle fix` rewrites
_BEGIN_RE = re.compile(r"^-----BEGIN (?P<type>[A-Z0-9 ]+)-----\s*$")
_END_RE = re.compile(r"^-----END (?P<type>[A-Z0-9 ]+)-----\s*$")


@dataclass
class Entry:
    """One certificate, or one problem, found in a bundle."""

    file: str  # display path of the file that holds it
    line: int | None  # 1-based line of the BEGIN marker (1 for a DER file; None for a keystore entry)
    problem: str | None = None
    subject: str | None = None
    issuer: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    sha256: str | None = None  # hex
    label: str | None = None  # the reference certificate it is (or shares a key with)
    ats: bool = False  # an Amazon Trust Services root (or a cross-certificate with a root's key)
    digicert: bool = False
    expired: bool = False
    entry: int | None = None  # keystore / PKCS#7 entry number (1-based)
    alias: str | None = None  # JKS/JCEKS alias, PKCS#12 friendly name
    kind: str | None = None  # keystore entry kind (trust.stores TRUSTED_CERT, KEY_ENTRY_CHAIN, CA_CERT)
    chain_index: int | None = None  # position in a key entry's chain

    @property
    def where(self) -> str:
        if self.entry is None:
            return f"line {self.line}"
        where = f"entry {self.entry}" + (f", chain certificate {self.chain_index}" if self.chain_index else "")
        return where + (f" ({self.alias})" if self.alias else "")

    @property
    def is_certificate(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict:
        place: dict = {"file": self.file, "line": self.line}
        if self.entry is not None:
            place.update(entry=self.entry, alias=self.alias, kind=self.kind)
        if self.problem is not None:
            return {**place, "problem": self.problem}
        return {
            **place,
            "subject": self.subject,
            "issuer": self.issuer,
            "self_signed": self.subject == self.issuer,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
            "sha256": self.sha256,
            "label": self.label,
            "ats_root": self.ats,
            "digicert": self.digicert,
            "expired": self.expired,
        }


@dataclass
class BundleReport:
    path: str  # as given on the command line
    entries: list[Entry] = field(default_factory=list)
    error: str | None = None  # the store could not be read (at all, or without a password)
    format: str = "pem"  # a trust.stores format, "folder", or "unknown"
    password: str | None = None  # the password that opened or verified a keystore
    files: list["BundleReport"] = field(default_factory=list)  # a folder: each file judged on its own

    @property
    def certificates(self) -> list[Entry]:
        return [e for e in self.entries if e.is_certificate]

    @property
    def problems(self) -> list[Entry]:
        return [e for e in self.entries if not e.is_certificate]

    @property
    def trusts_ats(self) -> bool:
        return any(e.ats for e in self.certificates)

    def verdict(self) -> str:
        if self.error is not None:
            return f"cannot be inspected: {self.error}"
        certs = self.certificates
        if self.trusts_ats:
            labels = sorted({e.label or e.subject or "?" for e in certs if e.ats})
            return f"trusts Amazon Trust Services ({', '.join(labels)})"
        if not certs:
            return "does not trust Amazon Trust Services: holds no certificate (not a trust store)"
        digicert = sum(1 for e in certs if e.digicert)
        content = f"{len(certs)} certificate{'s' if len(certs) != 1 else ''}"
        if digicert:
            content += f", {digicert} from DigiCert"
        return f"does not trust Amazon Trust Services: no ATS root ({content}); {self.advice()}"

    def advice(self) -> str:
        """How to add the ATS roots to this store."""
        if self.format in FIXABLE_FORMATS:
            storepass = "" if self.format == "pem" or self.password in (None, "changeit") else " --storepass PASSWORD"
            return f"fix with `ats-lint bundle fix {self.path}{storepass}`"
        if self.format == "folder":
            return "add the ATS roots to the folder as files of their own (then `c_rehash`)"
        return (f"ats-lint does not rewrite a {FORMAT_NAMES.get(self.format, self.format)} file: trust the ATS roots "
                "next to it (another trust anchor, or a PEM bundle that holds them)")

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "error": self.error,
            "certificates": len(self.certificates),
            "problems": len(self.problems),
            "trusts_ats": False if self.error else self.trusts_ats,
            "verdict": self.verdict(),
            "entries": [e.to_json() for e in self.entries],
            **({"files": [{"path": f.path, "format": f.format, "trusts_ats": False if f.error else f.trusts_ats,
                           "verdict": f.verdict()} for f in self.files]} if self.format == "folder" else {}),
        }


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def inspect_bundle(path: Path, shown: str | None = None, now: datetime | None = None,
                   passwords: tuple[str, ...] = stores.DEFAULT_PASSWORDS) -> BundleReport:
    """Inspect a trust store in any supported format, or a folder of PEM/DER files."""
    shown = shown if shown is not None else path.as_posix()
    now = now or datetime.now(timezone.utc)
    report = BundleReport(shown)
    if path.is_dir():
        report.format = "folder"
        files = sorted(p for p in path.iterdir() if p.is_file())
        if not files:
            report.error = "the folder holds no file"
        for file in files:
            try:
                data = _read(file)
            except OSError as exc:
                report.entries.append(Entry(f"{shown.rstrip('/')}/{file.name}", 0, problem=f"cannot read: {exc.strerror or exc}"))
                continue
            name = f"{shown.rstrip('/')}/{file.name}"
            report.files.append(inspect_bundle(file, name, now, passwords))
            if stores.detect_format(data) == "der":
                report.entries.extend(_store_entries(stores.read_store(data), name, now))
            else:
                report.entries.extend(inspect_bytes(data, name, now))
        return report
    if not path.exists():
        report.error = "no such file or folder"
        return report
    try:
        data = _read(path)
    except OSError as exc:
        report.error = f"cannot read: {exc.strerror or exc}"
        return report
    if len(data) > MAX_BYTES:
        report.error = f"larger than {MAX_BYTES} bytes: not read"
        return report
    report.format = stores.detect_format(data)
    if report.format not in STORE_FORMATS:
        report.entries = inspect_bytes(data, shown, now)
        return report
    try:
        store = stores.read_store(data, passwords, max_bytes=MAX_BYTES)
    except stores.StoreError as exc:
        report.error = f"a {FORMAT_NAMES[report.format]} store that cannot be read: {exc}"
        return report
    report.password = store.password
    report.entries = _store_entries(store, shown, now)
    if store.password_needed:
        report.error = next(p for p in store.problems if p.startswith("could not read without a password")) + \
            " (give it with --storepass)"
    return report


STORE_FORMATS = ("der", "pkcs7-der", "pkcs7-pem", "pkcs12", "jks", "jceks")  # read by trust.stores


def _store_entries(store, shown: str, now: datetime) -> list[Entry]:
    entries = []
    single = store.format == "der"
    for se in store.entries:
        e = _certificate(se.der, shown, 1 if single else None, now)
        if not single:
            e.entry, e.alias, e.kind, e.chain_index = se.index, se.alias, se.kind, se.chain_index
        entries.append(e)
    for problem in store.problems:
        if not problem.startswith("could not read without a password"):
            entries.append(Entry(shown, None, problem=problem))
    return entries


def _read(path: Path) -> bytes:
    from ats_lint.files import read_limited

    return read_limited(path, MAX_BYTES)  # at most MAX_BYTES + 1; a FIFO or device is refused, never blocked on


def inspect_bytes(data: bytes, shown: str, now: datetime) -> list[Entry]:
    """The entries of one file's content."""
    if b"-----BEGIN" not in data:
        if not data.strip():
            return [Entry(shown, 1, problem="empty file: no certificate")]
        if data[:1] == b"\x30":  # a DER SEQUENCE that is not a certificate, PKCS#7 or PKCS#12
            return [Entry(shown, 1, problem="binary data that is neither PEM nor a DER certificate")]
        if b"\x00" in data[:1024]:
            return [Entry(shown, 1, problem="binary data: not a trust store (PEM, DER, PKCS#7, PKCS#12, JKS or JCEKS)")]
        return [Entry(shown, 1, problem="no PEM block: not a certificate bundle")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", "replace")
    entries: list[Entry] = []
    block_type: str | None = None
    block_line = 0
    body: list[str] = []
    text_start, text_lines = 0, 0

    def flush_text() -> None:
        nonlocal text_lines
        if text_lines:
            entries.append(Entry(shown, text_start, problem=f"{text_lines} line{'s' if text_lines != 1 else ''} of text outside PEM blocks (ignored)"))
            text_lines = 0

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        begin = _BEGIN_RE.match(line)
        if block_type is not None:
            end = _END_RE.match(line)
            if end and end.group("type") == block_type:
                entries.append(_block(block_type, "".join(body), shown, block_line, now))
                block_type = None
            elif begin or end:
                entries.append(Entry(shown, block_line, problem=f"truncated {block_type} block: no END line"))
                block_type = None
                if begin:
                    block_type, block_line, body = begin.group("type"), number, []
            else:
                body.append(line)
            continue
        if begin:
            flush_text()
            block_type, block_line, body = begin.group("type"), number, []
        elif line and not line.startswith("#") and not _END_RE.match(line):
            if not text_lines:
                text_start = number
            text_lines += 1
        elif _END_RE.match(line):
            flush_text()
            entries.append(Entry(shown, number, problem="END line without a BEGIN line"))
    flush_text()
    if block_type is not None:
        entries.append(Entry(shown, block_line, problem=f"truncated {block_type} block: no END line"))
    return entries


def _block(block_type: str, body: str, shown: str, line: int, now: datetime) -> Entry:
    if block_type != "CERTIFICATE":
        return Entry(shown, line, problem=f"{block_type} block: not a certificate (ignored)")
    try:
        der = base64.b64decode(_BASE64_CHARS_RE.sub("", body), validate=True)
    except (binascii.Error, ValueError):
        der = b""
    if not der:
        return Entry(shown, line, problem="CERTIFICATE block with invalid base64")
    return _certificate(der, shown, line, now)


def _certificate(der: bytes, shown: str, line: int | None, now: datetime) -> Entry:
    info = describe_der(der)
    if info is None:
        return Entry(shown, line, problem="CERTIFICATE block that does not parse as a certificate")
    cls = classify_der(der)
    return Entry(
        shown,
        line,
        subject=info["subject"],
        issuer=info["issuer"],
        not_before=info["not_before"],
        not_after=info["not_after"],
        sha256=cls.sha256.hex() if cls.sha256 else None,
        label=cls.known.label if cls.known else None,
        ats=cls.is_ats,
        digicert=cls.is_digicert,
        expired=info["not_after"] < now,
    )


# --------------------------------------------------------------------------- rendering


def to_json(reports: list[BundleReport]) -> str:
    from ats_lint import __version__

    return json.dumps({"tool": "ats-lint", "version": __version__, "bundles": [r.to_json() for r in reports]}, indent=2) + "\n"


def to_text(reports: list[BundleReport]) -> str:
    out: list[str] = []
    for report in reports:
        out.append(report.path + (f" ({FORMAT_NAMES[report.format]})" if report.format in STORE_FORMATS else ""))
        for e in report.entries:
            where = f"{e.file}:{e.line}" if e.file != report.path else e.where
            if e.line is None and e.entry is None:
                where = "store"
            if e.problem is not None:
                out.append(f"  {where}: problem: {e.problem}")
                continue
            tags = []
            if e.ats:
                tags.append("ATS root")
            if e.digicert:
                tags.append("DigiCert")
            if e.expired:
                tags.append("EXPIRED")
            if e.kind == stores.KEY_ENTRY_CHAIN:
                tags.append("key entry")
            elif e.kind == stores.CA_CERT:
                tags.append("no Java trust attribute")
            name = e.label or e.subject
            out.append(f"  {where}: {name}" + (f"  [{', '.join(tags)}]" if tags else ""))
            out.append(f"      subject: {e.subject}")
            out.append(f"      issuer:  {'(self-signed)' if e.issuer == e.subject else e.issuer}")
            out.append(f"      valid:   {_iso(e.not_before)} to {_iso(e.not_after)}")
            out.append(f"      sha256:  {':'.join(e.sha256[i:i + 2] for i in range(0, len(e.sha256), 2)).upper() if e.sha256 else '?'}")
        for sub in report.files:
            out.append(f"  {sub.path}: {sub.verdict()}")
        out.append(f"  verdict{' of the folder (as an OpenSSL capath)' if report.format == 'folder' else ''}: {report.verdict()}")
        out.append("")
    return "\n".join(out)
