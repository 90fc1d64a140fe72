#!/usr/bin/env python3
"""Real-world robustness run: the full audit over large real projects, with every file accounted for.

    python benchmarks/realworld.py [--work DIR] [--jobs N] [--output benchmarks/REALWORLD.md]

The projects are the PyPI source distributions pinned with their sha256 in `benchmarks/corpus.txt`
(shared with the speed benchmark, benchmarks/run.py). Each archive is taken from
`benchmarks/.corpus/sdists/` when the speed benchmark already downloaded it, else fetched from
PyPI's JSON API and checked against the pinned hash. Nothing from an archive is built, imported or
executed: archives are only extracted (tar with the `data` filter, zip with a path check).

Every project is audited with the real command line, in a subprocess:
    ats-lint check --format json --no-gitignore --no-cache --quiet .
A crash is a run that exits with anything but 0 or 1, prints a traceback, or does not produce a
JSON report. Then each file that discovery lists is accounted for: scanned, in `errors` (by kind),
or skipped by design (binary, prose, lock file, minified). Any file in none of these is
"unaccounted" and, like a crash, fails the run (exit 1). The record goes to REALWORLD.md.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / "corpus.txt"
SHARED_SDISTS = HERE / ".corpus" / "sdists"

sys.path.insert(0, str(HERE))
from run import _pins as _read_pins, _sha256  # noqa: E402 - one reader of corpus.txt for both scripts


def pins(path: Path = CORPUS) -> list[tuple[str, str, str]]:
    return _read_pins(path)


def fetch(name: str, version: str, digest: str, sdists: Path, log) -> Path:
    """The sdist with this sha256: from the shared cache, our cache, or PyPI (hash checked)."""
    for folder in (SHARED_SDISTS, sdists):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.is_file() and p.name.lower().startswith(name.lower().replace("-", "_")[:4]) and _sha256(p) == digest:
                    return p
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/{version}/json", timeout=60) as resp:
        meta = json.load(resp)
    url = next((u for u in meta["urls"] if u["packagetype"] == "sdist" and u["digests"]["sha256"] == digest), None)
    if url is None:
        raise SystemExit(f"{name}=={version}: no sdist with the pinned sha256 on PyPI")
    target = sdists / url["filename"]
    log(f"downloading {url['filename']}")
    sdists.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url["url"], timeout=300) as resp, open(target, "wb") as fh:
        while block := resp.read(1 << 20):
            fh.write(block)
    if _sha256(target) != digest:
        target.unlink()
        raise SystemExit(f"{name}=={version}: downloaded archive does not match the pinned sha256")
    return target


def extract(archive: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                target = (dest / info.filename).resolve()
                if dest.resolve() not in target.parents and target != dest.resolve():
                    raise SystemExit(f"{archive.name}: unsafe path {info.filename!r}")
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    tops = [p for p in dest.iterdir()]
    return tops[0] if len(tops) == 1 and tops[0].is_dir() else dest


def run_audit(root: Path, jobs: int | None) -> tuple[int, str, str, float]:
    argv = [sys.executable, "-m", "ats_lint", "check", "--format", "json", "--no-gitignore", "--no-cache", "--quiet", "."]
    if jobs:
        argv += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=3600)
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start


NOT_SCANNED = ("too-large", "unreadable", "vanished", "internal-error")  # the file's content was not scanned
SCANNED_WITH_ERROR = ("decode-error", "parse-error")  # scanned, with a caveat


def account(root: Path, doc: dict) -> dict:
    """Put every file that discovery lists in one box: scanned, not scanned with an error entry,
    or skipped by design (the engine's own rules, re-applied here); count what is left over."""
    sys.path.insert(0, str(REPO))
    from ats_lint.engine.config import Settings
    from ats_lint.engine.discovery import Candidate, discover
    from ats_lint.engine.run import _BINARY_KINDS, ScanOptions
    from ats_lint.scan.filekinds import file_kind

    settings = Settings()
    options = ScanOptions(settings.max_file_size)
    not_scanned = {e["path"] for e in doc["errors"] if e["kind"] in NOT_SCANNED}
    skipped: collections.Counter = collections.Counter()
    discovered = 0
    for item in discover([Path(".")], root, root, [], respect_gitignore=False):
        if not isinstance(item, Candidate):
            continue  # a discovery error (link-loop, link-outside-root, folder not listable): in doc["errors"]
        discovered += 1
        if item.display in not_scanned:
            continue
        with open(item.file, "rb") as fh:
            head = fh.read(8192)
        nul = b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        kind = file_kind(item.file, head[:256], options)
        if item.file.stat().st_size > options.max_file_size and b"\x00" in head:
            skipped["binary"] += 1
        elif kind is None:
            skipped["prose, lock file or minified"] += 1
        elif nul and kind in _BINARY_KINDS:
            skipped["binary"] += 1
    scanned = doc["summary"]["files_scanned"]
    return {"discovered": discovered, "scanned": scanned, "errored_files": len({e["path"] for e in doc["errors"]}),
            "not_scanned": len(not_scanned), "skipped": dict(skipped),
            "unaccounted": discovered - len(not_scanned) - sum(skipped.values()) - scanned}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ats-lint-realworld")
    parser.add_argument("--jobs", type=int, default=None, help="passed to ats-lint --jobs (default: its own default)")
    parser.add_argument("--output", type=Path, default=HERE / "REALWORLD.md")
    args = parser.parse_args()
    log = lambda msg: print(f"realworld: {msg}", file=sys.stderr, flush=True)  # noqa: E731

    started = time.perf_counter()
    rows = []
    errors_by_kind: collections.Counter = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    findings_by_category: collections.Counter = collections.Counter()
    findings_by_rule: collections.Counter = collections.Counter()
    crashes = []
    for name, version, digest in pins():
        archive = fetch(name, version, digest, args.work / "sdists", log)
        dest = args.work / "src" / f"{name}-{version}"
        if not dest.exists():
            log(f"extracting {archive.name}")
            extract(archive, dest)
        root = next((p for p in dest.iterdir() if p.is_dir()), dest) if len(list(dest.iterdir())) == 1 else dest
        if not (root / ".git").exists():  # its own project root, not a folder of whatever is around it
            (root / ".git").mkdir()
        log(f"auditing {name}=={version}")
        code, out, err, wall = run_audit(root, args.jobs)
        doc = None
        try:
            doc = json.loads(out)
        except ValueError:
            pass
        crashed = code not in (0, 1) or "Traceback" in err or doc is None
        if crashed:
            crashes.append((name, code, (err.strip().splitlines() or ["(no stderr)"])[-1][:200]))
            rows.append({"name": name, "version": version, "wall": wall, "crashed": True})
            continue
        acc = account(root, doc)
        for e in doc["errors"]:
            errors_by_kind[e["kind"]] += 1
            if len(examples[e["kind"]]) < 3:
                examples[e["kind"]].append(f"`{name}-{version}/{e['path']}`: {e['message'][:160]}")
        for f in doc["findings"]:
            findings_by_category[f["category"]] += 1
            findings_by_rule[f["rule"]] += 1
        rows.append({"name": name, "version": version, "wall": wall, "crashed": False, "exit": code,
                     "findings": len(doc["findings"]), "errors": len(doc["errors"]), **acc})
    total_wall = time.perf_counter() - started
    text = report(rows, errors_by_kind, examples, findings_by_category, findings_by_rule, crashes, total_wall, args.jobs)
    args.output.write_text(text, encoding="utf-8")
    log(f"wrote {args.output}")
    unaccounted = sum(r.get("unaccounted", 0) for r in rows)
    return 1 if crashes or unaccounted else 0


def report(rows, errors_by_kind, examples, by_category, by_rule, crashes, wall, jobs) -> str:
    from ats_lint import __version__

    ok = [r for r in rows if not r["crashed"]]
    out = [
        "# Real-world robustness run",
        "",
        f"Generated by `python benchmarks/realworld.py` ({time.strftime('%Y-%m-%d')}; ats-lint {__version__}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"`--jobs {jobs or 'default'}`).",
        "Projects: the source distributions pinned with sha256 in `benchmarks/corpus.txt`, each audited with "
        "`ats-lint check --format json --no-gitignore --no-cache --quiet .` in its own folder.",
        "",
        "## Result",
        "",
        f"- **Crashes: {len(crashes)}** (exit code other than 0/1, a traceback, or no JSON report)",
        f"- **Unaccounted files: {sum(r['unaccounted'] for r in ok)}** (discovered, but neither scanned, in `errors`, nor skipped by design)",
        f"- Files discovered: {sum(r['discovered'] for r in ok)}; scanned: {sum(r['scanned'] for r in ok)}; "
        f"with an error entry: {sum(r['errored_files'] for r in ok)}; skipped by design: "
        + ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(
            {k: sum(r['skipped'].get(k, 0) for r in ok) for r in ok for k in r['skipped']}).items())),
        f"- Wall time: {wall:.1f} s in total (audits only: {sum(r['wall'] for r in rows):.1f} s)",
        "",
        "## Per project",
        "",
        "| project | discovered | scanned | errors | findings | exit | unaccounted | wall (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["crashed"]:
            out.append(f"| {r['name']}=={r['version']} | CRASHED | | | | | | {r['wall']:.1f} |")
        else:
            out.append(f"| {r['name']}=={r['version']} | {r['discovered']} | {r['scanned']} | {r['errors']} | "
                       f"{r['findings']} | {r['exit']} | {r['unaccounted']} | {r['wall']:.1f} |")
    out += ["", "## Errors by kind", ""]
    if not errors_by_kind:
        out.append("None.")
    for kind, count in sorted(errors_by_kind.items()):
        out.append(f"- `{kind}`: {count}")
        out += [f"  - {ex}" for ex in examples[kind]]
    out += ["", "## Findings by category", "", "| category | findings |", "|---|---:|"]
    for cat in ("s3-endpoint", "cloudfront-domain", "custom-trust-store", "trust-store-missing-ats",
                "certificate-pinning", "digicert-fingerprint"):
        out.append(f"| {cat} | {by_category.get(cat, 0)} |")
    out += ["", "By rule: " + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())), ""]
    if crashes:
        out += ["## Crashes", ""] + [f"- {n}: exit {c}: {m}" for n, c, m in crashes] + [""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
