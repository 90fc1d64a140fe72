"""Inline suppressions: `ats-lint: ignore[ATS101]`, bare `ats-lint: ignore`, or `noqa: ATS101`,
in whatever comment syntax the file uses; `ats-lint: ignore-file[ATS101]` (or bare) anywhere in
a comment of the file silences those rules in the whole file. Any other `ats-lint: WORD` is an
unknown directive: reported, and never read as a bare ignore. A bare `noqa` (without ATS codes) does not silence
ats-lint: it is usually there for another linter, and hiding a trust risk by accident is worse
than one extra line to add.

Where a suppression applies:
- on any line of the statement that holds the finding (a Python logical line, found with
  `tokenize`; in other files, lines joined by a trailing backslash), and
- on a comment-only line directly above that statement (a block of comment lines counts:
  the explanation may sit between the directive and the code).
In Python only real comments count, never text inside a string. A suppression that silences
nothing is returned as an `UnusedSuppression`; the engine keeps them when `strict-suppressions`
is on. They are not findings (they have no SPEC category): reporters list them separately.
"""
from __future__ import annotations

import bisect
import io
import re
import tokenize
from dataclasses import dataclass

from ats_lint.model import Finding

_IGNORE_RE = re.compile(r"ats-lint:\s*ignore(?![\w-])(?:\[(?P<codes>[A-Za-z0-9_,\s]{0,200})\])?", re.I)
_FILE_RE = re.compile(r"ats-lint:\s*ignore-file(?![\w-])(?:\[(?P<codes>[A-Za-z0-9_,\s]{0,200})\])?", re.I)
_DIRECTIVE_RE = re.compile(r"ats-lint:\s*(?P<word>[A-Za-z][A-Za-z0-9_-]{0,40})", re.I)
KNOWN_DIRECTIVES = ("ignore", "ignore-file")
_NOQA_RE = re.compile(r"noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+){0,50})", re.I)
_MARKER_RE = re.compile(r"ats-lint|noqa", re.I)
_ATS_LINT_RE = re.compile(r"ats-lint", re.I)
_COMMENT_PREFIXES = ("#", "//", "/*", "*", "--", ";", "<!--", "%", "'", "rem ", "REM ", "::")
ALL = "*"


@dataclass
class Suppression:
    line: int  # 1-based line of the comment
    column: int  # 1-based column of the directive
    codes: set[str]  # rule ids or prefixes; {"*"} for all rules
    used: set[str]  # the codes that silenced at least one finding

    def covers(self, rule: str) -> str | None:
        """The code of this suppression that matches `rule`, if any."""
        if ALL in self.codes:
            return ALL
        for code in sorted(self.codes):
            if rule.startswith(code):
                return code
        return None


@dataclass(frozen=True)
class UnusedSuppression:
    path: str
    line: int
    column: int
    codes: tuple[str, ...]  # the unused codes; ("*",) for a bare ignore
    message: str


def _codes(listed: str | None) -> set[str]:
    if listed is None or not listed.strip():
        return {ALL}
    return {c.strip().upper() for c in listed.split(",") if c.strip()}


def _file_level(comment: str) -> tuple[set[str], int] | None:
    """`ats-lint: ignore-file` or `ignore-file[IDS]`: codes silenced in the whole file, and the offset."""
    found = list(_FILE_RE.finditer(comment))
    if not found:
        return None
    return set().union(*(_codes(m.group("codes")) for m in found)), found[0].start()


def _unknown(comment: str) -> list[tuple[int, str]]:
    """(offset, word) of each `ats-lint: WORD` directive that is not a known one."""
    return [(m.start(), m.group("word")) for m in _DIRECTIVE_RE.finditer(comment) if m.group("word").lower() not in KNOWN_DIRECTIVES]


def _parse(comment: str) -> tuple[set[str], int] | None:
    """Codes named in one comment and the 0-based offset of the first directive, or None."""
    codes: set[str] = set()
    first: int | None = None
    for m in _IGNORE_RE.finditer(comment):
        listed = m.group("codes")
        if listed is None or not listed.strip():
            codes.add(ALL)
        else:
            codes.update(c.strip().upper() for c in listed.split(",") if c.strip())
        first = m.start() if first is None else first
    for m in _NOQA_RE.finditer(comment):
        ats = _ats_codes(m)
        if ats:
            codes.update(ats)
            first = m.start() if first is None else min(first, m.start())
    return (codes, first) if codes and first is not None else None


def suppressions(lines: list[str]) -> dict[int, set[str]]:
    """1-based line number -> suppressed rule ids (or {"*"} for all); line-based, any syntax."""
    out: dict[int, set[str]] = {}
    for number, line in enumerate(lines, start=1):
        if _MARKER_RE.search(line):
            parsed = _parse(line)
            if parsed:
                out[number] = parsed[0]
    return out


def is_suppressed(finding: Finding, table: dict[int, set[str]]) -> bool:
    """Same-line check (kept for callers that have only a line table)."""
    for line in {finding.line, finding.end_line}:
        codes = table.get(line)
        if codes and (ALL in codes or any(finding.rule.startswith(c) for c in codes)):
            return True
    return False


# --------------------------------------------------------------------------- file level


class _Layout:
    """Suppression comments of one file and the statement span of each line."""

    def __init__(self, text: str, kind: str):
        self.lines = text.splitlines()
        self.by_line: dict[int, Suppression] = {}
        self.span: dict[int, tuple[int, int]] = {}  # line -> (first, last) line of its statement
        self.comment_only: set[int] = set()
        self.file_level: dict[int, Suppression] = {}  # `ats-lint: ignore-file[...]` comments
        self.unknown: list[tuple[int, int, str]] = []  # (line, column, word) of unknown directives
        self._sorted: list[int] | None = None
        self._above: dict[int, list[int]] = {}  # first line of a statement -> suppressions in the comment block above
        if kind == "python" and self._python(text):
            return
        self._plain()

    def _add(self, line: int, column: int, comment: str) -> None:
        whole = _file_level(comment)
        if whole:
            self.file_level.setdefault(line, Suppression(line, column + whole[1], set(), set())).codes |= whole[0]
        self.unknown += [(line, column + offset, word) for offset, word in _unknown(comment)]
        parsed = _parse(comment)
        if parsed:
            codes, offset = parsed
            if line in self.by_line:
                self.by_line[line].codes |= codes
            else:
                self.by_line[line] = Suppression(line, column + offset, codes, set())

    def _python(self, text: str) -> bool:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            return False
        skip = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER)
        start: int | None = None
        code_lines: set[int] = set()
        for tok in tokens:
            if tok.type == tokenize.COMMENT:
                self._add(tok.start[0], tok.start[1] + 1, tok.string)
                if tok.start[0] not in code_lines and tok.line[: tok.start[1]].strip() == "":
                    self.comment_only.add(tok.start[0])
                continue
            if tok.type in skip:
                continue
            if start is None:
                start = tok.start[0]
            code_lines.update(range(tok.start[0], tok.end[0] + 1))
            if tok.type == tokenize.NEWLINE:
                for line in range(start, tok.end[0] + 1):
                    self.span[line] = (start, tok.end[0])
                start = None
        self.comment_only -= code_lines
        return True

    def _plain(self) -> None:
        start = None
        for number, line in enumerate(self.lines, start=1):
            if _MARKER_RE.search(line):
                self._add(number, 1, line)
            stripped = line.strip()
            if stripped.startswith(_COMMENT_PREFIXES):
                self.comment_only.add(number)
            if start is None:
                start = number
            if line.rstrip().endswith("\\") and number < len(self.lines):
                continue  # continued on the next line
            for n in range(start, number + 1):
                self.span[n] = (start, number)
            start = None

    def lines_covering(self, finding: Finding) -> list[int]:
        """The suppression lines that apply to `finding`: those of its statement, and those of the
        comment block right above it. Only lines holding a suppression are listed, so that a
        statement of 100,000 continued lines costs a bisection, not a walk, per finding."""
        first = self.span.get(finding.line, (finding.line, finding.line))[0]
        last = self.span.get(finding.end_line, (finding.end_line, finding.end_line))[1]
        first, last = min(first, finding.line), max(last, finding.line, finding.end_line)
        if self._sorted is None:
            self._sorted = sorted(self.by_line)
        lo, hi = bisect.bisect_left(self._sorted, first), bisect.bisect_right(self._sorted, last)
        if first not in self._above:
            found, above = [], first - 1
            while above in self.comment_only:
                if above in self.by_line:
                    found.append(above)
                above -= 1
            self._above[first] = found
        return self._sorted[lo:hi] + self._above[first]


def _has_marker(text: str) -> bool:
    """Whether the file can hold a suppression or a directive: `ats-lint`, or a `noqa:` that names
    an ATS code. A substring search at memory speed first (every file passes here); a `noqa` for
    other linters (hundreds of Python files of a large repository) then costs one regex search,
    not a tokenization of the file."""
    from ats_lint.scan.literals import contains_ignoring_case

    if not contains_ignoring_case(text, (b"ats-lint", b"noqa"), _MARKER_RE):
        return False
    return _ATS_LINT_RE.search(text) is not None or any(_ats_codes(m) for m in _NOQA_RE.finditer(text))


def _ats_codes(m: re.Match) -> set[str]:
    """The ATS codes a `noqa:` lists."""
    return {c.strip().upper() for c in m.group("codes").split(",") if c.strip().upper().startswith("ATS")}


def apply_suppressions(findings: list[Finding], text: str, kind: str, path: str,
                       problems: list | None = None) -> tuple[list[Finding], list[UnusedSuppression]]:
    """(findings not suppressed, suppressions that silenced nothing).

    `problems`, when given, receives one message per unknown `ats-lint:` directive (it suppresses
    nothing, and is never read as a bare ignore).
    """
    if not _has_marker(text):
        return findings, []
    layout = _Layout(text, kind)
    if problems is not None:
        problems.extend(f"line {line}, column {column}: unknown directive `ats-lint: {word}` suppresses nothing "
                        f"(known: `ats-lint: ignore[IDS]`, `ats-lint: ignore-file[IDS]`)" for line, column, word in layout.unknown)
    if not layout.by_line and not layout.file_level:
        return findings, []
    kept = []
    for f in findings:
        hit = False
        for sup in layout.file_level.values():
            code = sup.covers(f.rule)
            if code is not None:
                sup.used.add(code)
                hit = True
        for line in layout.lines_covering(f):
            sup = layout.by_line.get(line)
            code = sup.covers(f.rule) if sup else None
            if code is not None:
                sup.used.add(code)
                hit = True
        if not hit:
            kept.append(f)
    unused = []
    for sup in sorted([*layout.by_line.values(), *layout.file_level.values()], key=lambda sup: (sup.line, sup.column)):
        left = sorted(sup.codes - sup.used)
        if not left:
            continue
        if left == [ALL]:
            message = "unused suppression: `ats-lint: ignore` silences no finding here"
        else:
            message = f"unused suppression: no {', '.join(left)} finding here"
        unused.append(UnusedSuppression(path, sup.line, sup.column, tuple(left), message))
    return kept, unused
