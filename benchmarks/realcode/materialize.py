#!/usr/bin/env python3
"""Lay out repo/ for a real-code corpus from pinned upstream sources.

    python3 benchmarks/realcode/materialize.py --corpus NAME [--mirrors DIR] [--cache DIR] [--out DIR]

The third-party files are not committed to this repository: <corpus>/sources.txt lists each
source, its pin, its license and the files that the labels in <corpus>/expected.yaml refer to.
Two kinds of source, one header line each, the files indented below it:

  owner/name  <commit>  <license>
      a GitHub repository read from a local bare git snapshot (DIR/<owner>+<name>/repo, the layout
      the search tool's `fetch` produces; default /work/.mirror) with `git show <commit>:<path>`;
      written to repo/<owner>__<name>/<path>.
  pypi:<name>==<version>  sha256:<hex>  <license>
      a PyPI source distribution, downloaded once with
      `pip download --no-deps --no-binary :all: <name>==<version>` into the cache folder (outside the
      repository; default ~/.cache/ats-lint-realcode), checked against the sha256 and read without
      unpacking the rest; paths are relative to the sdist's top folder; written to
      repo/pypi__<name>-<version>/<path>.

Nothing from the sources is imported or executed by this script (pip itself may run an sdist's build
backend to read its metadata while downloading). repo/ is ignored by git.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Every folder beside this script with a sources.txt is a corpus.
CORPORA = tuple(sorted(p.parent.name for p in HERE.glob("*/sources.txt")))


def read_sources(path: Path) -> list[dict]:
    """Parse sources.txt: header lines `<source> <pin> <license>`, indented file lines below."""
    sources: list[dict] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace():
            if not sources:
                raise ValueError(f"{path}:{lineno}: file line before any source line")
            sources[-1]["files"].append(raw.strip())
            continue
        fields = raw.split()
        if len(fields) != 3:
            raise ValueError(f"{path}:{lineno}: expected '<source> <pin> <license>', got {raw!r}")
        name, pin, license_id = fields
        if name.startswith("pypi:"):
            dist, sep, version = name[len("pypi:"):].partition("==")
            if not sep or not pin.startswith("sha256:"):
                raise ValueError(f"{path}:{lineno}: expected 'pypi:<name>==<version> sha256:<hex> <license>'")
            sources.append({"kind": "pypi", "name": dist, "version": version, "sha256": pin[len("sha256:"):],
                            "license": license_id, "files": [], "folder": f"pypi__{dist}-{version}"})
        else:
            owner, _, repo = name.partition("/")
            sources.append({"kind": "git", "name": name, "commit": pin, "license": license_id, "files": [],
                            "folder": f"{owner}__{repo}", "mirror": f"{owner}+{repo}"})
    return sources


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_sdist(cache: Path, src: dict) -> Path | None:
    """The cached archive of this sdist whose hash matches the pin, if any."""
    stems = {f"{src['name']}-{src['version']}", f"{src['name'].replace('-', '_')}-{src['version']}"}
    for candidate in sorted(cache.glob("*")):
        for stem in stems:
            if candidate.name.lower() in {f"{stem}.tar.gz".lower(), f"{stem}.zip".lower()}:
                if sha256_of(candidate) == src["sha256"]:
                    return candidate
    return None


def sdist_archive(cache: Path, src: dict) -> tuple[Path | None, str]:
    found = find_sdist(cache, src)
    if found:
        return found, ""
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                           "-d", str(cache), f"{src['name']}=={src['version']}"], capture_output=True, text=True)
    found = find_sdist(cache, src)
    if found:
        return found, ""
    tail = (proc.stderr.strip().splitlines() or ["no archive with the pinned sha256 in the cache"])[-1]
    return None, f"pip download {src['name']}=={src['version']}: {tail}"


def read_sdist_members(archive: Path, wanted: list[str]) -> dict[str, bytes]:
    """Map each wanted relative path to its bytes; paths are relative to the archive's top folder."""
    found: dict[str, bytes] = {}
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                rel = info.filename.split("/", 1)[1] if "/" in info.filename else ""
                if rel in wanted:
                    found[rel] = zf.read(info)
        return found
    with tarfile.open(archive, "r:*") as tf:
        for member in tf:
            rel = member.name.split("/", 1)[1] if "/" in member.name else ""
            if rel in wanted and member.isfile():
                found[rel] = tf.extractfile(member).read()
    return found


def write(out: Path, folder: str, rel: str, data: bytes, written: list[Path]) -> None:
    target = out / folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    written.append(target)


def lay_out(sources: list[dict], out: Path, mirrors: Path, cache: Path) -> tuple[list[Path], list[str]]:
    written: list[Path] = []
    problems: list[str] = []
    for src in sources:
        if src["kind"] == "git":
            git_dir = mirrors / src["mirror"] / "repo"
            if (git_dir / ".git").is_dir():  # some snapshots arrive as a work tree with its .git inside
                git_dir = git_dir / ".git"
            if not git_dir.is_dir():
                problems.append(f"{src['name']}: no snapshot at {git_dir} (fetch github:{src['name']} first)")
                continue
            for rel in src["files"]:
                proc = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{src['commit']}:{rel}"],
                                      capture_output=True)
                if proc.returncode != 0:
                    problems.append(f"{src['name']}: {rel} not found at {src['commit']}")
                    continue
                write(out, src["folder"], rel, proc.stdout, written)
        else:
            archive, problem = sdist_archive(cache, src)
            if archive is None:
                problems.append(problem)
                continue
            members = read_sdist_members(archive, src["files"])
            for rel in src["files"]:
                if rel not in members:
                    problems.append(f"pypi:{src['name']}=={src['version']}: {rel} not in {archive.name}")
                    continue
                write(out, src["folder"], rel, members[rel], written)
    return written, problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, choices=CORPORA, help="which corpus folder under benchmarks/realcode/")
    ap.add_argument("--mirrors", default="/work/.mirror", help="folder with <owner>+<name>/repo bare snapshots")
    ap.add_argument("--cache", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                                                    "ats-lint-realcode"),
                    help="where sdists are downloaded (outside the repository)")
    ap.add_argument("--out", help="where to lay out the files (default: <corpus>/repo)")
    args = ap.parse_args(argv)
    corpus = HERE / args.corpus
    out = Path(args.out) if args.out else corpus / "repo"
    try:
        sources = read_sources(corpus / "sources.txt")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    written, problems = lay_out(sources, out, Path(args.mirrors), Path(args.cache))
    for problem in problems:
        print(problem, file=sys.stderr)
    files = sum(len(s["files"]) for s in sources)
    print(f"laid out {out}: {len(sources)} sources, {len(written)} of {files} files"
          + (f" ({len(problems)} problems)" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
