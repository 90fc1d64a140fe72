"""Reporters: turn a RunResult into text. They return strings; the CLI writes them."""
from __future__ import annotations

import json
from collections import Counter

from . import __version__
from .engine import RunResult
from .rules import CATEGORIES, all_rules
from .verdict import AT_RISK, READY, Verdict, assess

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "bold": "\033[1m", "dim": "\033[2m", "ready": "\033[32m", "reset": "\033[0m"}


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
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_text(result: RunResult, color: bool = False, baseline: dict | None = None, verdict: Verdict | None = None) -> str:
    def c(name: str, text: str) -> str:
        return f"{_COLORS[name]}{text}{_COLORS['reset']}" if color else text

    rules = all_rules()
    lines = []
    for f in result.findings:
        lines.append(f"{c('bold', f'{f.path}:{f.line}:{f.column}:')} {c(f.severity, f.rule)} {f.message}")
        lines.append(f"  {c('dim', 'help:')} {rules[f.rule].help}")
    for u in result.unused_suppressions:
        lines.append(f"{c('bold', f'{u.path}:{u.line}:{u.column}:')} {c('warning', 'unused-suppression')} {u.message}")
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
    if result.unused_suppressions:
        k = len(result.unused_suppressions)
        lines.append(f"{k} unused suppression{'s' if k != 1 else ''} (listed above).")
    if result.errors:
        k = len(result.errors)
        lines.append(f"{k} file{'s' if k != 1 else ''} could not be fully scanned (listed above).")
    if baseline is not None:
        m = baseline["matched"]
        lines.append(f"Baseline {baseline['file']}: {m} known finding{'s' if m != 1 else ''} not shown.")
        for e in baseline["stale"]:
            lines.append(f"{c('dim', 'stale baseline entry:')} {e['path']} {e['rule']} {e['fingerprint']}")
        if baseline["stale"]:
            k = len(baseline["stale"])
            lines.append(f"{k} baseline entr{'ies' if k != 1 else 'y'} no longer match; rewrite the baseline with --write-baseline to drop {'them' if k != 1 else 'it'}.")
    verdict = verdict or assess(result.findings)
    tone = {AT_RISK: "error", READY: "ready"}.get(verdict.verdict, "warning")
    lines.append(f"{c('bold', 'Verdict:')} {c(tone, verdict.label)}")
    lines.extend(f"  - {reason}" for reason in verdict.reasons)
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    rows = ["| Rule | Name | Category | Severity | What it flags |", "|---|---|---|---|---|"]
    for rule in all_rules().values():
        rows.append(f"| [{rule.id}]({rule.help_url}) | {rule.name} | `{rule.category}` | {rule.severity} | {rule.summary} |")
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- GitHub Actions

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _gh_data(text: str) -> str:
    """Escape a workflow command's message (after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """Escape a workflow command's property value (file=, title=, ...)."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result: RunResult) -> str:
    """GitHub Actions workflow commands: one annotation per finding, unused suppression and error."""
    rules = all_rules()
    lines = []
    for f in result.findings:
        props = f"file={_gh_property(f.path)},line={f.line},col={f.column},endLine={f.end_line}"
        if f.end_line == f.line and f.end_column > f.column:
            props += f",endColumn={f.end_column}"
        props += f",title={_gh_property(f.rule)}"
        text = f"{f.message}\nhelp: {rules[f.rule].help}\n{rules[f.rule].help_url}"
        lines.append(f"::{_GITHUB_LEVEL.get(f.severity, 'warning')} {props}::{_gh_data(text)}")
    for u in result.unused_suppressions:
        lines.append(f"::warning file={_gh_property(u.path)},line={u.line},col={u.column},title=unused-suppression::{_gh_data(u.message)}")
    for e in result.errors:
        lines.append(f"::warning file={_gh_property(e.path)},title={_gh_property('ats-lint ' + e.kind)}::{_gh_data(e.message)}")
    n = len(result.findings)
    lines.append(f"ats-lint: {n} finding{'s' if n != 1 else ''} in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- statistics

def statistics(result: RunResult) -> list[dict]:
    """Findings per rule, most frequent first (then by rule id), as `ruff --statistics` counts them."""
    rules = all_rules()
    counts = Counter(f.rule for f in result.findings)
    return [{"code": rule, "name": rules[rule].name, "count": n} for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def to_statistics(result: RunResult, as_json: bool = False) -> str:
    rows = statistics(result)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    width = len(str(rows[0]["count"]))
    return "".join(f"{r['count']:>{width}}\t{r['code']}\t{r['name']}\n" for r in rows)


# --------------------------------------------------------------------------- Markdown

MARKDOWN_MAX_FINDINGS = 100  # a pull-request comment holds at most 65536 characters


def _md(text: str) -> str:
    """Text from the scanned tree, safe inside a Markdown table cell or list item."""
    import html

    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|").replace("`", "\\`")


def _md_code(text: str) -> str:
    return "<code>" + _md(text).replace("\\`", "`") + "</code>"


def to_markdown(result: RunResult, verdict: Verdict | None = None, baseline: dict | None = None) -> str:
    """A summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: verdict, counts, findings."""
    verdict = verdict or assess(result.findings)
    icon = {AT_RISK: "🔴", READY: "🟢"}.get(verdict.verdict, "🟡")
    n, files = len(result.findings), result.files_scanned
    out = [f"## {icon} ats-lint: {verdict.label}", ""]
    out.append(f"**Verdict: {verdict.label}** — {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} scanned.")
    out.append("")
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
        out.append(f"Baseline `{_md(baseline['file'])}`: {baseline['matched']} known finding{'s' if baseline['matched'] != 1 else ''} not listed; {len(baseline['stale'])} stale entr{'ies' if len(baseline['stale']) != 1 else 'y'}.")
        out.append("")
    return "\n".join(out)
