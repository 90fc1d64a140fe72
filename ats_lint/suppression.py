"""Inline suppressions: `ats-lint: ignore[ATS101]`, bare `ats-lint: ignore`, or `noqa: ATS101`,
in whatever comment syntax the file uses. A bare `noqa` (without ATS codes) does not silence
ats-lint: it is usually there for another linter, and hiding a trust risk by accident is worse
than one extra line to add."""
from __future__ import annotations

import re

from .findings import Finding

_IGNORE_RE = re.compile(r"ats-lint:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]{0,200})\])?", re.I)
_NOQA_RE = re.compile(r"noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+){0,50})", re.I)
ALL = "*"


def suppressions(lines: list[str]) -> dict[int, set[str]]:
    """1-based line number -> suppressed rule ids (or {"*"} for all)."""
    out: dict[int, set[str]] = {}
    for number, line in enumerate(lines, start=1):
        if "ats-lint" not in line and "noqa" not in line.lower():
            continue
        codes: set[str] = set()
        for m in _IGNORE_RE.finditer(line):
            listed = m.group("codes")
            if listed is None or not listed.strip():
                codes.add(ALL)
            else:
                codes.update(c.strip().upper() for c in listed.split(",") if c.strip())
        for m in _NOQA_RE.finditer(line):
            codes.update(c.strip().upper() for c in m.group("codes").split(",") if c.strip().upper().startswith("ATS"))
        if codes:
            out[number] = codes
    return out


def is_suppressed(finding: Finding, table: dict[int, set[str]]) -> bool:
    for line in {finding.line, finding.end_line}:
        codes = table.get(line)
        if codes and (ALL in codes or any(finding.rule.startswith(c) for c in codes)):
            return True
    return False
