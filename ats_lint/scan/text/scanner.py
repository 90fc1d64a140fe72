"""The text scanner: every file that is not Python (and Python that cannot be parsed).

What it knows is data in rules/text.yaml: file kinds and their comment syntax, and per kind
the patterns that set a trust store (ATS201/ATS202) or pin a certificate (ATS301). This module
only interprets that data:

1. comments are blanked (same length, newlines kept, so offsets still map to lines/columns);
2. hosts, DigiCert fingerprints/pins and DigiCert PEMs are found in what is left
   (`literals.scan_text`, shared with the Python scanner);
3. each trust and pinning pattern of the kind runs over the blanked text.

A committed certificate bundle (`.pem`, `.crt`, ...) is not scanned: it is judged where it is
referenced (see `scan_bundle_file`).
"""
from __future__ import annotations

import bisect
import functools
import re
from typing import Callable

from ats_lint.model import Span
from ats_lint.scan.literals import QUOTES, has_host_hint, scan_text
from ats_lint.scan.sink import FindingSink
from ats_lint.scan.standins import is_test_stand_in
from ats_lint.scan.text.conditions import bound_only_to, handed_in, inside_block, match_value, yaml_ancestors
from ats_lint.scan.text.patterns import Pattern, pinning_patterns, text_data, trust_patterns

_HASH_COMMENT = re.compile(r"(?m)(?:^|(?<=\s))#[^\n]*")
_NOT_NEWLINE = re.compile(r"[^\r\n]")


class LineIndex:
    """Offsets to 1-based (line, column). The line starts are found on the first question: most
    files that are scanned report nothing and never ask."""

    def __init__(self, text: str):
        self._text: str | None = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self._text)]
            self._text = None
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self.starts
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        return (*self.position(start), *self.position(end))


def blank_text(text: str) -> str:
    """The text with every character but line breaks replaced by a space (offsets and lines stay)."""
    if "\n" not in text and "\r" not in text:
        return " " * len(text)
    return _NOT_NEWLINE.sub(" ", text)


def blank_hash_comments(text: str) -> str:
    """Replace `#` comments by spaces (same length, so offsets stay valid)."""
    return _HASH_COMMENT.sub(lambda m: blank_text(m.group(0)), text)


# --------------------------------------------------------------------------- comment syntaxes


@functools.lru_cache(maxsize=None)
def comment_regex(syntax: str) -> re.Pattern | None:
    """One regex whose `c` group is a comment and whose other matches are string literals."""
    spec = text_data()["comment_syntaxes"].get(syntax) or {}
    strings, comments = [], []
    for q in spec.get("strings", ()):
        e = re.escape(q)
        # A quote opens a literal only where a token can start (not the apostrophe in "don't");
        # an unclosed literal runs to the end of its line.
        # The quote comes first and the look-behind after it, so that the regex engine skips to
        # the next quote at memory speed; the body is an unrolled loop (the same strings).
        strings.append(rf"{e}(?<!\w{e})[^{e}\\\n]*(?:\\.[^{e}\\\n]*)*(?:{e}|$)")
    for q in spec.get("multiline_strings", ()):
        e = re.escape(q)
        strings.append(rf"{e}(?<!\w{e})[^{e}\\]*(?:\\[\s\S][^{e}\\]*)*(?:{e}|\Z)")
    for raw in spec.get("raw_strings", ()):
        strings.append(raw["regex"])
    where = spec.get("where", "anywhere")
    for marker in spec.get("line", ()):
        e = re.escape(marker)
        if where == "word":
            comments.append(rf"{e}(?<!\S{e})[^\n]*")
        elif where == "line-start":
            comments.append(rf"^[ \t]*{e}[^\n]*")
        else:
            comments.append(rf"{e}[^\n]*")
    for open_, close in spec.get("block", ()):
        comments.append(rf"{re.escape(open_)}[\s\S]*?(?:{re.escape(close)}|\Z)")
    if not comments:
        return None
    parts = [f"(?P<c>{'|'.join(comments)})"] + strings
    return re.compile("|".join(parts), re.M)


@functools.lru_cache(maxsize=None)
def _comment_markers(syntax: str) -> tuple[str, ...]:
    """What opens a comment, or a string that may span lines."""
    spec = text_data()["comment_syntaxes"].get(syntax) or {}
    return (*spec.get("line", ()), *(open_ for open_, _ in spec.get("block", ())), *spec.get("multiline_strings", ()),
            *(raw["marker"] for raw in spec.get("raw_strings", ())))


def _marked_lines(text: str, markers: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each line holding one of `markers`, in order."""
    lines: set[tuple[int, int]] = set()
    for marker in markers:
        at = text.find(marker)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            lines.add((start, end))
            at = text.find(marker, end)
    return sorted(lines)


def blank_comments(text: str, syntax: str) -> str:
    """The text with its comments blanked. The comment regex matches strings too (a `//` in a
    string is no comment), from the start of the text on. Only a comment or a multi-line string
    can continue past the end of its line, and each starts with a marker, so the scan runs only
    over the lines holding a marker (and what a match started there runs into); every other line
    starts and ends outside any comment: a JSON API model costs a substring search per marker
    and the lines of its URLs, not a match per string literal."""
    regex = comment_regex(syntax)
    if regex is None:
        return text
    out: list[str] = []
    last = resume = 0  # `resume`: where the scan stands, at the end of its last match
    for line_start, line_end in _marked_lines(text, _comment_markers(syntax)):
        if line_end <= resume:
            continue  # inside a match that started on an earlier line
        for m in regex.finditer(text, max(line_start, resume)):
            if m.start() >= line_end:
                break
            resume = m.end()
            if m.group("c") is None:
                continue
            out.append(text[last:m.start()])
            out.append(blank_text(m.group(0)))
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------------- patterns





def _keeps_default_store(value: str, name: str | None) -> bool:
    from ats_lint.trust.judge import is_default_store_text

    if is_default_store_text(value):
        return True
    for pattern in text_data()["default_value_patterns"]:
        if "{name}" in pattern:
            if not name:
                continue
            pattern = pattern.replace("{name}", re.escape(name))
        if re.search(pattern, value):
            return True
    return False


# a format placeholder written as the value (`tlscafile=%s` in `fmt.Sprintf`, `{0}`): filled in at run time
_FORMAT_PLACEHOLDER = re.compile(r"%[-+ #0-9.]{0,6}[svqd]|\{\d{0,2}\}")


def _trust_value(pattern: Pattern, raw: str | None, name: str | None, sink: FindingSink):
    """The TrustValue a setting holds, or None when it keeps the default store."""
    from ats_lint.trust.judge import PATH, PEM, UNKNOWN, TrustValue, locate_bundle

    if is_test_stand_in(None, sink.root_path):
        return None  # a test of parsing: its stores are the parser's input and expected output
    if pattern.value_is == "unknown" or raw is None:
        return TrustValue(UNKNOWN, pattern.unknown_text)
    text = raw.strip()
    quoted = len(text) >= 2 and text[0] in QUOTES and text[-1] == text[0]
    if quoted:
        text = text[1:-1]
    if text.startswith("-----BEGIN") and "-----BEGIN CERTIFICATE-----" not in text:
        return TrustValue(UNKNOWN, "PEM certificates written over several lines")
    if pattern.value_is == "pem" or "-----BEGIN CERTIFICATE-----" in text:
        if is_test_stand_in(text, sink.root_path):
            return None  # a test's PEM with its body left out (`...`)
        return TrustValue(PEM, text.replace("\\n", "\n"))
    if _keeps_default_store(text, name):
        return None
    if is_test_stand_in(text, sink.root_path, written=quoted):
        return None  # in test code, a placeholder path, or one bare word quoted as the value: a stand-in
    if pattern.value_is == "code" and not quoted or _FORMAT_PLACEHOLDER.fullmatch(text):
        return TrustValue(UNKNOWN, text[:120])
    shown = pattern.value_display.replace("{value}", text) if pattern.value_display else None
    if pattern.value_template:
        text = pattern.value_template.replace("{value}", text)
    for suffix in pattern.value_suffixes:
        if locate_bundle(text + suffix, sink.file, sink.root) is not None:
            return TrustValue(PATH, text + suffix)
    return TrustValue(PATH, shown or text)


def _candidates(patterns, kind: str, body: str, tree: str | None = None, present: dict | None = None):
    present = {} if present is None else present  # hint -> in body: each hint searched once per file
    seen: set[tuple[str, str]] = set()  # (pattern, value) already reported (`once_per_value`)
    for p in patterns:
        if not p.applies(kind) or tree in p.tree_owned:
            continue
        if p.hints is not None and not any(present[h] if h in present else present.setdefault(h, h in body) for h in p.hints):
            continue
        if p.requires is not None and p.requires.search(body) is None:
            continue
        if p.unless_file_has is not None and p.unless_file_has.search(body) is not None:
            continue
        for m in p.regex.finditer(body):
            if p.anchor_matches is not None and p.anchor_matches.search(m.group("anchor")) is None:
                continue
            if p.unless_in is not None and inside_block(body, m.start(), p.unless_in):
                continue
            if p.near is not None and p.near.search(body, m.end(), m.end() + p.within) is None:
                continue
            if p.unless_bound is not None and bound_only_to(body, m, p.unless_bound):
                continue
            if p.unless_param and handed_in(body, m):
                continue
            if p.unless_under is not None and any(p.unless_under.search(k) for k in yaml_ancestors(body, m.start("anchor"))):
                continue
            if p.once_per_value:
                key = (p.id, "".join((match_value(m) or "").split()))
                if key in seen:
                    continue
                seen.add(key)
            yield p, m


def _group(m: re.Match, *names: str) -> tuple[str | None, int, int]:
    groups = m.re.groupindex
    for name in names:
        if name in groups and m.group(name) is not None:
            return m.group(name), m.start(name), m.end(name)
    return None, m.start(), m.end()


def scan_settings(body: str, sink: FindingSink, kind: str, index: LineIndex, tree: str | None = None, not_configuration: Callable[[int], bool] | None = None) -> None:
    """Run the kind's trust and pinning patterns; `tree`: the language the file was parsed as, whose syntax
    rules own some forms (`tree_owned`); `not_configuration(offset)`: the tree says it is a test's expectation."""
    present: dict[str, bool] = {}
    for p, m in _candidates(trust_patterns(), kind, body, tree, present):
        name, start, end = _group(m, "name", "name2")
        if name is None:
            anchor, start, end = _group(m, "anchor", "anchor2")
            name_for_message = anchor
        else:
            name_for_message = name
        if not_configuration is not None and not_configuration(start):
            continue
        raw = match_value(m)
        value = _trust_value(p, raw, name, sink)
        if value is None:
            continue
        what = p.what.replace("{name}", name_for_message or "").replace("{anchor}", name_for_message or "")
        sink.trust(value, what, index.span(start, end), f"{what} {value.text[:200]}")
    for p, m in _candidates(pinning_patterns(), kind, body, tree, present):
        anchor, start, end = _group(m, "anchor", "anchor2")
        if not_configuration is not None and not_configuration(start):
            continue
        detail = p.what.replace("{anchor}", anchor or m.group(0))
        sink.add("ATS301", index.span(start, end), f"{p.id}:{anchor or m.group(0)}", detail=detail)


# --------------------------------------------------------------------------- entry points


def scan_fallback(text: str, sink: FindingSink) -> None:
    """Hosts and fingerprints in a Python file libcst could not parse (comments skipped)."""
    index = LineIndex(text)
    scan_text(blank_hash_comments(text), sink, index.span)


def scan_bundle_file(text: str, sink: FindingSink, index: LineIndex) -> None:
    """A committed certificate file (`.pem`, `.crt`, ...) is data, not a finding of its own.

    Its risk exists only where something trusts it: ATS201/ATS202 at each reference read the
    bundle and say whether it holds an ATS root. Reporting its DigiCert blocks as well would
    repeat that finding once per certificate, and flag every vendored CA store (certifi's
    cacert.pem holds DigiCert roots next to the Amazon ones).
    """
    return


def may_have_findings(text: str, kind: str) -> bool:
    """A cheap test: can any host, digest, PEM or pattern of this kind match? Most files stop here."""
    from ats_lint.scan.literals import may_hold_literal_finding

    if may_hold_literal_finding(text):
        return True
    hints = _kind_hints(kind)
    lowered = text.lower() if hints else ""  # the hints are lower-cased
    return hints is None or any(h in lowered for h in hints)


@functools.lru_cache(maxsize=None)
def _kind_hints(kind: str) -> tuple[str, ...] | None:
    """The hints of every pattern of `kind`, lower-cased, once, none containing another (None: one has no
    hint): a case-blind admission test; the patterns decide. `digest_only` ones add none (digests admit)."""
    hints: dict[str, None] = {}
    for p in (*trust_patterns(), *pinning_patterns()):
        if p.applies(kind) and not p.digest_only:
            if p.hints is None:
                return None
            hints.update(dict.fromkeys(h.lower() for h in p.hints))
    return tuple(h for h in hints if not any(o != h and o in h for o in hints))


# --------------------------------------------------------------------------- data and documentation


@functools.lru_cache(maxsize=1)
def _host_context() -> tuple:
    ctx = text_data()["host_context"]
    hl = ctx["host_list"]
    line = re.compile(rf"[ \t]{{0,200}}(?:{hl['line']})[ \t]{{0,200}}")
    keys = "|".join(re.escape(k) for k in ctx["json_prose_keys"])
    head = rf'"(?:{keys})"[ \t\r\n]{{0,200}}:[ \t\r\n]{{0,200}}"'
    prose = re.compile(head + rf'((?:[^"\\\n]|\\.){{0,{_PROSE_MAX}}})"')
    # The same without the bound, in runs and without backtracking (a value has one reading:
    # a backslash always takes the next character), many times faster on an API model.
    prose_runs = re.compile(head + r'((?:[^"\\\n]++|\\.)*+)"')
    docs = ctx["generated_docs"]
    marks = re.compile("|".join(f"(?:{m})" for m in docs["marks"]), re.M)
    return hl, line, (prose, prose_runs), marks, int(docs["head"])


_PROSE_MAX = 200_000  # characters of one prose value (escapes count once)


class _LongValue(Exception):
    """A prose value the bounded expression would not take: blank with that one instead."""


def is_host_list(text: str) -> bool:
    """A file that is a list of domain names (a Public Suffix List, an allow list): data."""
    hl, line_re, _, _, _ = _host_context()
    prefixes = tuple(hl["comment_prefixes"])
    share = float(hl["share"])
    content = hosts = 0
    lines = text.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(prefixes):
            continue
        content += 1
        if line_re.fullmatch(line):
            hosts += 1
        elif content % 64 == 0:
            rest = len(lines) - number - 1  # even if every line left were a host, the share is missed
            if hosts + rest < share * (content + rest) - 1:
                return False
    return content >= int(hl["min_lines"]) and hosts >= share * content


def is_generated_docs(text: str) -> bool:
    """Output of a documentation generator or a documentation search index: prose."""
    _, _, _, marks, head = _host_context()
    return marks.search(text[:head]) is not None


def blank_json_prose(body: str) -> str:
    """Blank the string values of documentation keys (`"documentation": "<p>...</p>"`)."""
    _, _, (prose, prose_runs), _, _ = _host_context()

    def blank(m: re.Match) -> str:
        value = m.group(1)
        if len(value) > _PROSE_MAX:
            raise _LongValue
        return m.group(0)[: m.start(1) - m.start(0)] + blank_text(value) + '"'

    try:
        return prose_runs.sub(blank, body)
    except _LongValue:
        return prose.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + blank_text(m.group(1)) + '"', body)


def scan_text_file(text: str, sink: FindingSink, kind: str) -> None:
    from ats_lint.scan.filekinds import spec_of

    spec = spec_of(kind)
    if spec is not None and spec.bundle:
        scan_bundle_file(text, sink, LineIndex(text))
        return
    if not may_have_findings(text, kind):
        return
    if is_generated_docs(text):
        return  # generated documentation and search indexes are prose
    index = LineIndex(text)
    body = blank_comments(text, spec.comments if spec else "none")
    hosts_body = blank_json_prose(body) if kind == "json" else body
    hosts = not (has_host_hint(text) and is_host_list(body))
    scan_text(hosts_body, sink, index.span, hosts=hosts)
    scan_settings(body, sink, kind, index)
