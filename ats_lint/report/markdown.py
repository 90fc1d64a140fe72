"""`--format markdown`: the verdict, counts and first findings for a job summary or a PR comment."""
from __future__ import annotations

from collections import Counter

from ats_lint.model import RunResult
from ats_lint.report import escape
from ats_lint.report.statistics import statistics
from ats_lint.report.verdict import AT_RISK, READY, Verdict, assess
from ats_lint.rules import CATEGORIES, all_rules

MARKDOWN_MAX_FINDINGS = 100  # a pull-request comment holds at most 65536 characters


def _md(text: str) -> str:
    """Text from the scanned tree, rendered as itself in a Markdown table cell or list item."""
    return escape.markdown_with_code(text)


def _md_code(text: str) -> str:
    return "<code>" + escape.markdown(text) + "</code>"


def to_markdown(result: RunResult, verdict: Verdict | None = None, baseline: dict | None = None) -> str:
    """A summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: verdict, counts, findings."""
    verdict = verdict or assess(result.findings)
    icon = {AT_RISK: "🔴", READY: "🟢"}.get(verdict.verdict, "🟡")
    n, files = len(result.findings), result.files_scanned
    out = [f"## {icon} ats-lint: {verdict.label}", ""]
    out.append(f"**Verdict: {verdict.label}** — {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} scanned.")
    out.append("")
    if verdict.scope.hook:
        out.append(f"- {_md(verdict.one_line())}")
    else:
        out.extend(f"- {_md(r)}" for r in verdict.reasons)
    out.append("")
    if n:
        cats = Counter((f.category, f.severity) for f in result.findings)
        out += ["| Category | error | warning | note | total |", "|---|---:|---:|---:|---:|"]
        for cat in CATEGORIES:
            row = [cats[(cat, s)] for s in ("error", "warning", "note")]
            if sum(row):
                out.append(f"| `{cat}` | " + " | ".join(str(v) for v in row) + f" | {sum(row)} |")
        out += ["", "| Rule | Name | Findings |", "|---|---|---:|"]
        rules = all_rules()
        out += [f"| [{r['code']}]({rules[r['code']].help_url}) | {r['name']} | {r['count']} |" for r in statistics(result)]
        out += ["", f"<details><summary>Findings ({n})</summary>", "", "| Severity | Rule | Location | Message |", "|---|---|---|---|"]
        for f in result.findings[:MARKDOWN_MAX_FINDINGS]:
            out.append(f"| {f.severity} | {f.rule} | {_md_code(f'{f.path}:{f.line}:{f.column}')} | {_md(f.message)} |")
        if n > MARKDOWN_MAX_FINDINGS:
            out += ["", f"… and {n - MARKDOWN_MAX_FINDINGS} more: run `ats-lint check --format html --output report.html` for the full report."]
        out += ["", "</details>", ""]
    if result.errors:
        k = len(result.errors)
        out.append(f"{k} file{'s' if k != 1 else ''} could not be fully scanned.")
        out.append("")
    if baseline is not None:
        out.append(f"Baseline {_md_code(baseline['file'])}: {baseline['matched']} known finding{'s' if baseline['matched'] != 1 else ''} not listed; {len(baseline['stale'])} stale entr{'ies' if len(baseline['stale']) != 1 else 'y'}.")
        out.append("")
    return "\n".join(out)
