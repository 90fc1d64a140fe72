"""What a report is about: the repository root, its name, commit and branch (when it is a git tree).

SARIF locations and GitHub annotations are relative to the repository root (the git top level,
else the scan root), which is what code scanning and the Actions runner resolve them against.
The HTML report's header names the same. Git is asked read-only questions only (`rev-parse`,
`symbolic-ref`), with the scanned repository's hooks and fsmonitor disabled: nothing from the
scanned tree runs.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_GIT_TIMEOUT = 5  # seconds; a report never waits on a stuck git


@dataclass(frozen=True)
class Origin:
    root: Path  # the git top level, else the scan root (absolute)
    name: str  # the root folder's name
    commit: str | None = None  # HEAD's full sha, in a git tree with a commit
    branch: str | None = None  # the checked-out branch; None when detached or not git
    git: bool = False
    path: str = "."  # what was scanned, relative to the root

    def relative(self, path: str, cwd: Path) -> str | None:
        """`path` (a display path: relative to cwd, or absolute) relative to the root; None outside it."""
        file = Path(os.path.normpath(cwd / path))
        try:
            parent = file.parent.resolve()
        except OSError:
            parent = file.parent
        try:
            return (parent / file.name).relative_to(self.root).as_posix()
        except ValueError:
            return None


def _git(folder: Path, *args: str) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        done = subprocess.run(["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-C", str(folder), *args],
                              capture_output=True, text=True, timeout=_GIT_TIMEOUT, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def describe(scan_root: Path) -> Origin:
    """The origin of a run whose first path is `scan_root` (a folder, or a file whose folder is used)."""
    folder = scan_root if scan_root.is_dir() else scan_root.parent
    folder = folder.resolve()
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return Origin(folder, folder.name or str(folder), path=_relative(scan_root, folder))
    root = Path(top).resolve()
    commit = _git(folder, "rev-parse", "--verify", "-q", "HEAD")
    branch = _git(folder, "symbolic-ref", "--short", "-q", "HEAD")
    return Origin(root, root.name, commit, branch, git=True, path=_relative(scan_root, root))


def _relative(path: Path, root: Path) -> str:
    try:
        return (path.parent.resolve() / path.name).relative_to(root).as_posix() or "."
    except (ValueError, OSError):
        return path.as_posix()
