"""The command line. The only module that prints or chooses an exit code.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line on stderr and exit 2, as argparse does, without the usage dump
        self.exit(EXIT_ERROR, f"ats-lint: error: {message}\n")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ats-lint", description="Find code and configuration that break when Amazon S3 and CloudFront serve Amazon Trust Services certificates.")
    parser.add_argument("--version", action="version", version=f"ats-lint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="scan files and folders (default: the current folder)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument("--select", type=_csv, action="append", metavar="IDS", help="rule ids or prefixes to report (comma-separated)")
    check.add_argument("--ignore", type=_csv, action="append", metavar="IDS", help="rule ids or prefixes not to report")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--config", type=Path, metavar="FILE", help="configuration file (pyproject.toml or .ats-lint.yaml)")
    check.add_argument("--exclude", action="append", default=[], metavar="PATTERN", help="exclude paths (gitignore syntax); repeatable")
    check.add_argument("--no-gitignore", action="store_true", help="scan files that .gitignore lists")
    check.add_argument("--force-exclude", action="store_true", help="apply excludes to files named on the command line too")
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: CPU count)")
    check.add_argument("--max-file-size", metavar="SIZE", help="skip files larger than SIZE (default 2MiB)")

    sub.add_parser("rules", help="list the rules")
    explain = sub.add_parser("explain", help="show the full documentation of a rule")
    explain.add_argument("rule", metavar="RULE")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules()
        if args.command == "explain":
            return _explain(args.rule)
        parser.print_help()
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ats-lint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR


def _fail(message: str) -> int:
    print(f"ats-lint: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    from .config import ConfigError, Settings, apply, find_config, load_config, parse_size
    from .rules import RuleError, all_rules, expand_selectors

    cwd = Path.cwd()
    paths = args.paths or [Path(".")]
    missing = [str(p) for p in paths if not (cwd / p).exists()]
    if missing:
        return _fail(f"no such file or folder: {', '.join(missing)}")
    try:
        if args.config:
            if not args.config.is_file():
                return _fail(f"{args.config}: configuration file not found")
            settings = load_config(args.config)
        else:
            found = find_config(cwd / paths[0])
            settings = load_config(found) if found else Settings()
        overrides: dict = {}
        if args.select:
            overrides["select"] = [s for group in args.select for s in group]
        if args.ignore:
            overrides["ignore"] = list(settings.ignore) + [s for group in args.ignore for s in group]
        if args.exclude:
            overrides["extend-exclude"] = list(settings.extend_exclude) + args.exclude
        if args.no_gitignore:
            overrides["respect-gitignore"] = False
        if args.force_exclude:
            overrides["force-exclude"] = True
        if args.jobs is not None:
            if args.jobs < 0:
                return _fail("--jobs: expected a non-negative integer")
            overrides["jobs"] = args.jobs
        if args.max_file_size is not None:
            overrides["max-file-size"] = parse_size(args.max_file_size, "--max-file-size")
        apply(settings, overrides, "command line")
        expand_selectors(settings.select, all_rules())
    except (ConfigError, RuleError) as exc:
        return _fail(str(exc))

    from .engine import run
    from .report import to_json, to_text

    result = run(paths, settings, cwd)
    if args.format == "json":
        output = to_json(result)
    else:
        color = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        output = to_text(result, color=color)
    if args.output:
        try:
            args.output.write_text(output, encoding="utf-8")
        except OSError as exc:
            return _fail(f"{args.output}: cannot write report: {exc.strerror or exc}")
    else:
        sys.stdout.write(output)
        sys.stdout.flush()
    if result.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _rules() -> int:
    from .rules import all_rules

    for rule in all_rules().values():
        print(f"{rule.id}  {rule.category:<24} {rule.severity:<8} {rule.summary}")
    return EXIT_CLEAN


def _explain(rule_id: str) -> int:
    from .rules import all_rules

    rule = all_rules().get(rule_id.strip().upper())
    if rule is None:
        return _fail(f"unknown rule {rule_id!r} (known: {', '.join(all_rules())})")
    print(rule.explain(), end="")
    return EXIT_CLEAN
