"""GitHub Actions workflow commands (`--format github`): one annotation per finding."""
from __future__ import annotations

from ats_lint.model import RunResult
from ats_lint.rules import all_rules

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
