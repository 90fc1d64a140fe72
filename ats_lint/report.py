"""Reporters: turn a RunResult into text. They return strings; the CLI writes them."""
from __future__ import annotations

import json
from collections import Counter

from . import __version__
from .engine import RunResult
from .rules import CATEGORIES, all_rules

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "bold": "\033[1m", "dim": "\033[2m", "reset": "\033[0m"}


def summary(result: RunResult) -> dict:
    by_category = Counter(f.category for f in result.findings)
    return {
        "files_scanned": result.files_scanned,
        "findings": len(result.findings),
        "by_category": {c: by_category[c] for c in CATEGORIES if by_category[c]},
    }


def to_json(result: RunResult) -> str:
    doc = {
        "tool": "ats-lint",
        "version": __version__,
        "findings": [
            {
                "rule": f.rule,
                "category": f.category,
                "severity": f.severity,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "end_line": f.end_line,
                "end_column": f.end_column,
                "message": f.message,
                "remediation": f.remediation,
                "faq": f.faq,
                "help_url": f.help_url,
                "fingerprint": f.fingerprint,
            }
            for f in result.findings
        ],
        "errors": [{"path": e.path, "kind": e.kind, "message": e.message} for e in result.errors],
        "summary": summary(result),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_text(result: RunResult, color: bool = False) -> str:
    def c(name: str, text: str) -> str:
        return f"{_COLORS[name]}{text}{_COLORS['reset']}" if color else text

    rules = all_rules()
    lines = []
    for f in result.findings:
        lines.append(f"{c('bold', f'{f.path}:{f.line}:{f.column}:')} {c(f.severity, f.rule)} {f.message}")
        lines.append(f"  {c('dim', 'help:')} {rules[f.rule].help}")
    for e in result.errors:
        lines.append(f"{c('bold', e.path + ':')} {c('dim', 'error[' + e.kind + ']')} {e.message}")
    severities = Counter(f.severity for f in result.findings)
    n = len(result.findings)
    files = result.files_scanned
    if n:
        detail = ", ".join(f"{severities[s]} {s}{'s' if severities[s] != 1 else ''}" for s in ("error", "warning", "note") if severities[s])
        lines.append(f"Found {n} finding{'s' if n != 1 else ''} ({detail}) in {files} file{'s' if files != 1 else ''}.")
    else:
        lines.append(f"No findings in {files} file{'s' if files != 1 else ''}.")
    if result.errors:
        k = len(result.errors)
        lines.append(f"{k} file{'s' if k != 1 else ''} could not be fully scanned (listed above).")
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    rows = ["| Rule | Name | Category | Severity | What it flags |", "|---|---|---|---|---|"]
    for rule in all_rules().values():
        rows.append(f"| [{rule.id}]({rule.help_url}) | {rule.name} | `{rule.category}` | {rule.severity} | {rule.summary} |")
    return "\n".join(rows) + "\n"
