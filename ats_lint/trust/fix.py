"""`ats-lint bundle fix`: add the Amazon Trust Services roots a PEM bundle or a keystore lacks.

The roots are those listed under `fix_roots` in rules/certs.yaml (Amazon Root CA 1-4 and
Starfield Services Root CA - G2, as shipped in rules/certs). A root the store already holds,
matched by public key (so a cross-signed twin counts), is not added again, which makes the fix
idempotent.

- PEM: the existing bytes are kept exactly: the new content is appended after them, in the file's
  own line ending, after a line ending if the file did not end with one; a UTF-8 BOM stays.
- JKS, JCEKS, PKCS#12: each missing root becomes a trusted-certificate entry (alias from its label,
  `amazon-root-ca-1`...), every other entry is kept byte for byte and the store keeps its format
  and its password (`storepass`, default `changeit`; a password that does not open the store is an
  error, never a guess). See `trust.stores.add_certificates`.
- DER certificates and PKCS#7 bundles are not rewritten (a DER file holds one certificate).

Writing is atomic (a temporary file in the same folder, fsync, then a rename) and keeps the file's
permission bits and, where allowed, its owner. A file with several hard links is not renamed over
(that would split the links): a PEM bundle, whose fix only appends, is appended to in place after
checking that its content is still what was planned; a binary store is refused with a message,
because rewriting it in place could leave a half-written keystore. This module never prints.
"""
from __future__ import annotations

import base64
import difflib
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ats_lint.trust import stores
from ats_lint.trust.certs import _BASE64_CHARS_RE, PEM_BLOCK_RE, fix_roots, pem_blocks, spki_der
from ats_lint.files import NotARegularFile, read_limited, replace_file

MAX_BYTES = 16 * 1024 * 1024
DEFAULT_STOREPASS = "changeit"
COMMENT = "# {label} (Amazon Trust Services root, added by ats-lint bundle fix)"


class BundleFixError(Exception):
    """The file cannot be fixed (not PEM, unreadable, a folder...); the message says why."""


@dataclass
class FixPlan:
    path: Path
    old: bytes
    new: bytes
    added: list[str]  # labels of the roots appended, in order
    format: str = "pem"
    aliases: list[str] = field(default_factory=list)  # keystores: the alias of each added entry
    digests: list[str] = field(default_factory=list)  # keystores: the SHA-256 (hex) of each added certificate

    @property
    def needed(self) -> bool:
        return self.new != self.old

    def diff(self, shown: str | None = None) -> str:
        """A unified diff of the change (line endings shown as plain newlines); for a binary
        keystore, the entries that would be added, one per line."""
        shown = shown or self.path.as_posix()
        if self.format != "pem":
            name = stores.FORMAT_NAMES[self.format]
            return "".join(
                f"{shown} ({name}): + trusted certificate entry `{alias}`: {label} (SHA-256 {digest})\n"
                for alias, label, digest in zip(self.aliases, self.added, self.digests))
        old = _text(self.old).splitlines()
        new = _text(self.new).splitlines()
        lines = difflib.unified_diff(old, new, f"a/{shown}", f"b/{shown}", lineterm="")
        out = "\n".join(lines)
        return out + "\n" if out else ""


def _text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace")


def newline_of(data: bytes) -> bytes:
    """The line ending the file uses: that of its first line (LF when it has none)."""
    lf = data.find(b"\n")
    if lf > 0 and data[lf - 1:lf] == b"\r":
        return b"\r\n"
    if lf < 0 and b"\r" in data:
        return b"\r"
    return b"\n"


def append_roots(data: bytes, roots: list[tuple[str, str]]) -> bytes:
    """`data` followed by each (label, PEM) in `roots`, each after a comment line naming it."""
    if not roots:
        return data
    nl = newline_of(data)
    out = bytearray(data)
    if data and not data.endswith((b"\n", b"\r")):
        out += nl
    for label, pem in roots:
        out += COMMENT.format(label=label).encode("utf-8") + nl
        out += nl.join(line.encode("ascii") for line in pem.strip().splitlines()) + nl
    return bytes(out)


def read_bundle(path: Path) -> bytes:
    """The bytes of a PEM bundle or of a JKS/JCEKS/PKCS#12 store, or BundleFixError saying why it cannot be fixed."""
    if path.is_dir():
        raise BundleFixError(f"{path}: is a folder (capath); add the roots as files of their own and run c_rehash")
    try:
        data = read_limited(path, MAX_BYTES)  # never blocks on a FIFO, never reads a device
    except NotARegularFile:
        raise BundleFixError(f"{path}: not a regular file (a FIFO, socket or device); not a CA bundle") from None
    except FileNotFoundError:
        raise BundleFixError(f"{path}: no such file") from None
    except OSError as exc:
        raise BundleFixError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise BundleFixError(f"{path}: larger than {MAX_BYTES} bytes; not a CA bundle ats-lint will rewrite")
    fmt = stores.detect_format(data)
    if fmt in stores.WRITABLE_FORMATS:
        return data
    if fmt in ("pkcs7-der", "pkcs7-pem"):
        raise BundleFixError(f"{path}: a PKCS#7 bundle; ats-lint does not rewrite it (convert it to PEM: "
                             "`openssl pkcs7 -print_certs -in FILE -out FILE.pem`, then fix and use the PEM)")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        if data[:1] == b"\x30":
            raise BundleFixError(f"{path}: a DER (binary) certificate, not a PEM bundle; ats-lint does not convert it "
                                 "(`openssl x509 -inform der -in FILE -out FILE.pem`, then point the client at the PEM)")
        if data.strip():
            raise BundleFixError(f"{path}: holds no PEM certificate; not a CA bundle ats-lint will change")
    if b"\x00" in data:
        raise BundleFixError(f"{path}: binary content; not a PEM bundle")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleFixError(f"{path}: not valid UTF-8 at byte {exc.start}; not a PEM bundle ats-lint will change") from None
    _refuse_truncated(path, data)
    return data


def _refuse_truncated(path: Path, data: bytes) -> None:
    """A block without its END line would swallow what is appended after it: repair comes first."""
    from datetime import datetime, timezone

    from ats_lint.trust.inspect import inspect_bytes

    for entry in inspect_bytes(data, str(path), datetime.now(timezone.utc)):
        if entry.problem and entry.problem.startswith("truncated"):
            raise BundleFixError(f"{path}:{entry.line}: {entry.problem}; repair the bundle first "
                                 f"(`ats-lint bundle inspect {path}`), then fix it")


def present_keys(data: bytes) -> set[bytes]:
    """SubjectPublicKeyInfo (DER) of every certificate in the PEM text."""
    keys = set()
    for _, der in pem_blocks(_text(data)):
        if der is not None:
            spki = spki_der(der)
            if spki is not None:
                keys.add(spki)
    return keys


def plan(path: Path, storepass: str = DEFAULT_STOREPASS) -> FixPlan:
    """What `bundle fix` would do to `path` (nothing is written)."""
    data = read_bundle(path)
    fmt = stores.detect_format(data)
    if fmt in stores.WRITABLE_FORMATS:
        return _plan_keystore(path, data, fmt, storepass)
    have = {hashlib.sha256(k).digest() for k in present_keys(data)}
    missing = [(cert.label, pem) for cert, pem in fix_roots() if cert.spki_sha256 not in have]
    return FixPlan(path, data, append_roots(data, missing), [label for label, _ in missing])


def _plan_keystore(path: Path, data: bytes, fmt: str, storepass: str) -> FixPlan:
    name = stores.FORMAT_NAMES[fmt]
    try:
        store = stores.read_store(data, (storepass,), max_bytes=MAX_BYTES)
    except stores.StoreError as exc:
        raise BundleFixError(f"{path}: a {name} store that cannot be read: {exc}") from None
    if store.password_needed or store.integrity == "unverified":
        raise BundleFixError(f"{path}: the {name} store does not open with the store password "
                             f"{'given' if storepass != DEFAULT_STOREPASS else '`changeit`'}; give it with --storepass")
    have = {hashlib.sha256(k).digest() for k in (spki_der(d) for d in store.certificates) if k is not None}
    taken = {a.lower() for a in store.aliases}
    certs, labels, aliases, digests = [], [], [], []
    for cert, pem in fix_roots():
        if cert.spki_sha256 in have:
            continue
        der = base64.b64decode(_BASE64_CHARS_RE.sub("", PEM_BLOCK_RE.search(pem).group("body")))
        alias = base = re.sub(r"[^a-z0-9]+", "-", cert.label.lower()).strip("-")
        n = 1
        while alias in taken:
            n += 1
            alias = f"{base}-{n}"
        taken.add(alias)
        certs.append((alias, der))
        labels.append(cert.label)
        aliases.append(alias)
        digests.append(hashlib.sha256(der).hexdigest())
    if not certs:
        return FixPlan(path, data, data, [], fmt)
    try:
        new = stores.add_certificates(data, certs, storepass, max_bytes=MAX_BYTES)
    except stores.StoreError as exc:
        raise BundleFixError(f"{path}: cannot add to this {name} store: {exc}") from None
    return FixPlan(path, data, new, labels, fmt, aliases, digests)


def write_atomically(path: Path, data: bytes, old: bytes | None = None) -> None:
    """Replace `path` with `data`: temporary file in the same folder, fsync, rename; same mode bits.

    A file with more than one hard link is not renamed over: when `data` only appends to `old`
    (a PEM fix), the tail is appended in place if the file still holds exactly `old`; anything
    else is a BundleFixError."""
    target = Path(os.path.realpath(path))  # a symlinked bundle: write its target, keep the link
    st = target.stat()
    if st.st_nlink > 1:
        _append_in_place(path, target, data, old, st.st_nlink)
        return
    replace_file(target, data, stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid))


def _append_in_place(path: Path, target: Path, data: bytes, old: bytes | None, links: int) -> None:
    if old is None or not data.startswith(old):
        raise BundleFixError(f"{path}: has {links} hard links; ats-lint does not rewrite a hard-linked keystore "
                             "(a rename would split the links, an in-place rewrite is not atomic): fix a copy "
                             "(`cp FILE FILE.new`), then `cp FILE.new FILE` (cp writes in place: every link sees it)")
    with open(target, "r+b") as fh:
        if fh.read(len(old) + 1) != old:
            raise BundleFixError(f"{path}: changed since it was read; run the fix again")
        fh.seek(len(old))
        fh.write(data[len(old):])
        fh.flush()
        os.fsync(fh.fileno())


def apply(fix: FixPlan) -> None:
    if fix.needed:
        try:
            write_atomically(fix.path, fix.new, fix.old if fix.format == "pem" else None)
        except OSError as exc:
            raise BundleFixError(f"{fix.path}: cannot write: {exc.strerror or exc}") from None
