"""`ats-lint bundle fix`: append the Amazon Trust Services roots a PEM bundle lacks.

The roots are those listed under `fix_roots` in rules/certs.yaml (Amazon Root CA 1-4 and
Starfield Services Root CA - G2, as shipped in rules/certs). A root the bundle already holds,
matched by public key (so a cross-signed twin counts), is not added again, which makes the fix
idempotent. The existing bytes are kept exactly: the new content is appended after them, in the
file's own line ending, after a line ending if the file did not end with one; a UTF-8 BOM stays
where it is. Writing is atomic (a temporary file in the same folder, then a rename) and keeps the
file's permission bits. This module never prints; `cli` does.
"""
from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ats_lint.trust.certs import fix_roots, pem_blocks, spki_der

MAX_BYTES = 8 * 1024 * 1024
COMMENT = "# {label} (Amazon Trust Services root, added by ats-lint bundle fix)"


class BundleFixError(Exception):
    """The file cannot be fixed (not PEM, unreadable, a folder...); the message says why."""


@dataclass
class FixPlan:
    path: Path
    old: bytes
    new: bytes
    added: list[str]  # labels of the roots appended, in order

    @property
    def needed(self) -> bool:
        return self.new != self.old

    def diff(self, shown: str | None = None) -> str:
        """A unified diff of the change (line endings shown as plain newlines)."""
        shown = shown or self.path.as_posix()
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
    """The bytes of a PEM bundle, or BundleFixError saying why it cannot be fixed."""
    if path.is_dir():
        raise BundleFixError(f"{path}: is a folder (capath); add the roots as files of their own and run c_rehash")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise BundleFixError(f"{path}: no such file") from None
    except OSError as exc:
        raise BundleFixError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise BundleFixError(f"{path}: larger than {MAX_BYTES} bytes; not a CA bundle ats-lint will rewrite")
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


def plan(path: Path) -> FixPlan:
    """What `bundle fix` would do to `path` (nothing is written)."""
    import hashlib

    data = read_bundle(path)
    have = {hashlib.sha256(k).digest() for k in present_keys(data)}
    missing = [(cert.label, pem) for cert, pem in fix_roots() if cert.spki_sha256 not in have]
    return FixPlan(path, data, append_roots(data, missing), [label for label, _ in missing])


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: temporary file in the same folder, fsync, rename; same mode bits."""
    target = Path(os.path.realpath(path))  # a symlinked bundle: write its target, keep the link
    st = target.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".ats-lint-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # not ours to give away: the file keeps our ownership, its mode bits are kept
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def apply(fix: FixPlan) -> None:
    if fix.needed:
        try:
            write_atomically(fix.path, fix.new)
        except OSError as exc:
            raise BundleFixError(f"{fix.path}: cannot write: {exc.strerror or exc}") from None
