"""`--since REF`: the files changed since a git ref, for pull requests.

Changed means added, copied, modified or renamed (the new name) between the merge base of REF and
HEAD and the working tree, plus untracked files that .gitignore does not list. Deleted files are
left out. Paths come back relative to the working directory. Nothing here prints.
"""
from __future__ import annotations

import os
from pathlib import Path

from ats_lint.engine.git import GitError, git as _git

__all__ = ["GitError", "changed_files"]


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
