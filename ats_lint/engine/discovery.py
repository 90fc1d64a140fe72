"""File discovery: which files a run scans.

Walks the given paths, skips vendored and build folders, honours `.gitignore` files (each one
relative to its own folder) and the configured excludes (gitignore syntax, relative to the
project root). Symlinked folders are not followed; symlinked files are scanned only when they
point inside the scan root. Explicitly named files are scanned even when excluded unless
`force_exclude` is set (pre-commit passes files one by one).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pathspec

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
    # encode: show those bytes as `\xff`. The file itself is read through `Candidate.file`.
    return text if text.isascii() or text.isprintable() and _encodable(text) else os.fsencode(text).decode("utf-8", "backslashreplace")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Ignorer:
    def __init__(self, project_root: Path, excludes: list[str], respect_gitignore: bool):
        self.project_root = project_root
        self.excludes = pathspec.GitIgnoreSpec.from_lines(excludes) if excludes else None
        self.respect_gitignore = respect_gitignore
        self._gitignores: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self._chains: dict[tuple[Path, Path], list[tuple[str, object]]] = {}

    def _gitignore(self, folder: Path):
        if folder not in self._gitignores:
            spec = None
            gi = folder / ".gitignore"
            if gi.is_file():
                try:
                    spec = pathspec.GitIgnoreSpec.from_lines(gi.read_text(encoding="utf-8", errors="replace").splitlines())
                except (OSError, ValueError):
                    spec = None
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def excluded(self, path: Path, is_dir: bool, scan_root: Path) -> bool:
        suffix = "/" if is_dir else ""
        if self.excludes is not None:
            for base in (self.project_root, scan_root):
                try:
                    rel = path.relative_to(base).as_posix()
                except ValueError:
                    continue
                if self.excludes.match_file(rel + suffix):
                    return True
        if self.respect_gitignore:
            name = path.as_posix()
            for folder, spec in self._chain(path.parent, scan_root):
                if spec.match_file(name[len(folder):].lstrip("/") + suffix):
                    return True
        return False

    def _chain(self, parent: Path, scan_root: Path) -> list[tuple[str, object]]:
        """The .gitignore files that apply to the entries of `parent`, nearest first, as
        (folder as posix text, spec), up to the project root (or the scan root when `parent` is
        outside the project): computed once per folder, from its parent's chain."""
        stop_at = self.project_root if _within(parent, self.project_root) else scan_root
        return self._chain_to(parent, stop_at)

    def _chain_to(self, folder: Path, stop_at: Path) -> list[tuple[str, object]]:
        key = (folder, stop_at)
        chain = self._chains.get(key)
        if chain is None:
            spec = self._gitignore(folder)
            chain = [(folder.as_posix(), spec)] if spec is not None else []
            if not (folder == stop_at or folder == folder.parent or not _within(folder.parent, stop_at)):
                chain = chain + self._chain_to(folder.parent, stop_at)
            self._chains[key] = chain
        return chain


def _within(path: Path, folder: Path) -> bool:
    """`path == folder or folder in path.parents`, on the text of absolute paths."""
    p, f = str(path), str(folder)
    return p == f or p.startswith(f if f.endswith(os.sep) else f + os.sep)


def discover(
    paths: list[Path],
    cwd: Path,
    project_root: Path,
    excludes: list[str],
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> Iterator[Candidate | ScanError]:
    """Yield each file to scan once, in a stable order, or a ScanError for a path that cannot be walked."""
    ignorer = _Ignorer(project_root, excludes, respect_gitignore)
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
                yield Candidate(path, display_path(path, cwd), scan_root)
            continue
        if not path.is_dir():  # named explicitly but neither a file nor a folder
            if path.is_symlink() and not path.exists():
                yield ScanError(display_path(path, cwd), "link-loop", "symbolic link is broken or loops")
            elif path.exists() and path not in seen:  # FIFO, socket, device: the engine reports it, never reads it
                seen.add(path)
                yield Candidate(path, display_path(path, cwd), root)
            continue
        yield from _walk(path, root, cwd, ignorer, seen)


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
                if entry.name in DEFAULT_EXCLUDED_DIRS or ignorer.excluded(path, True, root) or (path / "CACHEDIR.TAG").is_file():
                    continue  # vendored/build folders, excludes, and caches marked as such (ours too)
                subdirs.append(path)
                continue
            if ignorer.excluded(path, False, root):
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
                    yield ScanError(display_path(path, cwd), "link-outside-root", f"symbolic link points outside the scanned tree ({target}); not followed")
                    continue
            elif not entry.is_file(follow_symlinks=False):
                continue  # FIFOs, sockets, devices
            if path not in seen:
                seen.add(path)
                yield Candidate(path, display_path(path, cwd), root)
        stack.extend(reversed(subdirs))
