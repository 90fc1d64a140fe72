"""The JSON document (SPEC's `--format json`) and the summary every format shares."""
from __future__ import annotations

import json
from collections import Counter

from ats_lint import __version__
from ats_lint.model import RunResult
from ats_lint.report import escape
from ats_lint.report.verdict import Verdict, assess
from ats_lint.rules import CATEGORIES


def summary(result: RunResult, verdict: Verdict | None = None) -> dict:
    by_category = Counter(f.category for f in result.findings)
    verdict = verdict or assess(result.findings)
    return {
        "files_scanned": result.files_scanned,
        "findings": len(result.findings),
        "by_category": {c: by_category[c] for c in CATEGORIES if by_category[c]},
        "verdict": verdict.verdict,
        "reasons": list(verdict.reasons),
    }


def baseline_info(file: str, matched: int, stale: list) -> dict:
    """What the reporters say about a baseline in use: its path, accepted findings and stale entries."""
    return {"file": file, "matched": matched, "stale": [{"path": e.path, "rule": e.rule, "fingerprint": e.fingerprint} for e in stale]}


def to_json(result: RunResult, baseline: dict | None = None, verdict: Verdict | None = None) -> str:
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
        "summary": summary(result, verdict),
    }
    # Keys beyond the SPEC shape appear only in the modes that produce them (strict suppressions, baseline).
    if result.unused_suppressions:
        doc["unused_suppressions"] = [
            {"path": u.path, "line": u.line, "column": u.column, "codes": list(u.codes), "message": u.message}
            for u in result.unused_suppressions
        ]
    if baseline is not None:
        doc["baseline"] = baseline
    return escape.json_text(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
