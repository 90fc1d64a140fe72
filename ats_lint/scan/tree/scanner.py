"""Scan one file as a syntax tree: strings, comments, syntax rules, and the text fallback.

1. The prefilter: unless the file contains a trigger of its language's rules, a host or digest
   hint, a PEM, or a hint of a text pattern that still applies, it is not parsed at all.
2. Parse. tree-sitter recovers from errors with local ERROR nodes, and nodes inside them keep
   their types, so a file with a few of them is scanned as a tree. When ERROR nodes cover more
   than `max_error_share` of the file's bytes (rules/syntax/languages.yaml), or the root itself
   is an ERROR, the tree is not trusted: the file goes to the text scanner and a `parse-error`
   entry says so. Before that, in a language with conditional compilation, the file is parsed
   again with only the first branch of each `#if` and without the directive lines
   (tree/conditional.py); the other branches are then read by the text scanner.
3. String literals (never comments) are searched for hosts, DigiCert fingerprints and PEMs.
4. The text patterns of rules/text.yaml that the tree does not own (`tree_owned`) run over the
   text with the tree's comments blanked (environment variables in strings, `-Djavax...`).
5. Each syntax rule's query runs; matches whose `where` predicates hold are reported. A rule with
   `defer_to_use` (a list of pins) runs last and stays silent about a name that a pin reported by
   another rule uses (the builder or comparison that consumes the list is the finding).
"""
from __future__ import annotations

import re

from ats_lint.model import FileResult, ScanError
from ats_lint.scan.literals import PEM_MARKER, QUOTES, may_hold_literal_finding, scan_text
from ats_lint.scan.sink import FindingSink
from ats_lint.scan.standins import is_test_stand_in
from ats_lint.scan.tree.conditional import first_branches
from ats_lint.scan.tree.context import in_expected_value, in_logged_value, in_rejection_test
from ats_lint.scan.tree.languages import language_specs, matches, parser
from ats_lint.scan.tree.predicates import holds
from ats_lint.scan.tree.ruledata import SyntaxRule, compiled, query_of, rules_for
from ats_lint.scan.tree.nodes import ELEMENT_WRAPPERS, is_plus_concatenation, unwrapped
from ats_lint.scan.tree.values import _SPACE, MAX_DEPTH, Source

_PATH_LIKE = re.compile(r"[/\\]|\.[A-Za-z]\w{1,8}$")
PARSE_COUNT = [0]  # files parsed in this process (tests check that untriggered files are not)


def scan_tree_file(text: str, sink: FindingSink, kind: str, language: str, result: FileResult) -> None:
    from ats_lint.scan.text import scanner as text_scanner
    from ats_lint.trust.certs import may_contain_digest

    spec = language_specs()[language]
    digest = may_contain_digest(text)
    rules = [r for r in rules_for(language) if any(t in text for t in r.triggers)
             or (digest and any(t in text for t in r.digest_triggers))]
    literal_hint = may_hold_literal_finding(text, digest)
    patterns = [p for p in text_scanner.trust_patterns() + text_scanner.pinning_patterns()
                if language not in p.tree_owned and p.applies(kind) and (p.hints is None or any(h in text for h in p.hints))]
    if not rules and not literal_hint and not patterns:
        return
    if text_scanner.is_generated_docs(text):
        return  # generated documentation and search indexes (Sphinx searchindex.js) are prose
    data = text.encode("utf-8", "surrogatepass")
    try:
        tree, share = _parse(language, data)
    except Exception as exc:  # noqa: BLE001 - a grammar failure must not end the run
        return _fallback(text, sink, kind, result, f"{language} parser failed ({type(exc).__name__}); scanned as text")
    if not _usable(tree, share, spec.max_error_share) and spec.conditional_compilation:
        retried = _parse_first_branches(text, language, spec.max_error_share)
        if retried is not None:
            text, data, tree, share, others = retried
            if others.strip():
                text_scanner.scan_text_file(others, sink, kind)  # the other branches of each `#if`, as text
    if not _usable(tree, share, spec.max_error_share):
        return _fallback(text, sink, kind, result,
                         f"{language} syntax errors cover {share:.0%} of the file; scanned as text instead of as a syntax tree")
    src = Source(text, data, spec, tree)
    src.path = sink.root_path  # relative to the scan root, as the text scanner reads it
    strings, comments = _strings_and_comments(src)
    src.string_nodes = strings
    src.comment_spans = [(c.start_byte, c.end_byte) for c in comments]
    if literal_hint:
        for node in strings:
            start = src.char(node.start_byte)
            scan_text(src.node_text(node), sink, lambda a, b, s=start: src.index.span(s + a, s + b))
        for parts in _concatenations(src, strings):
            _scan_joined(src, parts, sink)
        for parts in _pem_lines(src, strings):
            _scan_joined(src, parts, sink, sep="\n")
    if patterns:
        body = _blank(text, src, comments)
        text_scanner.scan_settings(body, sink, kind, src.index, tree=language, not_configuration=lambda at: _not_configuration(src, at))
    # the resolved texts of the ATS301 matches reported so far, kept only when a deferred rule reads them
    pins_reported: list[str] | None = [] if any(r.defer_to_use for r in rules) else None
    for rule in sorted(rules, key=lambda r: r.defer_to_use is not None):
        _apply(rule, src, sink, pins_reported)


def _not_configuration(src: Source, char_offset: int) -> bool:
    """Does a text pattern's match at this offset sit in what a test assertion expects, in code a test
    expects to be rejected, or in what a logging call writes (the same judgement as the syntax rules'
    matches)?"""
    at = src.byte(char_offset)
    node = src.tree.root_node.descendant_for_byte_range(at, at)
    return node is not None and (in_expected_value(src, node) or in_rejection_test(src, node) or in_logged_value(src, node))


def _parse_first_branches(text: str, language: str, max_share: float):
    """(text, data, tree, error share, the other branches' text) when keeping only the first branch of
    each `#if` makes the file parse; else None."""
    split = first_branches(text)
    if split is None:
        return None
    kept, others = split
    data = kept.encode("utf-8", "surrogatepass")
    try:
        tree, share = _parse(language, data)
    except Exception:  # noqa: BLE001 - a grammar failure must not end the run: the first parse's fallback follows
        return None
    return (kept, data, tree, share, others) if _usable(tree, share, max_share) else None


def _parse(language: str, data: bytes):
    """(tree, share of its bytes in ERROR nodes)."""
    PARSE_COUNT[0] += 1
    tree = parser(language).parse(data)
    return tree, _error_share(tree.root_node, len(data))


def _usable(tree, share: float, max_share: float) -> bool:
    """Is the tree trusted: its root is not an ERROR and ERROR nodes cover at most `max_share`?"""
    return not tree.root_node.is_error and share <= max_share


def _fallback(text: str, sink: FindingSink, kind: str, result: FileResult, message: str) -> None:
    from ats_lint.scan.text.scanner import scan_text_file

    result.errors.append(ScanError(sink.path, "parse-error", message))
    scan_text_file(text, sink, kind)


def _error_share(root, size: int) -> float:
    """The share of the file's bytes inside outermost ERROR nodes."""
    if not root.has_error or size == 0:
        return 0.0
    covered, stack = 0, [root]
    while stack:
        n = stack.pop()
        if n.is_error:
            covered += n.end_byte - n.start_byte
        elif n.has_error:
            stack.extend(n.children)
    return covered / size


def _strings_and_comments(src: Source) -> tuple[list, list]:
    """Outermost string literals and all comments, in source order."""
    types = sorted(src.spec.strings | src.spec.comments)
    q = "[" + " ".join(f"({t})" for t in types) + "] @n"
    nodes = sorted((n for _, caps in matches(src.spec.name, q, src.tree.root_node) for n in caps["n"]),
                   key=lambda n: (n.start_byte, -n.end_byte))
    strings, comments, end = [], [], -1
    for n in nodes:
        if n.start_byte < end:
            continue  # nested in a string or comment already taken
        end = n.end_byte
        (comments if n.type in src.spec.comments else strings).append(n)
    return strings, comments


def _concatenations(src: Source, strings: list) -> list[list]:
    """Chains of string literals joined with `+` and nothing else (`'-----BEGIN CERTIFICATE-----\\n' +
    'MIIB...' + ...`): their parts in source order, for each chain of two or more."""
    groups: dict[tuple[int, int], list] = {}
    for n in strings:
        top, p = None, n.parent
        while p is not None and (p.type == "parenthesized_expression" or is_plus_concatenation(p)):
            if p.type != "parenthesized_expression":
                top = p
            p = p.parent
        if top is not None:
            groups.setdefault((top.start_byte, top.end_byte), [top]).append(n)
    return [entry[1:] for entry in groups.values() if len(entry) > 2 and _only_literals(src, entry[0])]


def _only_literals(src: Source, node) -> bool:
    for c in node.named_children:
        if c.type in src.spec.comments or c.type in src.spec.strings:
            continue
        if not (c.type == "parenthesized_expression" or is_plus_concatenation(c)) or not _only_literals(src, c):
            return False
    return True


def _pem_lines(src: Source, strings: list) -> list[list]:
    """A PEM written one line per element of a list of string literals (`["-----BEGIN CERTIFICATE-----",
    "MIID...", ..., "-----END CERTIFICATE-----"].join("\\n")`): the list's strings, in order."""
    out = []
    for n in strings:
        if PEM_MARKER not in src.node_text(n)[:40]:
            continue
        element = n  # the list's element: the literal, or a wrapper holding only it (`value_argument`)
        while element.parent is not None and element.parent.type in ELEMENT_WRAPPERS:
            element = element.parent
        if element.parent is None:
            continue
        siblings = [c for c in element.parent.named_children if c.type not in src.spec.comments]
        literals = [unwrapped(c) for c in siblings]
        if len(literals) > 2 and siblings[0] == element and all(c.type in src.spec.strings for c in literals):
            out.append(literals)
    return out


def _scan_joined(src: Source, parts: list, sink: FindingSink, sep: str = "") -> None:
    """Scan a chain's joined value: what lies inside one part is reported where it is (the per-string
    scan found it already: one finding per line and rule), what spans parts (a PEM split over
    lines) where the chain starts."""
    pieces, bounds = [], []  # bounds: (start in the joined text, end, char offset of the part's content)
    at = 0
    for part in parts:
        value = src.string_value(part)
        if value is None:
            return  # a template with substitutions: not a literal
        raw = src.node_text(part)
        inner = raw.find(value) if value else 0
        bounds.append((at, at + len(value), src.char(part.start_byte) + max(inner, 0)))
        pieces.append(value)
        at += len(value) + len(sep)
    first = src.char(parts[0].start_byte)

    def span_at(a: int, b: int):
        for start, end, char in bounds:
            if start <= a and b <= end:
                return src.index.span(char + a - start, char + b - start)
        return src.index.span(first, first + min(b - a, bounds[0][1] - bounds[0][0]) + 1)

    scan_text(sep.join(pieces), sink, span_at)


def _blank(text: str, src: Source, comments: list) -> str:
    if not comments:
        return text
    out, last = [], 0
    for n in comments:
        a, b = src.char(n.start_byte), src.char(n.end_byte)
        out.append(text[last:a])
        out.append("".join(c if c == "\n" else " " for c in text[a:b]))
        last = b
    out.append(text[last:])
    return "".join(out)


def _apply(rule: SyntaxRule, src: Source, sink: FindingSink, pins_reported: list[str] | None) -> None:
    reported: set[tuple[int, int]] = set()  # one finding per node: two pins added in one builder block
    for _, caps in matches(src.spec.name, query_of(rule, src.spec.name), src.tree.root_node):
        if rule.report not in caps or not all(holds(w, caps, src) for w in rule.where) or _captures_comment(caps, src):
            continue
        if rule.defer_to_use and _used_by(src.node_text(caps[rule.defer_to_use][0]).strip(), pins_reported):
            continue
        anchor = caps[rule.report][0]
        if in_expected_value(src, anchor):
            continue  # what a test assertion expects a call to have received
        if in_rejection_test(src, anchor):
            continue  # configuration a test expects to be rejected
        if in_logged_value(src, anchor):
            continue  # what a logging call writes
        while rule.leftmost and anchor.named_children:
            anchor = anchor.named_children[0]
        if (anchor.start_byte, anchor.end_byte) in reported:
            continue
        reported.add((anchor.start_byte, anchor.end_byte))
        span = src.span(anchor)
        shown = src.node_text(anchor).split("\n", 1)[0][:120]
        if rule.report_at:
            found = compiled(rule.report_at).search(src.node_text(anchor))
            if found is None:
                continue
            start = src.char(anchor.start_byte) + found.start()
            span = src.index.span(start, start + len(found.group(0)))
            shown = found.group(0).strip()[:120]
        if rule.rule == "ATS301":
            if pins_reported is not None and rule.defer_to_use is None:  # a deferred list's own finding consumes nothing
                pins_reported.extend(_pin_texts(src, caps))
            sink.add("ATS301", span, f"{rule.id}:{shown}", detail=rule.detail.replace("{report}", shown))
        else:
            value = trust_value(rule, caps, src)
            if value is not None:
                what = rule.what.replace("{report}", shown)
                sink.trust(value, what, span, f"{what} {value.text[:200]}")


def _captures_comment(caps: dict, src: Source) -> bool:
    """Does the match take a comment for code? A comment between a receiver and its call
    (`CertificatePinner.Builder()` / `// backup` / `.add(...)`) is a sibling like any other node
    in a grammar without field names (Kotlin), so a pattern's `(_)` may match it."""
    return any(n.type in src.spec.comments for name, nodes in caps.items() if not name.startswith("_") for n in nodes)


def _pin_texts(src: Source, caps: dict) -> list[str]:
    """What a reported pin's captures say, with the names they resolve to and the collections
    their loop variables walk, and what those are bound to (`for pin in PINS`: `PINS`;
    `hostPins.forEach { pin -> }` with `val hostPins = pins[host]`: `pins`)."""
    out = []
    for nodes in caps.values():
        for n in nodes:
            out.append(src.resolved_text(n))
            out.extend(src.resolved_text(c) for i in src.identifiers_in(n, limit=12) if (c := src.iterated(i)) is not None)
    return out


def _used_by(name: str, texts: list[str]) -> bool:
    used = re.compile(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])")
    return any(used.search(t) for t in texts)


def trust_value(rule: SyntaxRule, caps: dict, src: Source):
    """What the store holds: a PEM, a path (looked up for ATS202), or unknown; None: the default."""
    from ats_lint.trust.judge import PATH, PEM, UNKNOWN, TrustValue, is_default_store_text

    if is_test_stand_in(None, src.path):
        return None  # a test of parsing: its stores are the parser's input and expected output
    nodes = caps.get(rule.value) if rule.value else None
    if not nodes:
        return TrustValue(UNKNOWN, rule.unknown)
    if compiled("{few_bytes}").match(_SPACE.sub("", src.node_text(nodes[0]))):
        return None  # a handful of bytes where a certificate would go: a stand-in
    not_path = compiled("{not_store_path}")
    # the value's own literals first (`fs.readFileSync('ca.pem')`), then what its names lead to (every
    # call made on `fs` in the file also reads some file)
    own = src.strings_in(nodes[0], depth=MAX_DEPTH)
    modules = src.module_names()  # `./config` of `require('./config')`: code, not a store
    strings = [s for s in dict.fromkeys(own + src.strings_in(nodes[0], every=True))
               if s.strip() and not not_path.match(s.strip()) and s not in modules]
    whole = src.string_value(nodes[0])  # a PEM written as literals joined with `+`
    if whole is not None and PEM_MARKER in whole and is_test_stand_in(whole, src.path):
        return None  # a test's PEM with its body left out (`...`)
    for s in strings:
        if PEM_MARKER in s:
            if is_test_stand_in(s, src.path):
                return None
            return TrustValue(PEM, s.replace("\\n", "\n"))
    joined = src.joined_path(nodes[0])  # `path.join(__dirname, '..', 'fixtures', 'ca.pem')`
    if joined is not None:
        strings = [joined]
    # a path before other strings the value's names lead to (`fs` of `const fs = require('fs')`,
    # an encoding such as 'utf8')
    strings.sort(key=lambda s: _PATH_LIKE.search(s) is None)
    if strings:
        if is_default_store_text(strings[0]):
            return None
        if _PATH_LIKE.search(strings[0]) is None and " " in strings[0].strip() and strings[0] in src.node_text(nodes[0]):
            return None  # words written as the value, neither a PEM nor a path: a test's stand-in (`[]byte("PEM DATA")`)
        written = any(q + strings[0] + q in src.node_text(nodes[0]) for q in QUOTES)  # a literal of the value itself
        if is_test_stand_in(strings[0] if written else None, src.path):
            return None  # in test code, a placeholder path or one bare word written as the value (`CAFile: "ca-file"`)
        return TrustValue(PATH, strings[0])
    return TrustValue(UNKNOWN, src.node_text(nodes[0])[:120] or rule.unknown)
