"""gitignore patterns, matched without backtracking regular expressions.

A `.gitignore` and `--exclude` come from the scanned repository or its user: `a*a*a*a*a*a*b`
compiled to one regular expression backtracks for hours on a 200-character name, and a 4 MiB
line compiles to a 4 MiB expression. Here a pattern is split at `/` into segments: a `**`
segment matches any number of folders, found with the linear two-pointer wildcard algorithm,
and every other segment is matched against one name with `fnmatch` (whose translation of `*` has
been linear since Python 3.9; a name never holds `/`). Matching is O(pattern segments x path
depth) name comparisons, whatever the pattern.

Semantics are git's (gitignore(5)): `#` comments, `!` negation (the last matching pattern
wins), a trailing `/` for folders only, a `/` at the start or in the middle anchors the pattern
to its base folder (otherwise it matches at any depth), `**` segments, `\\` escapes, trailing
spaces dropped unless escaped. Everything below an ignored folder is ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

MAX_PATTERN_LENGTH = 4096  # PATH_MAX: a longer pattern is dropped (and reported) rather than matched
MAX_IGNORE_FILE_SIZE = 1024 * 1024  # a larger .gitignore is not used (and reported)
_STAR = "**"
_TRAILING_SPACES = re.compile(r"(?<!\\)[ \t]+$")


@dataclass(frozen=True)
class Pattern:
    segments: tuple[str, ...]  # fnmatch patterns, or `**`
    negated: bool
    folders_only: bool


def _segment(text: str) -> str:
    """One gitignore segment as an fnmatch pattern: `\\x` escapes become `[x]`, `[^` becomes `[!`."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(f"[{nxt}]" if nxt in "*?[" else nxt)  # a literal wildcard; anything else stands for itself
            i += 2
            continue
        if ch == "[" and text[i + 1:i + 2] == "^":
            out.append("[!")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse(line: str) -> Pattern | None:
    """The pattern of one line, or None for a blank line, a comment or an empty negation."""
    line = line.rstrip("\r\n")
    line = _TRAILING_SPACES.sub("", line)
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    folders_only = line.endswith("/") and not line.endswith("\\/")
    line = line.rstrip("/") if folders_only else line
    if not line:
        return None
    anchored = "/" in line
    parts = [p for p in line.split("/") if p]
    if not parts:
        return None
    if len(parts) > 1 and parts[-1] == _STAR:
        parts[-1] = "*"  # `foo/**`: everything inside foo (one name at least), not foo itself
    segments = [_STAR if p == _STAR else _segment(re.sub(r"\*{3,}", "*", p)) for p in parts]
    if not anchored:
        segments.insert(0, _STAR)
    # Collapse runs of `**`: `**/**` is `**`.
    collapsed: list[str] = []
    for seg in segments:
        if not (seg == _STAR and collapsed and collapsed[-1] == _STAR):
            collapsed.append(seg)
    return Pattern(tuple(collapsed), negated, folders_only)


def _match_segments(segments: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """Whether `names` matches `segments` exactly (`**` any number of names, including none).
    The classic wildcard algorithm: on a mismatch, only the last `**` is retried, one name
    further; O(len(segments) x len(names)) name comparisons."""
    s = n = 0
    star_s, star_n = -1, 0
    while n < len(names):
        if s < len(segments) and segments[s] == _STAR:
            star_s, star_n = s, n
            s += 1
        elif s < len(segments) and fnmatchcase(names[n], segments[s]):
            s += 1
            n += 1
        elif star_s >= 0:
            star_n += 1
            s, n = star_s + 1, star_n
        else:
            return False
    while s < len(segments) and segments[s] == _STAR:
        s += 1
    return s == len(segments)


def matches(pattern: Pattern, names: tuple[str, ...], is_dir: bool) -> bool:
    """Whether the pattern matches the path `names` itself (relative to the pattern's base folder)."""
    if (pattern.folders_only and not is_dir) or not names:
        return False
    segments = pattern.segments
    if len(segments) == 2 and segments[0] == _STAR and segments[1] != _STAR:
        return fnmatchcase(names[-1], segments[1])  # `*.log`, `node_modules/`: the common case, one comparison
    return _match_segments(segments, names)


class IgnoreSpec:
    """The patterns of one `.gitignore` (or of the configured excludes), in order."""

    def __init__(self, lines, origin: str = ""):
        self.patterns: list[Pattern] = []
        self.problems: list[str] = []
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_PATTERN_LENGTH:
                self.problems.append(f"{origin}line {number}: a pattern of {len(line)} characters is over the "
                                     f"{MAX_PATTERN_LENGTH}-character limit; ignored")
                continue
            pattern = parse(line)
            if pattern is not None:
                self.patterns.append(pattern)

    def match_parts(self, names: tuple[str, ...], is_dir: bool, parents_checked: bool = False) -> bool:
        """Whether the path is ignored: the last pattern that matches decides, and a path below an
        ignored folder is ignored (git cannot re-include it). `parents_checked`: the folders above
        are known not to be ignored (a walk that prunes ignored folders)."""
        if not parents_checked:
            for depth in range(1, len(names)):
                if self._decide(names[:depth], True):
                    return True
        return self._decide(names, is_dir)

    def _decide(self, names: tuple[str, ...], is_dir: bool) -> bool:
        for pattern in reversed(self.patterns):
            if matches(pattern, names, is_dir):
                return not pattern.negated
        return False

    def match_file(self, path: str) -> bool:
        """The same for a `/`-separated path; a trailing `/` marks a folder."""
        is_dir = path.endswith("/")
        return self.match_parts(tuple(p for p in path.split("/") if p), is_dir)
