"""Conditions on where a text pattern matched, beyond its regex: inside a block that switches it off,
a value the file only sets to nothing, a value the caller hands in, a YAML key under a section named
for a server (rules/text.yaml `unless_in`, `unless_bound`, `unless_param`, `unless_under`). Comments
are already blanked in the text they read."""
from __future__ import annotations

import re


def match_value(m: re.Match) -> str | None:
    """The value a match captured: its `value` group, or `value2` where the pattern has two forms."""
    for group in ("value", "value2"):
        if group in m.re.groupindex and m.group(group) is not None:
            return m.group(group)
    return None


def inside_block(body: str, start: int, unless_in) -> bool:
    """Does the match at `start` sit inside an open/close block whose text matches `contains`?"""
    open_re, close_re, contains_re = unless_in
    opened = None
    for m in open_re.finditer(body, 0, start):
        opened = m
    if opened is None:
        return False
    closed_before = close_re.search(body, opened.end(), start)
    if closed_before is not None:
        return False
    close = close_re.search(body, start)
    block = body[opened.start(): close.end() if close else len(body)]
    return contains_re.search(block) is not None


_NAME = re.compile(r"[A-Za-z_]\w{0,100}")
# the first name of a value, past a C cast (`(const char *)x`, `reinterpret_cast<const char *>(x)`) and `&`
_LEADING_NAME = re.compile(r"[ \t]{0,20}(?:\([\w \t*:]{1,60}\)[ \t]{0,20}|(?:reinterpret|static|const)_cast[ \t]{0,5}<[^<>\n]{1,80}>[ \t]{0,5}\([ \t]{0,20})?&?[ \t]{0,20}([A-Za-z_]\w{0,100})")
# the header of a function whose body a `{` opens: `name(params)`, then qualifiers (not `if (x) {`)
_SIGNATURE = re.compile(r"(?<![\w.>])(?!(?:if|for|while|switch|catch|return|sizeof)\b)[A-Za-z_]\w{0,100}[ \t]{0,20}\(([^(){};]{0,1000})\)[ \t\r\n]{0,200}(?:(?:const|override|noexcept|final)[ \t\r\n]{1,50}){0,4}$")
_PARAM_LOOKBACK = 20000
# the names a value reads: the first name of each member chain, not a called function's name
# (`MQTTStrdup(options->ssl->trustStore)` reads `options`)
_ROOT_NAMES = re.compile(r"(?<![\w.>$])([A-Za-z_]\w{0,100})(?![\w(])")
_C_WORDS = frozenset({"const", "char", "unsigned", "signed", "int", "uint8_t", "void", "struct", "NULL", "nullptr", "true", "false"})


def handed_in(body: str, m: re.Match) -> bool:
    """Is the match's `value` the caller's: a `this->` member, or does it read (by its first name, or
    the first name of any member chain in it) a parameter of a function that encloses the match (`void setFingerprint(const char* fp) { client->setFingerprint(fp); }`)?
    Braces are counted back from the match; comments are already blanked."""
    value = match_value(m)
    if value is None:
        return False
    if value.lstrip().startswith("this->"):
        return True
    names = set(_ROOT_NAMES.findall(value)) - _C_WORDS
    lead = _LEADING_NAME.match(value)
    if lead is not None:
        names.add(lead.group(1))
    if not names:
        return False
    depth, i = 0, m.start()
    stop = max(0, i - _PARAM_LOOKBACK)
    while i > stop:
        i -= 1
        c = body[i]
        if c == "}":
            depth += 1
        elif c == "{":
            if depth:
                depth -= 1
                continue
            sig = _SIGNATURE.search(body, max(0, i - 1200), i)
            if sig is not None and any(_declares(part, name) for part in sig.group(1).split(",") for name in names):
                return True
    return False


def _declares(param: str, name: str) -> bool:
    """Does one C/C++ parameter declaration (`const char* fp = NULL`) declare `name`?"""
    decl = param.split("=", 1)[0].strip()
    words = re.findall(r"[A-Za-z_]\w*", decl)
    return len(words) >= 2 and words[-1] == name


def bound_only_to(body: str, m: re.Match, values: re.Pattern) -> bool:
    """Is the match's `value` a plain name that the file assigns only values matching `values`
    (`const char *fingerprint = NULL;` and nothing else: the setting is never given one)?"""
    name = match_value(m)
    if name is None or not _NAME.fullmatch(name.strip()):
        return False
    assigned = re.compile(r"(?<![\w.>])" + re.escape(name.strip()) + r"[ \t]{0,20}=(?!=)[ \t]{0,20}([^;\n]{0,300})")
    found = [a.group(1).strip() for a in assigned.finditer(body)]
    return bool(found) and all(values.fullmatch(v) for v in found)


_YAML_KEY = re.compile(r"[ \t]{0,200}(?:-[ \t]{1,10})?[\"']?([\w.-]{1,100})[\"']?[ \t]{0,20}:(?:[ \t]|$)")
_MAX_LINES_UP = 400


def yaml_ancestors(body: str, start: int) -> list[str]:
    """The keys of the YAML mappings that hold the line at `start`, nearest first (`tls`, `listener`,
    ... of a `caFile:` under `listener: tls:`), found by indentation (a `- ` item marker counts as
    indentation of its first key)."""
    line_start = body.rfind("\n", 0, start) + 1
    indent = _indent(body[line_start:body.find("\n", line_start) if "\n" in body[line_start:] else len(body)])
    keys: list[str] = []
    at, steps = line_start, 0
    while at > 0 and indent > 0 and steps < _MAX_LINES_UP:
        prev = body.rfind("\n", 0, at - 1) + 1
        line = body[prev:at - 1].rstrip("\r")
        at, steps = prev, steps + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        level = _indent(line)
        if level < indent:
            m = _YAML_KEY.match(line)
            if m is not None:
                keys.append(m.group(1))
            indent = level
    return keys


def _indent(line: str) -> int:
    """Columns before a line's first key (spaces, and a list item's `- `)."""
    stripped = line.lstrip(" \t")
    level = len(line) - len(stripped)
    while stripped.startswith("- "):
        rest = stripped[2:].lstrip(" ")
        level += len(stripped) - len(rest)
        stripped = rest
    return level
