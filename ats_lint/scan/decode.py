"""Decoding a file's bytes to text: BOMs, UTF-8 with replacement, and the Python coding cookie."""
from __future__ import annotations

import re


def read_text(data: bytes) -> tuple[str, str | None]:
    """Decode file bytes; returns (text, problem) where problem notes replaced characters."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", errors="replace"), f"not valid UTF-8 at byte {exc.start}; read with replacement characters"


_CODING_RE = re.compile(rb"[ \t\f]{0,80}#[^\n]{0,200}?coding[:=][ \t]{0,80}([-\w.]{1,60})")  # bounded: linear


def python_encoding(data: bytes) -> str | None:
    """The PEP 263 coding cookie on the first or second line."""
    for line in data[:400].split(b"\n", 2)[:2]:
        m = _CODING_RE.match(line)
        if m:
            return m.group(1).decode("ascii")
    return None
