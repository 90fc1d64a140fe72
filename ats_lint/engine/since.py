"""`--since REF`: the files changed since a git ref, for pull requests.

Changed means added, copied, modified or renamed (the new name) between the merge base of REF and
HEAD and the working tree, plus untracked files that .gitignore does not list. Deleted files are
left out. Paths come back relative to the working directory. Nothing here prints.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, this is not a repository, or the ref is unknown; the message says which."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        # The repository's own .git/config is untrusted: `core.fsmonitor` there names a command
        # that git runs on every diff/ls-files. Turn it off; no external diff or textconv either.
        proc = subprocess.run(["git", "-c", "core.fsmonitor=false", "-c", "diff.external=", *_no_filters(cwd), *args], cwd=cwd,
                              capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", check=False)
    except FileNotFoundError:
        raise GitError("--since needs git, which was not found on PATH") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"git {' '.join(args)} failed")
    return proc.stdout


def _no_filters(cwd: Path) -> list[str]:
    """`-c` options that switch off every clean/smudge/process filter the configuration defines:
    comparing the working tree with a commit runs the `clean` filter of a changed file, and the
    scanned repository's `.gitattributes` picks the filter. Reading the configuration runs nothing."""
    try:
        proc = subprocess.run(["git", "config", "--name-only", "--get-regexp", r"^filter\..*\.(clean|smudge|process|required)$"],
                              cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", check=False)
    except FileNotFoundError:
        return []
    names = {key[len("filter."):].rsplit(".", 1)[0] for key in proc.stdout.splitlines() if key.startswith("filter.")}
    out: list[str] = []
    for name in sorted(names):
        out += ["-c", f"filter.{name}.clean=", "-c", f"filter.{name}.smudge=", "-c", f"filter.{name}.process=",
                "-c", f"filter.{name}.required=false"]
    return out


def changed_files(ref: str, cwd: Path) -> list[Path]:
    """Files changed since `ref`, relative to `cwd`, sorted; raises GitError with a clear message."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitError:
        raise GitError(f"--since {ref}: {cwd} is not inside a git repository") from None
    if ref.startswith("-"):
        raise GitError(f"--since {ref}: not a git ref")
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd).strip()
    except GitError:
        commit = ""
    if not commit:
        raise GitError(f"--since {ref}: unknown git ref (fetch it first, e.g. `git fetch origin {ref}`, or use actions/checkout with fetch-depth: 0)")
    try:
        base = _git(["merge-base", commit, "HEAD"], cwd).strip() or commit
    except GitError:
        base = commit  # unrelated histories or no HEAD yet: compare with the ref itself
    names: set[str] = set()
    out = _git(["-c", "core.quotepath=off", "diff", "--no-ext-diff", "--no-textconv", "--name-only", "-z", "--find-renames", "--diff-filter=ACMR", base, "--"], top)
    names.update(n for n in out.split("\0") if n)
    out = _git(["ls-files", "-z", "--others", "--exclude-standard"], top)
    names.update(n for n in out.split("\0") if n)
    files = []
    for name in sorted(names):
        path = top / name
        if path.is_file():
            files.append(Path(os.path.relpath(path, cwd)))
    return files
