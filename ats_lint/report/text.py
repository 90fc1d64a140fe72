"""The default text format: ruff-style lines, help, summary and verdict. Returns a string; the CLI writes it."""
from __future__ import annotations

from collections import Counter

from ats_lint.model import RunResult
from ats_lint.report.verdict import AT_RISK, READY, Verdict, assess
from ats_lint.rules import all_rules

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "bold": "\033[1m", "dim": "\033[2m", "ready": "\033[32m", "reset": "\033[0m"}


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
