"""The text scanner: every file that is not Python (and Python that cannot be parsed).

Hosts, DigiCert fingerprints and embedded PEMs are found in the text outside comments, using
the comment syntax of the file kind when it is known.
"""
from __future__ import annotations

import bisect
import re

from .findings import FindingSink, Span
from .literals import scan_text

_HASH_COMMENT = re.compile(r"(?m)(?:^|(?<=\s))#[^\n]*")


class LineIndex:
    """Offsets to 1-based (line, column)."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        return (*self.position(start), *self.position(end))


def blank_hash_comments(text: str) -> str:
    """Replace `#` comments by spaces (same length, so offsets stay valid)."""
    return _HASH_COMMENT.sub(lambda m: " " * len(m.group(0)), text)


def scan_fallback(text: str, sink: FindingSink) -> None:
    """Hosts and fingerprints in a Python file libcst could not parse (comments skipped)."""
    index = LineIndex(text)
    scan_text(blank_hash_comments(text), sink, index.span)


def scan_text_file(text: str, sink: FindingSink, kind: str) -> None:
    index = LineIndex(text)
    body = blank_hash_comments(text) if kind == "hash-comments" else text
    scan_text(body, sink, index.span)
