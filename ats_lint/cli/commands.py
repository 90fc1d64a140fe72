"""The command line. The only module that prints or chooses an exit code.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ats_lint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "html", "markdown")
_FROM_CONFIG = object()  # --write-baseline without FILE: the `baseline` of the configuration


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
    check.add_argument("--baseline", type=Path, metavar="FILE", help="report and fail only on findings not in this baseline (default: `baseline` in the configuration)")
    check.add_argument("--no-baseline", action="store_true", help="ignore the baseline named in the configuration")
    check.add_argument("--write-baseline", nargs="?", const=_FROM_CONFIG, type=Path, metavar="FILE",
                       help="write every current finding to FILE (default: the configured baseline) and exit 0")
    check.add_argument("--strict-suppressions", action="store_true", help="report suppression comments that silence no finding (they fail the run)")
    check.add_argument("--since", metavar="REF", help="scan only files changed since this git ref (added, modified, renamed, untracked)")
    check.add_argument("--statistics", action="store_true", help="show the number of findings per rule instead of the findings")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress display on stderr")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR", help="folder of the result cache (default: outside the tree, in $XDG_CACHE_HOME/ats-lint)")

    check.add_argument("--fix", action="store_true", help="add the missing Amazon Trust Services roots to every trust store of the scanned tree flagged ATS202 (PEM, PKCS#12, JKS, JCEKS; nothing else is written)")
    check.add_argument("--storepass", metavar="PASSWORD", default="changeit", help="with --fix: the password of the keystores to fix (default: changeit)")
    _add_bundle_and_probe_parsers(sub)

    clean = sub.add_parser("clean", help="remove this project's result cache")
    clean.add_argument("--config", type=Path, metavar="FILE", help="configuration file naming a cache-dir")
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
        if args.command == "clean":
            return _clean(args)
        if args.command == "explain":
            return _explain(args.rule)
        if args.command == "bundle":
            return _bundle(args)
        if args.command == "probe":
            return _probe(args)
        parser.print_help()
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ats-lint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the tool itself failed (a worker died...): one line, exit 2
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        print(f"ats-lint: internal error: {detail} (please report it)", file=sys.stderr)
        return EXIT_ERROR


def _fail(message: str) -> int:
    print(f"ats-lint: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    from ats_lint.engine.config import (
        ConfigError,
        Settings,
        apply,
        find_config,
        load_config,
        parse_size,
    )
    from ats_lint.rules import RuleError, all_rules, expand_selectors

    cwd = Path.cwd()
    paths = args.paths or [Path(".")]
    missing = [str(p) for p in paths if not (cwd / p).exists()]
    if missing:
        return _fail(f"no such file or folder: {', '.join(missing)}")
    if args.baseline is not None and args.write_baseline is not None:
        return _fail("--baseline and --write-baseline cannot be used together (--write-baseline rewrites the baseline from all current findings)")
    config_start = cwd / paths[0]
    if args.since is not None:
        from ats_lint.engine.since import GitError, changed_files

        try:
            changed = changed_files(args.since, cwd)
        except GitError as exc:
            return _fail(str(exc))
        if args.paths:  # only changed files below the given paths
            given = [(cwd / p).absolute() for p in args.paths]
            changed = [c for c in changed if any(g == (cwd / c).absolute() or g in (cwd / c).absolute().parents for g in given)]
        paths, config_start = changed, (cwd / args.paths[0] if args.paths else cwd)
    try:
        if args.config:
            if not args.config.is_file():
                return _fail(f"{args.config}: configuration file not found")
            settings = load_config(args.config)
        else:
            found = find_config(config_start)
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
        if args.force_exclude or args.since is not None:  # files we list ourselves obey excludes too
            overrides["force-exclude"] = True
        if args.strict_suppressions:
            overrides["strict-suppressions"] = True
        if args.jobs is not None:
            if args.jobs < 0:
                return _fail("--jobs: expected a non-negative integer")
            overrides["jobs"] = args.jobs
        if args.max_file_size is not None:
            overrides["max-file-size"] = parse_size(args.max_file_size, "--max-file-size")
        if args.no_cache:
            overrides["cache"] = False
        if args.cache_dir is not None:
            overrides["cache-dir"] = str(Path(args.cache_dir).absolute())
        apply(settings, overrides, "command line")
        expand_selectors(settings.select, all_rules())
    except (ConfigError, RuleError) as exc:
        return _fail(str(exc))

    baseline_file = None
    if args.baseline is not None:
        baseline_file = args.baseline
    elif settings.baseline and not args.no_baseline and args.write_baseline is None:
        baseline_file = _configured_baseline(settings)
    write_file = args.write_baseline
    if write_file is _FROM_CONFIG:
        if not settings.baseline:
            return _fail("--write-baseline: give a FILE or set `baseline` in the configuration")
        write_file = _configured_baseline(settings)
    entries: list = []
    if baseline_file is not None or write_file is not None:
        from ats_lint.engine import baseline as bl
    if baseline_file is not None:
        try:
            entries = bl.load(baseline_file)
        except bl.BaselineError as exc:
            return _fail(str(exc))

    from ats_lint.cli.progress import Progress, wanted
    from ats_lint.engine.run import run

    progress = Progress(sys.stderr) if wanted(sys.stderr, os.environ, args.quiet) else None
    try:
        result = run(paths, settings, cwd, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if args.fix and _fix_flagged_bundles(result, cwd, args.storepass):  # only an explicit --fix writes, and only to flagged bundles
        from ats_lint.trust.judge import forget_bundles

        forget_bundles()
        result = run(paths, settings, cwd)  # report the tree as it is now
    selected = expand_selectors(settings.select, all_rules()) - expand_selectors(settings.ignore, all_rules())
    if write_file is not None:
        keep: list = []
        if write_file.is_file():
            try:
                keep = bl.kept_on_rewrite(bl.load(write_file), cwd, write_file, result.considered, selected)
            except bl.BaselineError:
                keep = []  # not a baseline we can read: overwrite it whole
        try:
            count = bl.write(write_file, result.findings, cwd, keep)
        except bl.BaselineError as exc:
            return _fail(str(exc))
        print(f"ats-lint: wrote {count} baseline entr{'ies' if count != 1 else 'y'} to {write_file}", file=sys.stderr)
        return EXIT_CLEAN

    from ats_lint.report.github import to_github
    from ats_lint.report.json_doc import baseline_info, to_json
    from ats_lint.report.markdown import to_markdown
    from ats_lint.report.statistics import to_statistics
    from ats_lint.report.text import to_text
    from ats_lint.report.verdict import assess

    verdict = assess(result.findings)  # before a baseline hides accepted findings: they are known, not fixed
    info = None
    if baseline_file is not None:
        comparison = bl.compare(result.findings, entries, cwd, baseline_file, result.considered, selected)
        result.findings = comparison.new
        info = baseline_info(baseline_file.as_posix(), comparison.matched, comparison.stale)
    if args.statistics:
        output = to_statistics(result, as_json=args.format == "json")
    elif args.format == "json":
        output = to_json(result, baseline=info, verdict=verdict)
    elif args.format == "sarif":
        from ats_lint.report.sarif import to_sarif

        output = to_sarif(result, cwd, verdict=verdict)
    elif args.format == "github":
        output = to_github(result)
    elif args.format == "markdown":
        output = to_markdown(result, verdict=verdict, baseline=info)
    elif args.format == "html":
        from ats_lint.report.html import to_html

        output = to_html(result, cwd, verdict=verdict, baseline=info)
    else:
        color = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        output = to_text(result, color=color, baseline=info, verdict=verdict)
    if info is not None and info["stale"] and args.format in ("sarif", "github"):
        print(f"ats-lint: {len(info['stale'])} baseline entries in {info['file']} no longer match a finding", file=sys.stderr)
    if args.output:
        try:
            args.output.write_text(output, encoding="utf-8")
        except OSError as exc:
            return _fail(f"{args.output}: cannot write report: {exc.strerror or exc}")
    else:
        sys.stdout.write(output)
        sys.stdout.flush()
    if (result.findings or result.unused_suppressions) and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _configured_baseline(settings) -> Path:
    """The `baseline` of the configuration, relative to the configuration file's folder."""
    path = Path(settings.baseline)
    if settings.source is not None and not path.is_absolute():
        path = settings.source.parent / path
    return path


def _clean(args: argparse.Namespace) -> int:
    from ats_lint.engine.cache import clear
    from ats_lint.engine.config import ConfigError, Settings, find_config, load_config
    from ats_lint.engine.run import cache_directory

    cwd = Path.cwd()
    try:
        found = args.config if args.config else find_config(cwd)
        settings = load_config(found) if found else Settings()
    except ConfigError as exc:
        return _fail(str(exc))
    directory = cache_directory(settings, cwd)
    removed = clear(directory)
    print(f"Removed {removed} cache file{'s' if removed != 1 else ''} from {directory}.")
    return EXIT_CLEAN


def _rules() -> int:
    from ats_lint.rules import all_rules

    for rule in all_rules().values():
        print(f"{rule.id}  {rule.category:<24} {rule.severity:<8} {rule.summary}")
    return EXIT_CLEAN


def _explain(rule_id: str) -> int:
    from ats_lint.rules import all_rules

    rule = all_rules().get(rule_id.strip().upper())
    if rule is None:
        return _fail(f"unknown rule {rule_id!r} (known: {', '.join(all_rules())})")
    print(rule.explain(), end="")
    return EXIT_CLEAN


# --------------------------------------------------------------------------- bundle inspect/fix, probe, check --fix
# Exit codes: bundle inspect 0 every bundle trusts ATS, 1 one does not; bundle fix 0 done or nothing
# to do, 1 a fix is needed (--check, --dry-run); probe 0 verified, 1 verification failed;
# all of them 2 for a usage error or a file/connection that cannot be used.


def _add_bundle_and_probe_parsers(sub) -> None:
    bundle = sub.add_parser("bundle", help="inspect or fix a trust store (PEM, DER, PKCS#7, PKCS#12, JKS, JCEKS)")
    bsub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", parser_class=_Parser)
    inspect = bsub.add_parser("inspect", help="list the certificates of trust stores (PEM, DER, PKCS#7, PKCS#12, JKS, JCEKS, or folders of PEM files) and whether they trust Amazon Trust Services")
    inspect.add_argument("files", nargs="+", type=Path, metavar="FILE")
    inspect.add_argument("--format", choices=("text", "json"), default="text")
    inspect.add_argument("--storepass", metavar="PASSWORD", help="keystore password (default: try `changeit`, then an empty one)")
    fix = bsub.add_parser("fix", help="add the missing Amazon Trust Services roots to a PEM bundle or a PKCS#12/JKS/JCEKS keystore")
    fix.add_argument("files", nargs="+", type=Path, metavar="FILE")
    fix.add_argument("--storepass", metavar="PASSWORD", default="changeit", help="keystore password, kept as it is (default: changeit)")
    mode = fix.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 if a fix is needed")
    mode.add_argument("--dry-run", action="store_true", help="change nothing; print the diff of the fix, or the entries a keystore would get (exit 1 if a fix is needed)")

    probe = sub.add_parser("probe", help="the FAQ's test: fetch the ATS test object over TLS with a given trust store")
    probe.add_argument("--url", help="https URL to fetch (default: the FAQ's test object)")
    probe.add_argument("--ca-bundle", type=Path, metavar="FILE", help="trust only this PEM bundle (or folder); default: the system trust store")
    probe.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="connect and read timeout (default 10)")
    probe.add_argument("--format", choices=("text", "json"), default="text")


def _bundle(args: argparse.Namespace) -> int:
    if args.bundle_command == "inspect":
        from ats_lint.trust.inspect import inspect_bundle, to_json, to_text

        passwords = (args.storepass,) if args.storepass is not None else ("changeit", "")
        reports = [inspect_bundle(f, passwords=passwords) for f in args.files]
        sys.stdout.write(to_json(reports) if args.format == "json" else to_text(reports))
        for r in reports:
            if r.error:
                print(f"ats-lint: error: {r.path}: {r.error}", file=sys.stderr)
        if any(r.error for r in reports):
            return EXIT_ERROR
        return EXIT_CLEAN if all(r.trusts_ats for r in reports) else EXIT_FINDINGS
    if args.bundle_command == "fix":
        from ats_lint.trust.fix import BundleFixError, apply, plan

        needed = failed = False
        for file in args.files:
            try:
                fix = plan(file, args.storepass)
                if args.dry_run:
                    sys.stdout.write(fix.diff(file.as_posix()))
                elif not args.check:
                    apply(fix)
            except BundleFixError as exc:
                print(f"ats-lint: error: {exc}", file=sys.stderr)
                failed = True
                continue
            needed = needed or fix.needed
            if not fix.needed:
                print(f"{file.as_posix()}: already holds the Amazon Trust Services roots; nothing to do")
            elif args.check or args.dry_run:
                print(f"{file.as_posix()}: would add {', '.join(fix.added)}", file=sys.stderr if args.dry_run else sys.stdout)
            else:
                print(f"{file.as_posix()}: added {', '.join(fix.added)}")
        if failed:
            return EXIT_ERROR
        return EXIT_FINDINGS if needed and (args.check or args.dry_run) else EXIT_CLEAN
    return _fail("bundle: give an action: `bundle inspect FILE...` or `bundle fix FILE...`")


def _probe(args: argparse.Namespace) -> int:
    import json

    from ats_lint.trust.probe import FAQ_TEST_URL, ProbeError, probe

    try:
        result = probe(args.url or FAQ_TEST_URL, args.ca_bundle, timeout=args.timeout)
    except ProbeError as exc:
        return _fail(str(exc))
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2))
    elif result.verified:
        status = f"HTTP {result.http_status}" if result.http_status is not None else f"no HTTP status ({result.http_error})"
        print(f"verified: {result.url} with trust {result.trust}")
        print(f"  certificate: {result.peer_subject}, issued by {result.peer_issuer} ({result.tls_version})")
        print(f"  response: {status}" + ("" if result.http_status == 200 else " (the FAQ test expects 200: TLS trust is fine, check the URL)"))
    else:
        print(f"NOT verified: {result.url} with trust {result.trust}")
        print(f"  reason: {result.reason}: {result.verify_message} (OpenSSL verify code {result.verify_code})")
        print(f"  {result.explanation}")
    return EXIT_CLEAN if result.verified else EXIT_FINDINGS


def _fix_flagged_bundles(result, cwd: Path, storepass: str = "changeit") -> bool:
    """`check --fix`: apply `bundle fix` to each bundle file behind an ATS202 finding; True if one changed."""
    from ats_lint.trust.fix import BundleFixError, apply, plan

    bundles: dict[str, list[str]] = {}
    for f in result.findings:
        if f.rule == "ATS202" and f.data.get("bundle_file"):
            bundles.setdefault(f.data["bundle_file"], []).append(f"{f.path}:{f.line}")
    changed = False
    for bundle, where in sorted(bundles.items()):
        shown = _display(Path(bundle), cwd)
        try:
            fix = plan(Path(bundle), storepass)
            apply(fix)
        except BundleFixError as exc:
            print(f"ats-lint: fix: cannot fix {shown} (flagged at {', '.join(where)}): {exc}", file=sys.stderr)
            continue
        if fix.needed:
            changed = True
            print(f"ats-lint: fix: {shown}: added {', '.join(fix.added)} (flagged at {', '.join(where)})", file=sys.stderr)
    return changed


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.absolute().relative_to(cwd.absolute()).as_posix()
    except ValueError:
        return path.as_posix()
