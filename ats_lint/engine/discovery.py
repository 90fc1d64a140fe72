"""File discovery: which files a run scans.

Walks the given paths, skips vendored and build folders, honours `.gitignore` files (each one
relative to its own folder) and the configured excludes (gitignore syntax, relative to the
project root). Like git, a `.gitignore` never hides a file that git tracks: in a git work tree the
tracked files are listed once per run (one `git ls-files`, run with the safe flags of
`engine.git`), and a folder that `.gitignore` lists but that holds tracked files is walked for
those files only. The configured excludes and the default vendored folders still apply to tracked
files. Symlinked folders are not followed; symlinked files are scanned only when they
point inside the scan root. Explicitly named files are scanned even when excluded unless
`force_exclude` is set (pre-commit passes files one by one).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ats_lint.engine.git import tracked_files
from ats_lint.engine.ignore import MAX_IGNORE_FILE_SIZE, IgnoreSpec
from ats_lint.files import read_limited
from ats_lint.model import ScanError

DEFAULT_EXCLUDED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "build", "dist", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ats_lint_cache", ".eggs"}
)


@dataclass(frozen=True)
class Candidate:
    file: Path  # absolute
    display: str  # relative to the working directory when below it, `/`-separated
    root: Path  # the scan root used for bundle lookups


def display_path(path: Path, cwd: Path) -> str:
    try:
        text = path.relative_to(cwd).as_posix()
    except ValueError:
        text = path.as_posix()
    # A file name that is not valid UTF-8 (bytes on POSIX) holds surrogates that no report can
    # encode: show those bytes as `\xff`. A backslash is then always an escape: a file really
    # named `caf\xe9.py` shows as `caf\\xe9.py`, so two files never share a display path. The
    # file itself is read through `Candidate.file`.
    text = text.replace("\\", "\\\\")
    return text if text.isascii() or text.isprintable() and _encodable(text) else os.fsencode(text).decode("utf-8", "backslashreplace")


def _printable(path: Path) -> str:
    """A path for a message: bytes that are not UTF-8 (a link target named in Latin-1) as `\\xe9`,
    so that no report fails to encode it."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Ignorer:
    def __init__(self, project_root: Path, excludes: list[str], respect_gitignore: bool, cwd: Path):
        self.project_root = project_root
        self.cwd = cwd
        self.problems: list[ScanError] = []
        self.excludes = IgnoreSpec(excludes) if excludes else None
        for problem in self.excludes.problems if self.excludes else ():
            self.problems.append(ScanError("(exclude)", "too-large", f"exclude {problem}"))
        self.respect_gitignore = respect_gitignore
        self._gitignores: dict[Path, IgnoreSpec | None] = {}
        self._chains: dict[tuple[Path, Path], tuple] = {}
        # Per root: (tracked files, folders holding them), listed by git on the first .gitignore match.
        self._tracked: dict[Path, tuple[frozenset[Path], frozenset[Path]]] = {}
        self._ignored_but_walked: set[Path] = set()  # folders .gitignore lists that hold tracked files

    def _is_tracked(self, path: Path, is_dir: bool, root: Path) -> bool:
        if root not in self._tracked:
            files = tracked_files(root) or frozenset()
            folders = set()
            for file in files:
                folder = file.parent
                while folder != root and folder not in folders and _is_below(folder, root):
                    folders.add(folder)
                    folder = folder.parent
            self._tracked[root] = (files, frozenset(folders))
        files, folders = self._tracked[root]
        return path in folders or path in files if is_dir else path in files

    def _gitignore(self, folder: Path) -> IgnoreSpec | None:
        if folder not in self._gitignores:
            spec = None
            gi = folder / ".gitignore"
            shown = display_path(gi, self.cwd)
            try:
                data = read_limited(gi, MAX_IGNORE_FILE_SIZE)
            except OSError:
                data = None  # none, or not a regular file
            if data is not None and len(data) > MAX_IGNORE_FILE_SIZE:
                self.problems.append(ScanError(shown, "too-large", f"over the {MAX_IGNORE_FILE_SIZE}-byte limit for a .gitignore; "
                                               "its patterns are not used (the files it lists are scanned)"))
            elif data is not None:
                spec = IgnoreSpec(data.decode("utf-8", "replace").splitlines(), "")
                self.problems.extend(ScanError(shown, "too-large", p) for p in spec.problems)
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def _chain(self, folder: Path, stop_at: Path) -> tuple:
        """((depth below stop_at, spec), ...) of the .gitignore files from stop_at down to `folder`;
        computed once per folder, so a chain 800 folders deep costs linear time."""
        key = (folder, stop_at)
        if key not in self._chains:
            above = () if folder == stop_at or not _is_below(folder, stop_at) else self._chain(folder.parent, stop_at)
            spec = self._gitignore(folder)
            depth = len(folder.parts) - len(stop_at.parts)
            self._chains[key] = above + ((depth, spec),) if spec is not None else above
        return self._chains[key]

    def excluded(self, path: Path, is_dir: bool, scan_root: Path, parents_checked: bool = False) -> bool:
        if self.excludes is not None:
            for base in (self.project_root, scan_root):
                if _is_below(path, base):
                    if self.excludes.match_parts(path.relative_to(base).parts, is_dir, parents_checked):
                        return True
        if self.respect_gitignore:
            stop_at = self.project_root if _is_below(path, self.project_root) else scan_root
            if not _is_below(path, stop_at):
                return False
            if self._gitignored(path, is_dir, stop_at, parents_checked):
                if not self._is_tracked(path, is_dir, stop_at):
                    return True
                if is_dir:
                    self._ignored_but_walked.add(path)  # walked for its tracked files only
        return False

    def _gitignored(self, path: Path, is_dir: bool, stop_at: Path, parents_checked: bool) -> bool:
        if parents_checked and path.parent in self._ignored_but_walked:
            return True  # below a folder .gitignore lists (git cannot re-include it)
        names = path.relative_to(stop_at).parts
        for depth, spec in self._chain(path.parent, stop_at):
            if spec.match_parts(names[depth:], is_dir, parents_checked):
                return True
        return False


def _is_below(path: Path, folder: Path) -> bool:
    """`folder in path.parents`, in time linear in the path's length."""
    prefix = str(folder)
    return str(path).startswith(prefix if prefix.endswith(os.sep) else prefix + os.sep)


def is_cache_folder(folder: Path) -> bool:
    """A folder tagged as a cache (https://bford.info/cachedir/): its CACHEDIR.TAG starts with the
    signature. An empty or different CACHEDIR.TAG does not hide a folder from the scan."""
    try:
        return read_limited(folder / "CACHEDIR.TAG", len(_CACHEDIR_SIGNATURE)).startswith(_CACHEDIR_SIGNATURE)
    except OSError:
        return False


_CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"


def discover(
    paths: list[Path],
    cwd: Path,
    project_root: Path,
    excludes: list[str],
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> Iterator[Candidate | ScanError]:
    """Yield each file to scan once, in a stable order, or a ScanError for a path that cannot be walked."""
    ignorer = _Ignorer(project_root, excludes, respect_gitignore, cwd)
    seen: set[Path] = set()
    for given in paths:
        path = (cwd / given).absolute()
        root = project_root if (path == project_root or project_root in path.parents) else (path if path.is_dir() else path.parent)
        if path.is_file():
            scan_root = root
            if force_exclude and (
                any(part in DEFAULT_EXCLUDED_DIRS for part in path.relative_to(scan_root).parts[:-1])
                or ignorer.excluded(path, False, scan_root)
            ):
                continue
            if path not in seen:
                seen.add(path)
                target = path.resolve()
                if not (target == scan_root.resolve() or scan_root.resolve() in target.parents):
                    # `--since` lists a committed symlink like any file: nothing outside the tree is read
                    yield ScanError(display_path(path, cwd), "link-outside-root", f"symbolic link points outside the scanned tree ({_printable(target)}); not followed")
                    continue
                yield Candidate(path, display_path(path, cwd), scan_root)
            continue
        if not path.is_dir():  # named explicitly but neither a file nor a folder
            if path.is_symlink() and not path.exists():
                yield ScanError(display_path(path, cwd), "link-loop", "symbolic link is broken or loops")
            elif path.exists() and path not in seen:  # FIFO, socket, device: the engine reports it, never reads it
                seen.add(path)
                yield Candidate(path, display_path(path, cwd), root)
            continue
        if path != root and ignorer.excluded(path, True, root):
            continue  # a folder below an ignored one (the walk checks only what is below its top)
        yield from _walk(path, root, cwd, ignorer, seen)
    reported: set[ScanError] = set()
    for problem in ignorer.problems:
        if problem not in reported:
            reported.add(problem)
            yield problem


def _walk(top: Path, root: Path, cwd: Path, ignorer: _Ignorer, seen: set[Path]) -> Iterator[Candidate | ScanError]:
    stack = [top]
    real_root = root.resolve()
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield ScanError(display_path(folder, cwd), "unreadable", f"cannot list folder: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS or ignorer.excluded(path, True, root, parents_checked=True) or is_cache_folder(path):
                    continue  # vendored/build folders, excludes, and caches marked as such (ours too)
                subdirs.append(path)
                continue
            if ignorer.excluded(path, False, root, parents_checked=True):
                continue
            if is_link:
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    yield ScanError(display_path(path, cwd), "link-loop", "symbolic link is broken or loops")
                    continue
                if target.is_dir():
                    continue  # symlinked folders are not followed
                if not target.is_file():
                    continue  # a link to a FIFO, socket or device: never opened, like the node itself
                if real_root not in target.parents:
                    yield ScanError(display_path(path, cwd), "link-outside-root", f"symbolic link points outside the scanned tree ({_printable(target)}); not followed")
                    continue
            elif not entry.is_file(follow_symlinks=False):
                continue  # FIFOs, sockets, devices
            if path not in seen:
                seen.add(path)
                yield Candidate(path, display_path(path, cwd), root)
        stack.extend(reversed(subdirs))
