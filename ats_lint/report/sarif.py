"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). Returns a string; the CLI writes it.

- `tool.driver.rules` holds every rule with its documentation from the rule YAML (the same text
  as `ats-lint explain`), `helpUri`, tags (including the SPEC category) and `security-severity`.
- Each result has `ruleId`, `ruleIndex`, `level`, a message with the remediation hint, a location
  relative to `%SRCROOT%` (the repository root: the git top level, else the scan root) with a
  full region, and `partialFingerprints`
  taken from the finding's fingerprint, which has no line number: alerts stay the same across runs
  when lines move.
- Files that could not be scanned become `toolExecutionNotifications`; unused suppressions (only
  reported under `strict-suppressions`) are results of the pseudo-rule `unused-suppression`.
- A note (ATS201 on a bundle that already holds an ATS root) is a result of the rule's
  informational form `ATS201/note`, without `security-severity`: not a Medium security alert.
- GitHub's limits hold (results per run, tags per rule, compressed size): the most severe results
  come first and are the ones kept; what was left out is a run notification (and, from the CLI,
  a line on stderr).
- The repository verdict (`ats_lint.verdict`) is in the run's `properties` as `verdict` and `reasons`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ats_lint import __version__
from ats_lint.model import RunResult
from ats_lint.report import escape
from ats_lint.rules import all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ats-lint/ats-lint"
SRCROOT = "%SRCROOT%"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
# GitHub maps security-severity to critical (>=9), high (>=7), medium (>=4) and low.
_SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "note": "2.0"}
UNUSED_SUPPRESSION_ID = "unused-suppression"
NOTE_SUFFIX = "note"  # `ATS201/note`: the informational form of a rule (see `_note_descriptor`)


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
            "tags": ["security", "tls", "amazon-trust-services", rule.category][:MAX_TAGS],
            "category": rule.category,
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _note_descriptor(rule) -> dict:
    """The informational form of `rule`: its notes (the trust store already holds ATS) are not alerts."""
    return {
        "id": f"{rule.id}/{NOTE_SUFFIX}",
        "name": "".join(part.capitalize() for part in rule.name.replace("_", "-").split("-")) + "Informational",
        "shortDescription": {"text": f"{rule.summary} (informational: already trusts Amazon Trust Services)"},
        "fullDescription": {"text": " ".join(rule.what.split())},
        "help": {"text": rule.explain(), "markdown": rule.explain()},
        "helpUri": rule.help_url,
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["informational", "amazon-trust-services", rule.category], "category": rule.category, "precision": "high"},
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


# GitHub code scanning's documented limits ("SARIF support for code scanning"): at most 25,000
# results per run (only the top 5,000 by severity are shown), 25,000 rules, 20 tags per rule (10
# shown), 1,000 locations per result, and 10 MB for the gzip-compressed file. ats-lint keeps the
# most severe results within them and says what it left out.
MAX_RESULTS = 25_000
MAX_TAGS = 10
MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_MESSAGE_CHARS = 2_000
_RANK = {"error": 0, "warning": 1, "note": 2}


@dataclass
class SarifReport:
    text: str
    omitted: int  # results left out to stay within the limits
    kept: int


def _result_location(path: str, cwd: Path, origin) -> dict:
    rel = origin.relative(path, cwd) if origin is not None else None
    if rel is not None:
        return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}
    return _artifact(path)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + " …"


def to_sarif(result: RunResult, cwd: Path, verdict=None, origin=None, max_results: int = MAX_RESULTS,
             max_gzip_bytes: int = MAX_GZIP_BYTES) -> str:
    return sarif_report(result, cwd, verdict, origin, max_results, max_gzip_bytes).text


def sarif_report(result: RunResult, cwd: Path, verdict=None, origin=None, max_results: int = MAX_RESULTS,
                 max_gzip_bytes: int = MAX_GZIP_BYTES) -> SarifReport:
    """The SARIF log and how many results were left out to stay within GitHub's limits.

    `origin` (`report.origin.Origin`) gives the repository root that locations are relative to;
    without it, the working directory.
    """
    import gzip

    from ats_lint.report.verdict import assess

    verdict = verdict or assess(result.findings)
    rules = list(all_rules().values())
    descriptors = [_rule_descriptor(r) for r in rules]
    index = {r.id: i for i, r in enumerate(rules)}
    notes_of: dict[str, int] = {}  # rule id -> index of its informational descriptor
    ranked = []  # (rank, order, result)
    for order, f in enumerate(result.findings):
        rule = all_rules()[f.rule]
        level = _LEVEL.get(f.severity or rule.severity, "warning")
        rule_id, rule_index = f.rule, index[f.rule]
        if level == "note" and rule.severity != "note":
            # A note ("this bundle already trusts ATS") is not a vulnerability: it gets a descriptor of
            # its own (a SARIF hierarchical id) with no `security` tag and no security-severity.
            if f.rule not in notes_of:
                notes_of[f.rule] = len(descriptors)
                descriptors.append(_note_descriptor(rule))
            rule_id, rule_index = f"{f.rule}/{NOTE_SUFFIX}", notes_of[f.rule]
        region = {"startLine": f.line, "startColumn": f.column}
        if f.end_line >= f.line:
            region["endLine"] = f.end_line
            if f.end_column >= 1 and (f.end_line > f.line or f.end_column > f.column):
                region["endColumn"] = f.end_column
        ranked.append((_RANK.get(level, 1), order, {
            "ruleId": rule_id,
            "ruleIndex": rule_index,
            "level": level,
            "message": {"text": f"{_cut(f.message)}\nHelp: {rule.help}"},
            "locations": [{"physicalLocation": {"artifactLocation": _result_location(f.path, cwd, origin), "region": region}}],
            "partialFingerprints": {"primaryLocationLineHash": f.fingerprint, "atsLintFingerprint/v1": f.fingerprint},
            "properties": {"category": f.category, "severity": f.severity},
        }))
    if result.unused_suppressions:
        descriptors.append(_unused_descriptor())
        for order, u in enumerate(result.unused_suppressions, start=len(ranked)):
            ranked.append((3, order, {
                "ruleId": UNUSED_SUPPRESSION_ID,
                "ruleIndex": len(descriptors) - 1,
                "level": "warning",
                "message": {"text": _cut(u.message)},
                "locations": [{"physicalLocation": {"artifactLocation": _result_location(u.path, cwd, origin),
                                                    "region": {"startLine": u.line, "startColumn": u.column}}}],
            }))
    ranked.sort(key=lambda item: (item[0], item[1]))  # the most severe first, then report order
    notifications = [
        {
            "level": "warning",
            "message": {"text": _cut(f"{e.kind}: {e.message}")},
            "descriptor": {"id": e.kind},
            "locations": [{"physicalLocation": {"artifactLocation": _result_location(e.path, cwd, origin)}}],
        }
        for e in result.errors
    ]
    root = origin.root if origin is not None else cwd.absolute()
    root_uri = root.as_uri()
    keep = min(len(ranked), max_results)
    while True:
        results = [item[2] for item in ranked[:keep]]
        omitted = len(ranked) - keep
        extra = []
        if omitted:
            counts = {level: sum(1 for item in ranked[keep:] if item[2]["level"] == level) for level in ("error", "warning", "note")}
            detail = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
            extra.append({
                "level": "warning",
                "message": {"text": f"{omitted} of {len(ranked)} results left out ({detail}) to stay within GitHub code scanning's "
                                    f"limits (at most {max_results} results and {max_gzip_bytes // (1024 * 1024)} MB compressed); "
                                    "the most severe are kept: run `ats-lint check --format json` for all of them"},
                "descriptor": {"id": "results-truncated"},
            })
        log = _log(descriptors, root_uri, notifications + extra, results, verdict)
        text = escape.json_text(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
        if keep == 0 or len(gzip.compress(text.encode("utf-8"), compresslevel=6)) <= max_gzip_bytes:
            return SarifReport(text, omitted, keep)
        keep = keep * 3 // 4


def _log(descriptors: list, root_uri: str, notifications: list, results: list, verdict) -> dict:
    return {
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
