#!/usr/bin/env python3
"""Lay out repo/ for this corpus from local git snapshots of the upstream repositories.

    python3 materialize.py [--mirrors DIR] [--out DIR]

The third-party files themselves are not committed to this repository: sources.txt lists each
upstream repository, the pinned commit and the files that the labels in expected.yaml refer to.
This script reads every listed file from a local bare git snapshot of that repository
(DIR/<owner>+<name>/repo, the layout the search tool's `fetch` produces; default /work/.mirror)
with `git show <commit>:<path>` and writes it to repo/<owner>__<name>/<path>. Nothing is built,
imported or executed. repo/ is ignored by git.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_sources(path: Path):
    repos = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace():
            repos[-1]["files"].append(raw.strip())
        else:
            name, commit, license_id = raw.split()
            repos.append({"name": name, "commit": commit, "license": license_id, "files": []})
    return repos


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", default="/work/.mirror", help="folder with <owner>+<name>/repo bare snapshots")
    ap.add_argument("--out", default=str(HERE / "repo"), help="where to lay out the files (default: repo/ here)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    missing = 0
    for repo in read_sources(HERE / "sources.txt"):
        owner, name = repo["name"].split("/")
        git_dir = Path(args.mirrors) / f"{owner}+{name}" / "repo"
        if (git_dir / ".git").is_dir():  # some snapshots arrive as a work tree with its .git inside
            git_dir = git_dir / ".git"
        if not git_dir.is_dir():
            print(f"{repo['name']}: no snapshot at {git_dir} (fetch github:{repo['name']} first)", file=sys.stderr)
            missing += 1
            continue
        for rel in repo["files"]:
            proc = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{repo['commit']}:{rel}"],
                                  capture_output=True)
            if proc.returncode != 0:
                print(f"{repo['name']}: {rel} not found at {repo['commit']}", file=sys.stderr)
                missing += 1
                continue
            target = out / f"{owner}__{name}" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(proc.stdout)
    print(f"laid out {out}" + (f" ({missing} missing)" if missing else ""))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
