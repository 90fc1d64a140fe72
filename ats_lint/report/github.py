"""GitHub Actions workflow commands (`--format github`): one annotation per finding."""
from __future__ import annotations

from ats_lint.model import RunResult
from ats_lint.report.escape import visible
from ats_lint.rules import all_rules

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _gh_data(text: str) -> str:
    """Escape a workflow command's message (after `::`); `\n` is GitHub's line break in it."""
    return "%0A".join(visible(line).replace("%", "%25") for line in text.split("\n"))


def _gh_property(text: str) -> str:
    """Escape a workflow command's property value (file=, title=, ...): nothing from the tree ends it."""
    return visible(text).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")


def to_github(result: RunResult, cwd=None, origin=None) -> str:
    """GitHub Actions workflow commands: one annotation per finding, unused suppression and error.

    With `origin` (`report.origin.Origin`), `file=` is relative to the repository root, as the
    runner resolves it; otherwise the display path.
    """
    def where(path: str) -> str:
        rel = origin.relative(path, cwd) if origin is not None and cwd is not None else None
        return _gh_property(rel if rel is not None else path)

    rules = all_rules()
    lines = []
    for f in result.findings:
        props = f"file={where(f.path)},line={f.line},col={f.column},endLine={f.end_line}"
        if f.end_line == f.line and f.end_column > f.column:
            props += f",endColumn={f.end_column}"
        props += f",title={_gh_property(f.rule)}"
        text = f"{visible(f.message)}\nhelp: {rules[f.rule].help}\n{rules[f.rule].help_url}"
        lines.append(f"::{_GITHUB_LEVEL.get(f.severity, 'warning')} {props}::{_gh_data(text)}")
    for u in result.unused_suppressions:
        lines.append(f"::warning file={where(u.path)},line={u.line},col={u.column},title=unused-suppression::{_gh_data(visible(u.message))}")
    for e in result.errors:
        lines.append(f"::warning file={where(e.path)},title={_gh_property('ats-lint ' + e.kind)}::{_gh_data(visible(e.message))}")
    n = len(result.findings)
    lines.append(f"ats-lint: {n} finding{'s' if n != 1 else ''} in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- statistics
