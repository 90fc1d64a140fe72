"""How `check` reports: the output format, colour, the verdict's scope and the rendering of a run.

Follows ruff's conventions: `--output-format` (or `ATS_LINT_OUTPUT_FORMAT`), `--color
auto|always|never` with `NO_COLOR` and `FORCE_COLOR`, `-q` for the findings only.
"""
from __future__ import annotations

import os
from pathlib import Path

FORMATS = ("full", "concise", "text", "json", "sarif", "github", "html", "markdown")  # text: full
FORMAT_ENV = "ATS_LINT_OUTPUT_FORMAT"


class UsageError(Exception):
    """A bad option value; the message is one line."""


def output_format(given: str | None, environ) -> str:
    """`--output-format`, else `ATS_LINT_OUTPUT_FORMAT`, else `full`."""
    value = given or environ.get(FORMAT_ENV, "").strip() or "full"
    if value not in FORMATS:
        raise UsageError(f"{FORMAT_ENV}={value!r} is not an output format (choose from {', '.join(FORMATS)})")
    return "full" if value == "text" else value


def use_color(choice: str, stream, to_file: bool, environ) -> bool:
    """`always`/`never` win; `auto`: not with NO_COLOR, yes with FORCE_COLOR, else on a terminal."""
    if choice == "always":
        return True
    if choice == "never" or to_file:
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def scope_of(args, selected: set[str], result, cwd: Path, environ):
    """What this run looked at, for the verdict (`report.verdict.Scope`)."""
    from ats_lint.report.verdict import ENDPOINT_RULES, WITHOUT_ATS_RULES, Scope, unread_files

    verdict_rules = ENDPOINT_RULES + ("ATS201",) + WITHOUT_ATS_RULES
    left_out = tuple(sorted(r for r in verdict_rules if r not in selected))
    named = 0
    if args.since is None:
        named = sum(1 for p in args.paths if str(p) == "-" or (cwd / p).is_file())
    hook = environ.get("PRE_COMMIT") == "1"
    if hook:
        named = max(named, len(result.considered))
    return Scope(rules_left_out=left_out, since=args.since, files_named=named, hook=hook, unread=unread_files(result.errors))


def render(fmt: str, result, cwd: Path, verdict, info, *, origin=None, color: bool = False, quiet: bool = False, statistics: bool = False):
    """The report text, and a note for stderr (or None)."""
    if statistics:
        from ats_lint.report.statistics import to_statistics

        return to_statistics(result, as_json=fmt == "json"), None
    if fmt == "json":
        from ats_lint.report.json_doc import to_json

        return to_json(result, baseline=info, verdict=verdict), None
    if fmt == "sarif":
        from ats_lint.report.sarif import sarif_report

        report = sarif_report(result, cwd, verdict=verdict, origin=origin)
        note = None
        if report.omitted:
            note = (f"ats-lint: SARIF: {report.omitted} of {report.omitted + report.kept} results left out to stay within "
                    "GitHub code scanning's limits (the most severe are kept; the run's notifications say so)")
        return report.text, note
    if fmt == "github":
        from ats_lint.report.github import to_github

        return to_github(result, cwd=cwd, origin=origin), None
    if fmt == "markdown":
        from ats_lint.report.markdown import to_markdown

        return to_markdown(result, verdict=verdict, baseline=info), None
    if fmt == "html":
        from ats_lint.report.html import to_html

        return to_html(result, cwd, verdict=verdict, baseline=info, origin=origin, command=_command()), None
    from ats_lint.report.text import to_text

    return to_text(result, color=color, baseline=info, verdict=verdict, concise=fmt == "concise", quiet=quiet), None


def _command() -> str:
    import shlex
    import sys

    args = sys.argv[1:]
    return "ats-lint " + " ".join(shlex.quote(a) for a in args)


def fix_bundles(result, cwd: Path, diff: bool, say, storepass: str = "changeit") -> tuple[bool, list[str]]:
    """`check --fix`: fix each bundle file behind an ATS202 finding (or, with `diff`, only show how).

    Returns (a bundle needs or got a fix, the diffs). `say(line)` reports on stderr. The bundle is
    named by its normalised path, with every place that flagged it.
    """
    from ats_lint.report.escape import path as shown_path
    from ats_lint.trust.fix import BundleFixError, apply, plan

    bundles: dict[Path, list[str]] = {}
    for f in result.findings:
        if f.rule == "ATS202" and f.data.get("bundle_file"):
            bundle = Path(os.path.normpath(cwd / f.data["bundle_file"]))
            where = f"{shown_path(f.path)}:{f.line}"
            if where not in bundles.setdefault(bundle, []):
                bundles[bundle].append(where)
    needed, diffs = False, []
    for bundle, where in sorted(bundles.items()):
        shown = shown_path(display(bundle, cwd))
        try:
            fix = plan(bundle, storepass)
            if diff:
                if fix.needed:
                    diffs.append(fix.diff(display(bundle, cwd)))
            else:
                apply(fix)
        except BundleFixError as exc:
            say(f"ats-lint: fix: cannot fix {shown} (flagged at {', '.join(where)}): {exc}")
            continue
        if fix.needed:
            needed = True
            verb = "would add" if diff else "added"
            say(f"ats-lint: fix: {shown}: {verb} {', '.join(fix.added)} (flagged at {', '.join(where)})")
    return needed, diffs


def display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(Path(os.path.normpath(cwd.absolute()))).as_posix()
    except ValueError:
        return path.as_posix()
