"""Running git safely on a repository ats-lint does not trust.

The scanned repository's own `.git/config` chooses commands that git would run: `core.fsmonitor`
on every diff/ls-files, `diff.external`, and the clean/smudge/process filters its `.gitattributes`
selects. `git()` switches all of them off. Nothing here prints.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, this is not a repository, or the command failed; the message says which."""


def git(args: list[str], cwd: Path) -> str:
    """The standard output of `git ARGS` in `cwd` (non-UTF-8 bytes as surrogates, like file names);
    raises GitError when git is missing or fails."""
    try:
        # `core.fsmonitor` names a command that git runs on every diff/ls-files: off. No external
        # diff or textconv either, and no filters.
        proc = subprocess.run(["git", "-c", "core.fsmonitor=false", "-c", "diff.external=", *_no_filters(cwd), *args], cwd=cwd,
                              capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
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
    except OSError:
        return []
    names = {key[len("filter."):].rsplit(".", 1)[0] for key in proc.stdout.splitlines() if key.startswith("filter.")}
    out: list[str] = []
    for name in sorted(names):
        out += ["-c", f"filter.{name}.clean=", "-c", f"filter.{name}.smudge=", "-c", f"filter.{name}.process=",
                "-c", f"filter.{name}.required=false"]
    return out


def tracked_files(folder: Path) -> frozenset[str] | None:
    """The files git tracks below `folder` (paths joined onto `folder`, as strings), from one
    `git ls-files`; None when `folder` is not in a git work tree or git is missing or fails."""
    try:
        out = git(["ls-files", "-z", "--cached"], folder)
    except GitError:
        return None
    base = str(folder)
    if os.sep != "/":
        return frozenset(os.path.normpath(os.path.join(base, name)) for name in out.split("\0") if name)
    return frozenset(os.path.join(base, name) for name in out.split("\0") if name)
