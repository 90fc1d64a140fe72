"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). Returns a string; the CLI writes it.

- `tool.driver.rules` holds every rule with its documentation from the rule YAML (the same text
  as `ats-lint explain`), `helpUri`, tags (including the SPEC category) and `security-severity`.
- Each result has `ruleId`, `ruleIndex`, `level`, a message with the remediation hint, a location
  relative to `%SRCROOT%` (the working directory) with a full region, and `partialFingerprints`
  taken from the finding's fingerprint, which has no line number: alerts stay the same across runs
  when lines move.
- Files that could not be scanned become `toolExecutionNotifications`; unused suppressions (only
  reported under `strict-suppressions`) are results of the pseudo-rule `unused-suppression`.
- The repository verdict (`ats_lint.verdict`) is in the run's `properties` as `verdict` and `reasons`.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from ats_lint import __version__
from ats_lint.model import RunResult
from ats_lint.rules import all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ats-lint/ats-lint"
SRCROOT = "%SRCROOT%"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
# GitHub maps security-severity to critical (>=9), high (>=7), medium (>=4) and low.
_SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "note": "2.0"}
UNUSED_SUPPRESSION_ID = "unused-suppression"


def _artifact(path: str) -> dict:
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _rule_descriptor(rule) -> dict:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.replace("_", "-").split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.what.split())},
        "help": {"text": rule.explain(), "markdown": rule.explain()},
        "helpUri": rule.help_url,
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", "tls", "amazon-trust-services", rule.category],
            "category": rule.category,
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _unused_descriptor() -> dict:
    text = "A suppression comment (`ats-lint: ignore` or `noqa: ATS...`) that silences no finding."
    return {
        "id": UNUSED_SUPPRESSION_ID,
        "name": "UnusedSuppression",
        "shortDescription": {"text": "Unused suppression comment"},
        "fullDescription": {"text": text},
        "help": {"text": text + " Remove it, or the codes it lists that match nothing.", "markdown": text + " Remove it, or the codes it lists that match nothing."},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["maintainability"]},
    }


def to_sarif(result: RunResult, cwd: Path, verdict=None) -> str:
    from ats_lint.report.verdict import assess

    verdict = verdict or assess(result.findings)
    rules = list(all_rules().values())
    descriptors = [_rule_descriptor(r) for r in rules]
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in result.findings:
        rule = all_rules()[f.rule]
        region = {"startLine": f.line, "startColumn": f.column}
        if f.end_line >= f.line:
            region["endLine"] = f.end_line
            if f.end_column >= 1 and (f.end_line > f.line or f.end_column > f.column):
                region["endColumn"] = f.end_column
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL.get(f.severity or rule.severity, "warning"),
            "message": {"text": f"{f.message}\nHelp: {rule.help}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.path), "region": region}}],
            "partialFingerprints": {"primaryLocationLineHash": f.fingerprint, "atsLintFingerprint/v1": f.fingerprint},
            "properties": {"category": f.category},
        })
    if result.unused_suppressions:
        descriptors.append(_unused_descriptor())
        for u in result.unused_suppressions:
            results.append({
                "ruleId": UNUSED_SUPPRESSION_ID,
                "ruleIndex": len(descriptors) - 1,
                "level": "warning",
                "message": {"text": u.message},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(u.path),
                                                    "region": {"startLine": u.line, "startColumn": u.column}}}],
            })
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"{e.kind}: {e.message}"},
            "descriptor": {"id": e.kind},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(e.path)}}],
        }
        for e in result.errors
    ]
    root_uri = cwd.absolute().as_uri()
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ats-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}},
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {"verdict": verdict.verdict, "reasons": list(verdict.reasons)},
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
