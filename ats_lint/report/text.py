"""The text formats: `full` (ruff-style lines, each rule's help once, summary and verdict) and
`concise` (one line per finding). Returns a string; the CLI writes it.

Everything from the scanned tree goes through `report.escape`: a file name or a scanned string
can neither start a line of its own nor send a terminal control sequence.
"""
from __future__ import annotations

from collections import Counter

from ats_lint.model import RunResult
from ats_lint.report import escape
from ats_lint.report.verdict import AT_RISK, READY, Verdict, assess
from ats_lint.rules import all_rules

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "bold": "\033[1m", "dim": "\033[2m", "ready": "\033[32m", "reset": "\033[0m"}


def fixable(result: RunResult) -> int:
    """Findings that `ats-lint check --fix` would fix (ATS202 on a bundle file of the tree)."""
    return sum(1 for f in result.findings if f.rule == "ATS202" and f.data.get("bundle_file"))


def _n(count: int, what: str, plural: str | None = None) -> str:
    return f"{count} {what if count == 1 else plural or what + 's'}"


def to_text(result: RunResult, color: bool = False, baseline: dict | None = None, verdict: Verdict | None = None,
            concise: bool = False, quiet: bool = False) -> str:
    """`concise`: one line per finding, no help; `quiet`: the findings and nothing else."""
    def c(name: str, text: str) -> str:
        return f"{_COLORS[name]}{text}{_COLORS['reset']}" if color else text

    rules = all_rules()
    lines = []
    helped: set[str] = set()
    for f in result.findings:
        lines.append(f"{c('bold', escape.path(f.path) + f':{f.line}:{f.column}:')} {c(f.severity, f.rule)} {escape.visible(f.message)}")
        if not concise and not quiet and f.rule not in helped:
            helped.add(f.rule)
            lines.append(f"  {c('dim', 'help:')} {rules[f.rule].help} (more: `ats-lint rule {f.rule}`)")
    for u in result.unused_suppressions:
        lines.append(f"{c('bold', escape.path(u.path) + f':{u.line}:{u.column}:')} {c('warning', 'unused-suppression')} {escape.visible(u.message)}")
    if quiet:
        return "\n".join(lines) + "\n" if lines else ""
    for e in result.errors:
        lines.append(f"{c('bold', escape.path(e.path) + ':')} {c('dim', 'error[' + e.kind + ']')} {escape.visible(e.message)}")
    if concise:
        n = len(result.findings)
        lines.append(f"Found {_n(n, 'finding')}." if n else "All checks passed!" if not result.errors else "No findings.")
        return "\n".join(lines) + "\n"
    lines += _summary(result, c)
    if baseline is not None:
        m = baseline["matched"]
        lines.append(f"Baseline {escape.visible(baseline['file'])}: {_n(m, 'known finding')} not shown.")
        for e in baseline["stale"]:
            lines.append(f"{c('dim', 'stale baseline entry:')} {escape.path(e['path'])} {e['rule']} {e['fingerprint']}")
        if baseline["stale"]:
            k = len(baseline["stale"])
            lines.append(f"{_n(k, 'baseline entry', 'baseline entries')} no longer match; rewrite the baseline with --write-baseline to drop {'them' if k != 1 else 'it'}.")
    verdict = verdict or assess(result.findings)
    tone = {AT_RISK: "error", READY: "ready"}.get(verdict.verdict, "warning")
    if verdict.scope.hook:  # a hook run says at most one line about the verdict
        lines.append(f"{c('bold', 'Verdict:')} {c(tone, escape.visible(verdict.one_line()))}")
    else:
        lines.append(f"{c('bold', 'Verdict:')} {c(tone, verdict.label)}")
        lines.extend(f"  - {escape.visible(reason)}" for reason in verdict.reasons)
    return "\n".join(lines) + "\n"


def _summary(result: RunResult, c) -> list[str]:
    severities = Counter(f.severity for f in result.findings)
    n = len(result.findings)
    scanned = result.files_scanned
    lines = []
    if n:
        detail = ", ".join(f"{_n(severities[s], s)}" for s in ("error", "warning", "note") if severities[s])
        with_findings = len({f.path for f in result.findings})
        lines.append(f"Found {_n(n, 'finding')} ({detail}) in {with_findings} of {_n(scanned, 'scanned file')}.")
        k = fixable(result)
        if k:
            lines.append(f"{k} fixable with `ats-lint check --fix` (preview: `ats-lint check --fix --diff`).")
    else:
        lines.append(f"No findings in {_n(scanned, 'scanned file')}.")
    if result.unused_suppressions:
        lines.append(f"{_n(len(result.unused_suppressions), 'unused suppression')} (listed above).")
    if result.errors:
        lines.append(f"{_n(len(result.errors), 'file')} could not be fully scanned (listed above).")
    return lines
