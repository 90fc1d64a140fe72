"""The command line. The only module that prints or chooses an exit code.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error, 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ats_lint import __version__

from ats_lint.cli.output import FORMAT_ENV, FORMATS
from ats_lint.files import write_atomically

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
_FROM_CONFIG = object()  # --write-baseline without FILE: the `baseline` of the configuration


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line on stderr and exit 2, as argparse does, without the usage dump
        import difflib
        import re

        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:  # an unknown subcommand or value: suggest the closest
            choices = re.findall(r"'([^']*)'", m.group(2)) or [c.strip() for c in m.group(2).split(",")]
            close = difflib.get_close_matches(m.group(1), choices, n=1)
            if close:
                message += f"; did you mean '{close[0]}'?"
        self.exit(EXIT_ERROR, f"ats-lint: error: {message}\n")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ats-lint", description="Find code and configuration that break when Amazon S3 and CloudFront serve Amazon Trust Services certificates.")
    parser.add_argument("-V", "--version", action="version", version=f"ats-lint {__version__}", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="scan files and folders (default: the current folder)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="files and folders to scan (default: .); `-` reads one file from standard input (see --stdin-filename)")
    rules = check.add_argument_group("rule selection")
    rules.add_argument("--select", type=_csv, action="append", metavar="IDS", help="rule ids or prefixes to report (comma-separated), replacing `select` of the configuration")
    rules.add_argument("--extend-select", type=_csv, action="append", metavar="IDS", help="rule ids or prefixes to report in addition to the selected ones")
    rules.add_argument("--ignore", type=_csv, action="append", metavar="IDS", help="rule ids or prefixes not to report")
    out = check.add_argument_group("output")
    out.add_argument("--output-format", "--format", dest="format", choices=FORMATS, default=None, metavar="FORMAT",
                     help=f"one of {', '.join(FORMATS)} (text is full); default: ${FORMAT_ENV}, else full")
    out.add_argument("--output-file", "--output", "-o", dest="output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--statistics", action="store_true", help="show the number of findings per rule instead of the findings")
    out.add_argument("--quiet", "-q", action="store_true", help="print the findings and nothing else (no progress, summary or verdict)")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour text output: auto (default) on a terminal, unless NO_COLOR is set or FORCE_COLOR asks for it")
    out.add_argument("--exit-zero", "-e", action="store_true", help="exit 0 even when there are findings")
    files = check.add_argument_group("files")
    files.add_argument("--config", type=Path, metavar="FILE", help="configuration file (pyproject.toml or .ats-lint.yaml)")
    files.add_argument("--exclude", action="append", default=None, metavar="PATTERN", help="exclude paths (gitignore syntax), replacing `exclude` of the configuration; repeatable")
    files.add_argument("--extend-exclude", action="append", default=[], metavar="PATTERN", help="exclude paths (gitignore syntax) in addition to the configured excludes; repeatable")
    files.add_argument("--respect-gitignore", dest="respect_gitignore", action="store_true", default=None, help="skip what .gitignore lists (the default)")
    files.add_argument("--no-respect-gitignore", "--no-gitignore", dest="respect_gitignore", action="store_false", help="scan files that .gitignore lists")
    files.add_argument("--force-exclude", action="store_true", help="apply excludes to files named on the command line too (hook mode)")
    files.add_argument("--since", metavar="REF", help="scan only files changed since this git ref (added, modified, renamed, untracked)")
    files.add_argument("--stdin-filename", type=Path, metavar="PATH", help="with `-`: the path of the file read from standard input (for its kind, references and report)")
    files.add_argument("--max-file-size", metavar="SIZE", help="skip files larger than SIZE (default 2MiB)")
    base = check.add_argument_group("baseline and suppressions")
    base.add_argument("--baseline", type=Path, metavar="FILE", help="report and fail only on findings not in this baseline (default: `baseline` in the configuration)")
    base.add_argument("--no-baseline", action="store_true", help="ignore the baseline named in the configuration")
    base.add_argument("--write-baseline", nargs="?", const=_FROM_CONFIG, type=Path, metavar="FILE",
                      help="write every current finding to FILE (default: the configured baseline) and exit 0")
    base.add_argument("--strict-suppressions", action="store_true", help="report suppression comments that silence no finding (they fail the run)")
    run = check.add_argument_group("run")
    run.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: CPU count)")
    run.add_argument("--no-cache", "-n", action="store_true", help="neither read nor write the result cache")
    run.add_argument("--cache-dir", metavar="DIR", help="folder of the result cache (default: outside the tree, in $XDG_CACHE_HOME/ats-lint)")
    fixing = check.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="add the missing Amazon Trust Services roots to every trust store of the scanned tree flagged ATS202 (PEM, PKCS#12, JKS, JCEKS; nothing else is written)")
    fixing.add_argument("--diff", "--dry-run", dest="diff", action="store_true",
                        help="show the diff --fix would apply and write nothing (exit 1 when a bundle needs a fix)")
    fixing.add_argument("--storepass", metavar="PASSWORD", default="changeit", help="with --fix: the password of the keystores to fix (default: changeit)")
    _add_bundle_and_probe_parsers(sub)

    clean = sub.add_parser("clean", help="remove this project's result cache")
    clean.add_argument("--config", type=Path, metavar="FILE", help="configuration file naming a cache-dir")
    sub.add_parser("rules", help="list the rules")
    for name, text in (("rule", "show the full documentation of a rule (as ruff's `rule`)"), ("explain", "show the full documentation of a rule")):
        explain = sub.add_parser(name, help=text)
        explain.add_argument("rule", metavar="RULE", help="a rule id, such as ATS202")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    from_command_line = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    ambiguous = _option_named_like_a_file(argv)
    if ambiguous is not None:
        return _fail(f"argument {ambiguous!r} is also the name of a file; put `--` before file names that start with '-'")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules()
        if args.command == "clean":
            return _clean(args)
        if args.command in ("explain", "rule"):
            return _explain(args.rule)
        if args.command == "bundle":
            return _bundle(args)
        if args.command == "probe":
            return _probe(args)
        parser.print_help()
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ats-lint: interrupted", file=sys.stderr)
        if from_command_line:
            _exit_at_once(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the tool itself failed (a worker died...): one line, exit 2
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        print(f"ats-lint: internal error: {detail} (please report it)", file=sys.stderr)
        return EXIT_ERROR


def _exit_at_once(code: int) -> None:
    """End the process now, after flushing what was printed. After Ctrl-C a parse may still be
    running on its thread; the interpreter's shutdown would wait for it and could abort while
    tearing down (exit 134). Nothing is left to clean up: writes are atomic, workers follow us."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _option_named_like_a_file(argv: list[str]) -> str | None:
    """An option-looking argument (before `--`) that names an existing file or folder. pre-commit
    appends staged file names after the hook's arguments: a committed file named
    `--write-baseline=main.py` or `--ignore=ATS` must never be read as an option."""
    for arg in argv:
        if arg == "--":
            return None
        if arg.startswith("-") and len(arg) > 1 and os.path.lexists(arg):
            return arg
    return None


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
    from ats_lint.cli.output import UsageError, output_format
    from ats_lint.rules import RuleError, all_rules, expand_selectors

    cwd = Path.cwd()
    try:
        fmt = output_format(args.format, os.environ)
    except UsageError as exc:
        return _fail(str(exc))
    stdin = None
    if any(str(p) == "-" for p in args.paths):
        if args.paths != [Path("-")] or args.stdin_filename is None or args.since is not None:
            return _fail("`-` reads one file from standard input: give it alone, with --stdin-filename PATH (and without --since)")
        stdin = sys.stdin.buffer.read()
    elif args.stdin_filename is not None:
        return _fail("--stdin-filename names the file read from standard input: give `-` as the path")
    paths = [args.stdin_filename] if stdin is not None else (args.paths or [Path(".")])
    missing = [] if stdin is not None else [str(p) for p in paths if not (cwd / p).exists()]
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
        if args.extend_select:
            overrides["select"] = overrides.get("select", list(settings.select)) + [s for group in args.extend_select for s in group]
        if args.ignore:
            overrides["ignore"] = list(settings.ignore) + [s for group in args.ignore for s in group]
        if args.exclude is not None:
            overrides["exclude"] = list(args.exclude)
        if args.extend_exclude:
            overrides["extend-exclude"] = list(settings.extend_exclude) + args.extend_exclude
        if args.respect_gitignore is not None:
            overrides["respect-gitignore"] = args.respect_gitignore
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

    progress = Progress(sys.stderr) if wanted(sys.stderr, os.environ, args.quiet) and stdin is None else None
    try:
        result = run(paths, settings, cwd, progress=progress, stdin=stdin)
    finally:
        if progress is not None:
            progress.close()
    from ats_lint.cli.output import fix_bundles

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    if args.diff:  # what --fix would change: the diffs on stdout, nothing written
        needed, diffs = fix_bundles(result, cwd, diff=True, say=say, storepass=args.storepass)
        sys.stdout.write("".join(diffs))
        if not needed:
            say("ats-lint: fix: no bundle needs a fix")
        return EXIT_FINDINGS if needed else EXIT_CLEAN
    if args.fix and stdin is None and fix_bundles(result, cwd, diff=False, say=say, storepass=args.storepass)[0]:  # only an explicit --fix writes, and only to flagged bundles
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

    from ats_lint.cli.output import render, scope_of, use_color
    from ats_lint.report.json_doc import baseline_info
    from ats_lint.report.origin import describe
    from ats_lint.report.verdict import assess

    # the verdict comes before a baseline hides accepted findings: they are known, not fixed
    verdict = assess(result.findings, scope_of(args, selected, result, cwd, os.environ))
    info = None
    if baseline_file is not None:
        comparison = bl.compare(result.findings, entries, cwd, baseline_file, result.considered, selected)
        result.findings = comparison.new
        info = baseline_info(baseline_file.as_posix(), comparison.matched, comparison.stale)
    origin = describe(cwd / (args.paths[0] if args.paths and stdin is None else paths[0] if stdin is not None else ".")) if fmt in ("sarif", "github", "html") and not args.statistics else None
    color = use_color(args.color, sys.stdout, args.output is not None, os.environ)
    output, note = render(fmt, result, cwd, verdict, info, origin=origin, color=color, quiet=args.quiet, statistics=args.statistics)
    if note and not args.quiet:
        print(note, file=sys.stderr)
    if info is not None and info["stale"] and fmt in ("sarif", "github") and not args.quiet:
        print(f"ats-lint: {len(info['stale'])} baseline entries in {info['file']} no longer match a finding", file=sys.stderr)
    if args.output:
        try:
            write_atomically(args.output, output.encode("utf-8"))
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
    if removed is None:
        print(f"{directory} is not an ats-lint cache folder (no CACHEDIR.TAG written by ats-lint); nothing removed.")
        return EXIT_CLEAN
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
    inspect.add_argument("files", nargs="+", type=Path, metavar="FILE", help="trust store files, or folders of PEM files")
    inspect.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    inspect.add_argument("--storepass", metavar="PASSWORD", help="keystore password (default: try `changeit`, then an empty one)")
    fix = bsub.add_parser("fix", help="add the missing Amazon Trust Services roots to a PEM bundle or a PKCS#12/JKS/JCEKS keystore")
    fix.add_argument("files", nargs="+", type=Path, metavar="FILE", help="trust stores to complete")
    fix.add_argument("--storepass", metavar="PASSWORD", default="changeit", help="keystore password, kept as it is (default: changeit)")
    mode = fix.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 if a fix is needed")
    mode.add_argument("--dry-run", action="store_true", help="change nothing; print the diff of the fix, or the entries a keystore would get (exit 1 if a fix is needed)")

    probe = sub.add_parser("probe", help="the FAQ's test: fetch the ATS test object over TLS with a given trust store")
    probe.add_argument("--url", help="https URL to fetch (default: the FAQ's test object)")
    probe.add_argument("--ca-bundle", type=Path, metavar="FILE", help="trust only this PEM bundle (or folder); default: the system trust store")
    probe.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="connect and read timeout (default 10)")
    probe.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json (also when the probe cannot run)")


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

    url = args.url or FAQ_TEST_URL
    try:
        result = probe(url, args.ca_bundle, timeout=args.timeout)
    except ProbeError as exc:
        if args.format == "json":  # a script reading JSON gets JSON, also when the probe could not run
            trust = args.ca_bundle.as_posix() if args.ca_bundle is not None else "system default"
            print(json.dumps({"url": url, "trust": trust, "verified": False, "error": str(exc)}, indent=2))
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
