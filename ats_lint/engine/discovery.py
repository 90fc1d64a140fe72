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

A warm run is mostly this walk, so it costs one directory listing per folder and no system call
per file: paths are strings, the .gitignore chain and the relative path of a folder are worked
out once per folder, and only a file's own name is matched against them.
"""
from __future__ import annotations

import os
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
# Folders vendored by a dependency manager, known by the file it keeps in them: CocoaPods' `Pods/`
# (`Pods/Manifest.lock`) and Carthage's `Carthage/` (`Carthage/Checkouts`) hold an iOS app's
# dependencies (Alamofire's own sources), not the app's code
VENDORED_BY_MARKER = {"Pods": "Manifest.lock", "Carthage": "Checkouts"}


def _vendored(folder: str, name: str) -> bool:
    marker = VENDORED_BY_MARKER.get(name)
    return marker is not None and os.path.exists(os.path.join(folder, name, marker))


class Candidate:
    """A file to scan: `path` absolute (a string, as listed), `display` relative to the working
    directory when below it (`/`-separated), `root` the scan root used for bundle lookups. `file`,
    the same path as a Path, is built on first use: a warm run never needs it."""

    __slots__ = ("path", "display", "root", "_file")

    def __init__(self, file: Path | str, display: str, root: Path):
        self.path = os.fspath(file)
        self.display = display
        self.root = root
        self._file = file if isinstance(file, Path) else None

    @property
    def file(self) -> Path:
        if self._file is None:
            self._file = Path(self.path)
        return self._file

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Candidate) and (self.path, self.display, self.root) == (other.path, other.display, other.root)

    def __hash__(self) -> int:
        return hash((self.path, self.display))

    def __repr__(self) -> str:
        return f"Candidate({self.path!r}, {self.display!r}, {str(self.root)!r})"

    def __reduce__(self):  # to a worker process: the three fields
        return (Candidate, (self.path, self.display, self.root))


def display_path(path: Path, cwd: Path) -> str:
    try:
        text = path.relative_to(cwd).as_posix()
    except ValueError:
        text = path.as_posix()
    return _shown(text)


def _display(path: str, cwd_prefix: str) -> str:
    """`display_path` of a normalised absolute path string; `cwd_prefix` ends with the separator."""
    text = path[len(cwd_prefix):] if path.startswith(cwd_prefix) else path
    return _shown(text if os.sep == "/" else text.replace(os.sep, "/"))


def _shown(text: str) -> str:
    # A file name that is not valid UTF-8 (bytes on POSIX) holds surrogates that no report can
    # encode: show those bytes as `\xff`. A backslash is then always an escape: a file really
    # named `caf\xe9.py` shows as `caf\\xe9.py`, so two files never share a display path. The
    # file itself is read through `Candidate.path`.
    text = text.replace("\\", "\\\\")
    return text if text.isascii() or text.isprintable() and _encodable(text) else os.fsencode(text).decode("utf-8", "backslashreplace")


def _printable(path: Path | str) -> str:
    """A path for a message: bytes that are not UTF-8 (a link target named in Latin-1) as `\\xe9`,
    so that no report fails to encode it."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _prefix(folder: str) -> str:
    return folder if folder.endswith(os.sep) else folder + os.sep


def _is_below(path: str, folder: str) -> bool:
    """`folder in Path(path).parents`, in time linear in the path's length."""
    return path.startswith(_prefix(folder))


def _parts_below(path: str, folder: str) -> tuple[str, ...]:
    """The names of `path` below `folder` (which it is at or below)."""
    rest = path[len(_prefix(folder)):] if path != folder else ""
    return tuple(name for name in rest.split(os.sep) if name)


class _FolderRules:
    """What decides whether a name listed in one folder is excluded, worked out once per folder."""

    __slots__ = ("excludes", "chain", "names", "ignored_above", "stop_at")

    def __init__(self, excludes: tuple, chain: tuple, names: tuple[str, ...], ignored_above: bool, stop_at: str | None):
        self.excludes = excludes  # relative names of the folder below each base of the excludes
        self.chain = chain  # ((depth, spec), ...) of the .gitignore files that apply
        self.names = names  # the folder's names below the .gitignore root
        self.ignored_above = ignored_above  # a folder .gitignore lists, walked for its tracked files only
        self.stop_at = stop_at  # the .gitignore root, or None when .gitignore is not respected here


class _Ignorer:
    def __init__(self, project_root: str, excludes: list[str], respect_gitignore: bool, cwd: Path):
        self.project_root = project_root
        self.cwd = cwd
        self.problems: list[ScanError] = []
        self.excludes = IgnoreSpec(excludes) if excludes else None
        for problem in self.excludes.problems if self.excludes else ():
            self.problems.append(ScanError("(exclude)", "too-large", f"exclude {problem}"))
        self.respect_gitignore = respect_gitignore
        self._gitignores: dict[str, IgnoreSpec | None] = {}
        self._chains: dict[tuple[str, str], tuple] = {}
        # Per root: (tracked files, folders holding them), listed by git on the first .gitignore match.
        self._tracked: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._ignored_but_walked: set[str] = set()  # folders .gitignore lists that hold tracked files

    def _is_tracked(self, path: str, is_dir: bool, root: str) -> bool:
        if root not in self._tracked:
            files = tracked_files(Path(root)) or frozenset()
            folders = set()
            for file in files:
                folder = os.path.dirname(file)
                while folder != root and folder not in folders and _is_below(folder, root):
                    folders.add(folder)
                    folder = os.path.dirname(folder)
            self._tracked[root] = (files, frozenset(folders))
        files, folders = self._tracked[root]
        return path in folders or path in files if is_dir else path in files

    def no_gitignore_in(self, folder: str) -> None:
        """The listing of `folder` has no `.gitignore`: nothing to read."""
        self._gitignores.setdefault(folder, None)

    def _gitignore(self, folder: str) -> IgnoreSpec | None:
        if folder not in self._gitignores:
            spec = None
            gi = os.path.join(folder, ".gitignore")
            shown = display_path(Path(gi), self.cwd)
            try:
                data = read_limited(Path(gi), MAX_IGNORE_FILE_SIZE)
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

    def _chain(self, folder: str, stop_at: str) -> tuple:
        """((depth below stop_at, spec), ...) of the .gitignore files from stop_at down to `folder`;
        computed once per folder, so a chain 800 folders deep costs linear time."""
        key = (folder, stop_at)
        if key not in self._chains:
            above = () if folder == stop_at or not _is_below(folder, stop_at) else self._chain(os.path.dirname(folder), stop_at)
            spec = self._gitignore(folder)
            depth = len(_parts_below(folder, stop_at)) if folder != stop_at else 0
            self._chains[key] = above + ((depth, spec),) if spec is not None else above
        return self._chains[key]

    def rules_for(self, folder: str, scan_root: str) -> _FolderRules:
        """The rules for the names listed in `folder` (at or below `scan_root`), whose own
        ancestors were checked by the walk."""
        excludes = ()
        if self.excludes is not None:
            excludes = tuple(_parts_below(folder, base) for base in dict.fromkeys((self.project_root, scan_root))
                             if folder == base or _is_below(folder, base))
        chain, names, stop_at = (), (), None
        if self.respect_gitignore:
            stop_at = self.project_root if folder == self.project_root or _is_below(folder, self.project_root) else scan_root
            if folder == stop_at or _is_below(folder, stop_at):
                chain, names = self._chain(folder, stop_at), _parts_below(folder, stop_at)
            else:
                stop_at = None
        return _FolderRules(excludes, chain, names, folder in self._ignored_but_walked, stop_at)

    def excluded_name(self, rules: _FolderRules, folder: str, name: str, is_dir: bool) -> bool:
        """Whether the entry `name` of `folder` is excluded (its folders are known not to be)."""
        if self.excludes is not None:
            for names in rules.excludes:
                if self.excludes.match_parts(names + (name,), is_dir, True):
                    return True
        if rules.stop_at is None:
            return False
        ignored = rules.ignored_above
        if not ignored:
            names = rules.names + (name,)
            for depth, spec in rules.chain:
                if spec.match_parts(names[depth:], is_dir, True):
                    ignored = True
                    break
        if not ignored:
            return False
        path = os.path.join(folder, name)
        if not self._is_tracked(path, is_dir, rules.stop_at):
            return True
        if is_dir:
            self._ignored_but_walked.add(path)  # walked for its tracked files only
        return False

    def excluded(self, path: str, is_dir: bool, scan_root: str) -> bool:
        """Whether a path named on the command line (or a folder above it) is excluded."""
        if self.excludes is not None:
            for base in (self.project_root, scan_root):
                if _is_below(path, base) and self.excludes.match_parts(_parts_below(path, base), is_dir):
                    return True
        if self.respect_gitignore:
            stop_at = self.project_root if _is_below(path, self.project_root) else scan_root
            if not _is_below(path, stop_at):
                return False
            names = _parts_below(path, stop_at)
            if any(spec.match_parts(names[depth:], is_dir) for depth, spec in self._chain(os.path.dirname(path), stop_at)):
                if not self._is_tracked(path, is_dir, stop_at):
                    return True
                if is_dir:
                    self._ignored_but_walked.add(path)
        return False


def is_cache_folder(folder: Path | str) -> bool:
    """A folder tagged as a cache (https://bford.info/cachedir/): its CACHEDIR.TAG starts with the
    signature. An empty or different CACHEDIR.TAG does not hide a folder from the scan."""
    try:
        return read_limited(Path(folder, "CACHEDIR.TAG"), len(_CACHEDIR_SIGNATURE)).startswith(_CACHEDIR_SIGNATURE)
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
    ignorer = _Ignorer(str(project_root), excludes, respect_gitignore, cwd)
    seen: set[str] = set()
    for given in paths:
        path = (cwd / given).absolute()
        root = project_root if (path == project_root or project_root in path.parents) else (path if path.is_dir() else path.parent)
        if path.is_file():
            scan_root = root
            if force_exclude and (
                any(part in DEFAULT_EXCLUDED_DIRS for part in path.relative_to(scan_root).parts[:-1])
                or ignorer.excluded(str(path), False, str(scan_root))
            ):
                continue
            if str(path) not in seen:
                seen.add(str(path))
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
            elif path.exists() and str(path) not in seen:  # FIFO, socket, device: the engine reports it, never reads it
                seen.add(str(path))
                yield Candidate(path, display_path(path, cwd), root)
            continue
        if path != root and ignorer.excluded(str(path), True, str(root)):
            continue  # a folder below an ignored one (the walk checks only what is below its top)
        yield from _walk(str(path), root, cwd, ignorer, seen)
    reported: set[ScanError] = set()
    for problem in ignorer.problems:
        if problem not in reported:
            reported.add(problem)
            yield problem


def _walk(top: str, root: Path, cwd: Path, ignorer: _Ignorer, seen: set[str]) -> Iterator[Candidate | ScanError]:
    stack = [top]
    real_root = root.resolve()
    root_str, cwd_prefix = str(root), _prefix(str(cwd))
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            if folder == top or not is_cache_folder(folder):
                yield ScanError(_display(folder, cwd_prefix), "unreadable", f"cannot list folder: {exc.strerror or exc}")
            continue
        if folder != top and any(e.name == "CACHEDIR.TAG" for e in entries) and is_cache_folder(folder):
            continue  # a cache marked as such (ours too): nothing in it is scanned
        if not any(e.name == ".gitignore" for e in entries):
            ignorer.no_gitignore_in(folder)
        rules = ignorer.rules_for(folder, root_str)
        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name in DEFAULT_EXCLUDED_DIRS or _vendored(folder, name) or ignorer.excluded_name(rules, folder, name, True):
                    continue  # vendored/build folders and excludes
                subdirs.append(entry.path)
                continue
            if ignorer.excluded_name(rules, folder, name, False):
                continue
            path = entry.path
            if is_link:
                try:
                    target = Path(path).resolve(strict=True)
                except (OSError, RuntimeError):
                    yield ScanError(_display(path, cwd_prefix), "link-loop", "symbolic link is broken or loops")
                    continue
                if target.is_dir():
                    continue  # symlinked folders are not followed
                if not target.is_file():
                    continue  # a link to a FIFO, socket or device: never opened, like the node itself
                if real_root not in target.parents:
                    yield ScanError(_display(path, cwd_prefix), "link-outside-root", f"symbolic link points outside the scanned tree ({_printable(target)}); not followed")
                    continue
            elif not entry.is_file(follow_symlinks=False):
                continue  # FIFOs, sockets, devices
            if path not in seen:
                seen.add(path)
                yield Candidate(path, _display(path, cwd_prefix), root)
        stack.extend(reversed(subdirs))
