"""Can this Python file hold a finding at all? A test on the raw text, compiled from the rule data
(rules/python.yaml, rules/trust.yaml, rules/hosts.yaml and the certificates), so that libcst parses
only the files that matter. It must never drop a finding; tests/test_prefilter.py proves that the
rule examples, the devset-like fixtures and a generated sample give identical findings with it
on and off (`ATS_LINT_NO_PREFILTER=1` turns it off, for those tests and the benchmark).

What a finding needs, and how it is asked for:

- a name from the call signatures (a callee, a pinning name, a trust keyword or attribute):
  substring search. A name that the data uses only as a keyword or an attribute (`verify`) must
  be *set*: `name=` (a keyword argument or an assignment) or written as a string (`"verify"`,
  the key of a kwargs dict); `verify_ssl`, `self.verify(...)` and prose do not count.
- a trust environment variable: its name (substring), or an environment setter whose variable
  name is not a plain literal (`os.environ[NAME] = ...`), which may resolve to one.
- an S3 or CloudFront host: the host matcher of rules/hosts.yaml runs on the raw text; an
  occurrence it cannot settle there (the host starts where a string literal starts, so another
  piece may extend it; an escape hides part of it; a service-principal context) passes, and so
  does a file that builds strings with `+=` and holds a piece of a domain suffix.
- a known digest (hex, separated hex or base64), a PEM block, or a raw digest in a bytes literal.

Strings written with escapes (`"\\x61"`) or split into pieces (`"amazonaws" ".com"`, `+`, a
backslash-newline) are checked in two more views of the text: escapes decoded, and adjacent
literals joined. A view can only add reasons to scan, never remove one.
"""
from __future__ import annotations

import functools
import os
import re
import warnings
from dataclasses import dataclass
from typing import Iterator

from ats_lint.resources import load_data

# Sections of rules/python.yaml whose names alone cannot make a finding: they say how a value
# is resolved once a trigger was seen. Everything else in the file is a trigger, so that a new
# section or entry is covered without a change here (the safe direction).
_RESOLUTION_SECTIONS = {
    ("default_store_calls",),
    ("env_read_calls",),
    ("path_calls",),
    ("env_setters",),  # asked for by `_env_setter_patterns` instead
    ("verification_off",),  # changes what a trust keyword's finding says, is none of its own
    ("bool_calls",),
    ("file_reads",),
    ("prose",),  # texts that are documentation: fewer findings, never more
    ("pinning", "peer_certificate", "binary_keyword"),
    ("pinning", "peer_certificate", "digest_calls"),
    ("pinning", "peer_certificate", "digest_methods"),
}
# Mapping keys whose names the visitor matches as a keyword argument or an attribute target.
_SET_ONLY_KEYS = {"keywords", "attributes", "inline_data"}
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")

# Escapes that can spell any character inside a string literal.
_ESCAPE_RE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^{}\n]{1,80}\})")
# The junction of two string literals joined implicitly or by `+` (comments and line
# continuations may sit between), and a backslash-newline inside a literal.
_JUNCTION_RE = re.compile(r"""["'](?:(?:[ \t\f\r\n\\+]|#[^\n]*\n)+[rRbBuUfF]{0,2})?["']|\\\r?\n""")
# A bytes literal opening and an escape that can spell a byte outside printable ASCII.
_BYTES_LITERAL_RE = re.compile(r"""(?:[bB][rR]?|[rR][bB])["']""")  # false starts are harmless
_BYTE_ESCAPE_RE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|[0-7])")


def disabled() -> bool:
    """The hidden switch: ATS_LINT_NO_PREFILTER=1 scans every Python file with libcst."""
    return os.environ.get("ATS_LINT_NO_PREFILTER", "") not in ("", "0")


# --------------------------------------------------------------------------- compiled from the data


@dataclass(frozen=True)
class _Compiled:
    tokens: tuple[str, ...]  # case-sensitive substrings, any one of which is enough
    token_re: re.Pattern  # the same tokens as one alternation, for their offsets
    set_names: tuple[tuple[str, re.Pattern], ...]  # names that must be set or quoted
    env_setters: tuple[tuple[str, re.Pattern], ...]  # (a literal it needs, the pattern)
    pem_marker: str


def _harvest(node, path: tuple[str, ...], out: dict[str, set[str]]) -> None:
    """Every identifier-like name in `node` with the mapping keys it sits under."""
    if any(path[: len(section)] == section for section in _RESOLUTION_SECTIONS):
        return
    if isinstance(node, dict):
        for key, value in node.items():
            key = str(key)
            if isinstance(value, str) and _IDENTIFIER_RE.fullmatch(key) and not _IDENTIFIER_RE.fullmatch(value):
                out.setdefault(key, set()).add(path[-1] if path else "")  # `name: what it does`
            if key == "args":
                continue  # positional argument labels: the callee is the trigger
            _harvest(value, path + (key,), out)
    elif isinstance(node, list):
        for item in node:
            _harvest(item, path, out)
    elif isinstance(node, str) and _IDENTIFIER_RE.fullmatch(node):
        out.setdefault(node, set()).add(path[-1] if path else "")


def _env_setter_patterns(setters: dict) -> list[tuple[str, str]]:
    """Setters whose variable name is not a plain literal: the name may resolve to a trust
    variable. Each pattern starts with the literal returned with it."""
    not_plain = r"""(?!\s*[rRuU]?["'][A-Za-z0-9_.-]*["']\s*[,\])])"""
    mappings = {q.rsplit(".", 1)[-1] for q in setters.get("subscript_assign", [])}
    out = [(m, rf"{re.escape(m)}\s*\[{not_plain}(?s:.{{0,300}}?)\]\s*=(?!=)") for m in sorted(mappings)]
    for call in setters.get("calls", []):
        if "name_arg" not in call:
            continue  # a mapping argument: its keys are literal names (or keywords)
        if "method" in call:
            out.append((call["method"], rf"{re.escape(call['method'])}\s*\({not_plain}"))
            continue
        owner, _, name = call["qualified"].rpartition(".")
        if owner in setters.get("subscript_assign", []):
            owner_last = owner.rsplit(".", 1)[-1]
            out.append((owner_last, rf"{re.escape(owner_last)}\s*\.\s*{re.escape(name)}\s*\({not_plain}"))
        else:
            out.append((name, rf"{re.escape(name)}\s*\({not_plain}"))
    return out


@functools.lru_cache(maxsize=1)
def compiled() -> _Compiled:
    found: dict[str, set[str]] = {}
    _harvest(load_data("python.yaml"), (), found)
    tokens: set[str] = set(load_data("trust.yaml")["trust_env_vars"])
    set_only: set[str] = set()
    for name, keys in found.items():
        last = name.rsplit(".", 1)[-1]
        if keys <= _SET_ONLY_KEYS and "." not in name:
            set_only.add(last)
        else:
            tokens.add(last)
    set_only -= tokens
    # Literal first, so that the regex engine scans for the name at memory speed; what comes
    # before a match is checked in `_set_name`. Only names present in a file are searched.
    set_names = tuple(
        (name, re.compile(
            rf"{re.escape(name)}(?:"
            r"(?P<keyword>(?:[ \t\f\r\n\\]|#[^\n]*\n)*=(?!=))"  # keyword argument, assignment
            r"|(?P<annotated>[ \t]*:[^=\n]{0,200}=(?!=))"  # annotated attribute assignment
            r"""|(?P<quoted>["']))"""  # a kwargs key, setattr(), a dict literal
        ))
        for name in sorted(set_only)
    )
    env = _env_setter_patterns(load_data("python.yaml").get("env_setters", {}))
    from ats_lint.scan.literals import PEM_MARKER

    return _Compiled(
        tokens=tuple(sorted(tokens)),
        token_re=re.compile("|".join(re.escape(t) for t in sorted(tokens, key=lambda t: (-len(t), t)))),
        set_names=set_names,
        env_setters=tuple((literal, re.compile(pattern)) for literal, pattern in env),
        pem_marker=PEM_MARKER.strip("-"),
    )


@functools.lru_cache(maxsize=1)
def _digests_need_escapes() -> bool:
    """True when every known digest has a byte that a bytes literal can only write as an escape."""
    from ats_lint.trust.certs import knowledge

    printable = set(range(0x20, 0x7F)) - {ord("\\"), ord('"'), ord("'")}
    return all(any(b not in printable for b in raw) for raw in knowledge().by_digest)


# --------------------------------------------------------------------------- the test


def python_may_have_findings(text: str) -> bool:
    """False only when no finding of the Python scanner can come from `text`."""
    if disabled():
        return True
    views = [text]
    spots = _spots_view(text)
    if spots:
        views.append(spots)
    if any(_names(view) for view in views):
        return True
    if any(_digest_or_pem(view) for view in views):
        return True
    if _bytes_digest_possible(text) and _bytes_literals_hold_digest(text) is not False:
        return True
    # An occurrence of a host the raw text cannot settle passes, as does one that may be the end
    # of a text built with `+=` (the visitor joins `url = "https://s3."; url += "amazonaws.com"`).
    return any(_hosts(view) is not False for view in views) or _built_with_augmented_assignment(text)


# --------------------------------------------------------------------------- where, in a file that passes


def reason_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` the reasons of `python_may_have_findings` sit, as (start, end) offsets: a
    finding's syntax node holds one of them, or (a text built with `+=`) its block does. The
    escape and junction windows whose decoded text holds a reason are given whole."""
    spans = _raw_reason_spans(text)
    for (a, b), piece in _spot_windows(text):
        if _names(piece) or _digest_or_pem(piece) or _hosts(piece) is not False:
            spans.append((a, b))
    return spans


def _raw_reason_spans(text: str) -> list[tuple[int, int]]:
    c = compiled()
    spans = [m.span() for m in c.token_re.finditer(text)]
    for name, pattern in c.set_names:
        if name in text:
            spans += [m.span() for m in pattern.finditer(text) if _set_name(text, m)]
    for name, pattern in c.env_setters:
        if name in text:
            spans += [m.span() for m in pattern.finditer(text)]
    spans += [m.span() for m in re.finditer(re.escape(c.pem_marker), text)]
    if "MII" in text:  # a certificate in bare base64 DER
        from ats_lint.trust.certs import der_base64_runs

        spans += [(start, end) for start, end, _ in der_base64_runs(text)]
    spans += _digest_spans(text)
    if _bytes_digest_possible(text) and _bytes_literals_hold_digest(text) is not False:
        spans += [m.span() for m in _BYTES_LITERAL_RE.finditer(text)]  # a literal starts in its statement
    if _hosts(text) is not False:
        from ats_lint.scan.literals import host_hint_re

        spans += [m.span() for m in host_hint_re().finditer(text)]
    if _built_with_augmented_assignment(text):
        spans += [m.span() for m in _AUGMENTED_STRING_RE.finditer(text)]
    return spans


# Around a spot where a literal's text differs from the raw text (an escape, a junction of two
# literals) everything is checked again in a window of the text as the visitor sees it. The
# window covers the longest host walk-back, its scheme and the service-principal context.
_WINDOW = 340


def _spots_view(text: str) -> str:
    """The windows around escapes and junctions, with escapes decoded and junctions joined
    (windows separated by blank lines); empty when the file has neither."""
    return "\n\n\n".join(piece for _, piece in _spot_windows(text))


def _spot_windows(text: str) -> list[tuple[tuple[int, int], str]]:
    """((start, end) in `text`, the window as the visitor sees it) for each window."""
    spots = [m.span() for m in _JUNCTION_RE.finditer(text)]
    if "\\" in text:
        spots += [m.span() for m in _ESCAPE_RE.finditer(text)]
    if not spots:
        return []
    spots.sort()
    windows: list[list[int]] = []
    for a, b in spots:
        a, b = max(0, a - _WINDOW), b + _WINDOW
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    pieces = []
    for a, b in windows:
        piece = text[a:b]
        piece = _JUNCTION_RE.sub("", piece)
        if "\\" in piece:
            piece = _ESCAPE_RE.sub(_decode_escape, piece)
            piece = _JUNCTION_RE.sub("", piece)
        pieces.append(((a, min(b, len(text))), piece))
    return pieces


def _names(text: str) -> bool:
    c = compiled()
    if any(token in text for token in c.tokens):
        return True
    for name, pattern in c.set_names:
        if name in text and any(_set_name(text, m) for m in pattern.finditer(text)):
            return True
    return any(name in text and pattern.search(text) for name, pattern in c.env_setters)


def _set_name(text: str, m: re.Match) -> bool:
    before = text[m.start() - 1] if m.start() else ""
    if before.isalnum() or before == "_":
        return False  # the end of a longer name: `ca_certs` in `ssl_ca_certs` is matched on its own
    if m.group("keyword") is not None:
        return True
    if m.group("annotated") is not None:
        return text[: m.start()].rstrip(" \t").endswith(".")
    return before == m.group("quoted")


def _digest_or_pem(text: str) -> bool:
    if compiled().pem_marker in text:
        return True
    from ats_lint.scan.literals import has_der_hint

    if has_der_hint(text):  # a certificate in bare base64 DER
        return True
    return next(_digest_spans(text), None) is not None


def _digest_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each known digest in `text` (a digest in the overlap of two chunks twice)."""
    from ats_lint.trust.certs import knowledge, may_contain_digest

    if not may_contain_digest(text):
        return
    # The candidate regex costs a match attempt per character: run it only on the chunks that
    # hold a run of digest characters. Chunks overlap by more than the longest spelling.
    kb = knowledge()
    for i in range(0, len(text), _CHUNK):
        base = max(0, i - 128)
        chunk = text[base: i + _CHUNK]
        if may_contain_digest(chunk):
            for at, m in kb.find_digests(chunk):
                yield base + at, base + at + len(m.text)


_CHUNK = 8192


def _bytes_digest_possible(text: str) -> bool:
    if _digests_need_escapes() and not ("\\" in text and _BYTE_ESCAPE_RE.search(text)):
        return False
    return _BYTES_LITERAL_RE.search(text) is not None


_BYTES_BODY_RE = re.compile(r"""("|')(?:[^"'\\\n]|\\(?s:.)|(?!\1)["']){20,2000}?\1""")


def _bytes_literals_hold_digest(text: str) -> bool | None:
    """Whether a bytes literal is a raw known digest (the visitor checks each bytes literal on its
    own); None when a literal cannot be read here (triple-quoted ones are left to libcst)."""
    import ast

    from ats_lint.trust.certs import knowledge

    kb = knowledge()
    for opening in _BYTES_LITERAL_RE.finditer(text):
        quote_at = opening.end() - 1
        if text.startswith(text[quote_at] * 3, quote_at):
            return None
        m = _BYTES_BODY_RE.match(text, quote_at)
        if m is None:
            continue  # shorter than 20 bytes, or not a literal
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = ast.literal_eval(text[opening.start():m.end()])
        except (SyntaxError, ValueError):
            continue  # not a literal: the opening was inside another string or a comment
        if isinstance(value, bytes) and len(value) in (20, 32) and kb.identify_digest(value):
            return True
    return False


def _hosts(text: str) -> bool | None:
    """True: an affected host is in the text as written; False: every occurrence of the domain
    suffixes is settled and none is affected; None: some occurrence cannot be settled here."""
    from ats_lint.scan.hosts import anchor_re, host_matcher, host_start, suffix_fragments

    lowered = text.lower()
    if not any(fragment in lowered for fragment in suffix_fragments()):
        return False
    for fragment in suffix_fragments():  # a literal that starts with the suffix: the dot is elsewhere
        at = lowered.find(fragment)
        while at > 0:
            if lowered[at - 1] in "\"'}\\":
                return None
            at = lowered.find(fragment, at + 1)
    matcher = host_matcher()
    if next(matcher.find(text), None) is not None:
        return True
    for m in anchor_re().finditer(text):
        start = host_start(text, m.start())
        if _continues_a_literal(text, start):
            return None  # another piece of a concatenation (or an escape) may extend the host
        if matcher.principal_re.search(text[max(0, start - 40):start]) and matcher.classify(text[start:m.end()]):
            return None  # an affected host, skipped as a service principal in the raw text only
    return False


_AUGMENTED_STRING_RE = re.compile(r"""\+=[ \t]*(?:[rRbBuUfF]{1,2})?["']""")


@functools.lru_cache(maxsize=1)
def _suffix_halves() -> tuple[str, ...]:
    """The two halves of each domain suffix: a suffix split in two across `+=` statements leaves
    one whole half in one of them."""
    from ats_lint.scan.hosts import suffix_fragments

    return tuple(half for s in suffix_fragments() for half in (s[: len(s) // 2], s[len(s) // 2:]))


def _built_with_augmented_assignment(text: str) -> bool:
    if "+=" not in text or not _AUGMENTED_STRING_RE.search(text):
        return False
    lowered = text.lower()
    return any(piece in lowered for piece in _suffix_halves())


def _continues_a_literal(text: str, start: int) -> bool:
    """Whether the text right before `start` may belong to the same string as seen by the
    visitor though it is not in the raw text: `start` follows an escape, or opens a literal that
    follows another literal or a `+` (implicit or explicit concatenation)."""
    if start == 0:
        return False
    quote = text[start - 1]
    if quote == "\\":
        # `\n`, `\t`, ... turned a host character into a control character. (Numeric escapes
        # are decoded in the spots view; `\.` and other unknown escapes stay as they are.)
        return text[start] in "ntrabfv"
    if quote not in "'\"":
        return False
    i = start - 1
    while i > 0 and text[i - 1] == quote and start - i < 3:  # a triple quote
        i -= 1
    while i > 0 and text[i - 1] in "rRbBuUfF" and start - i < 6:  # a string prefix
        i -= 1
    while i > 0 and text[i - 1] in " \t\f\r\n\\(":
        if text[i - 1] == "\n" and "#" in text[text.rfind("\n", 0, i - 1) + 1: i - 1]:
            return True  # a comment may sit between two pieces
        i -= 1
    return i > 0 and text[i - 1] in "'\"+"


def _decode_escape(m: re.Match) -> str:
    escape = m.group(0)
    try:
        if escape[1] == "N":
            import unicodedata

            return unicodedata.lookup(escape[3:-1])
        if escape[1] in "xuU":
            return chr(int(escape[2:], 16))
        return chr(int(escape[1:], 8))
    except (KeyError, ValueError, OverflowError):
        return escape
