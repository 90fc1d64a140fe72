"""A cache of per-file scan results, so that an unchanged repository is audited again in seconds.

An entry is valid only while the file's size and modification time are unchanged, and so are
those of every other file its result depended on (bundles it read, modules it imported, and
paths it looked for and did not find). The whole cache is keyed by the tool version, the rule
data and the scan options: changing any of them starts a new cache.

The cache lives outside the scanned tree by default (`$XDG_CACHE_HOME/ats-lint/`, one folder
per project root), because ats-lint never writes into the tree it audits; `cache-dir` in the
configuration puts it elsewhere (for example `.ats_lint_cache` in the project, which discovery
always skips). It is JSON, never pickle: a cache file planted in a repository cannot run code.
Writes are atomic (temporary file + rename), so concurrent runs cannot corrupt it; the last
writer wins.

An entry is `[size, mtime_ns, deps, result]`, keyed by the file's absolute path; `deps` is
`[[path, size, mtime_ns], ...]` (size and mtime null for a path that did not exist), and a
result with no findings, errors or unused suppressions is just 1 (scanned) or 0 (not scanned).
A warm run reads this once and checks each file with one `stat`.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import time
from pathlib import Path

from ats_lint import __version__
from ats_lint.files import replace_file
from ats_lint.model import FileResult, Finding, ScanError

_FORMAT = 2
_TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55\n"  # https://bford.info/cachedir/
_TAG = _TAG_SIGNATURE + "# This folder is the ats-lint result cache.\n"
_RACY_NS = 2_000_000_000  # as git does for "racily clean" files: recent mtimes are not trusted


def _stat(path: str) -> list[int | None]:
    try:
        st = os.stat(path)
    except OSError:
        return [None, None]
    return [st.st_size, st.st_mtime_ns]


# --------------------------------------------------------------------------- keys


@functools.lru_cache(maxsize=1)
def _rules_digest() -> str:
    """The rule data and the scanner code: a change to either (also between releases, in a
    development checkout) starts a new cache."""
    from ats_lint.resources import rules_dir

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent  # all of ats_lint/
    for root in (rules_dir(), package):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".pem")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(options: object, root: Path) -> str:
    """Everything that changes what a scan of one file produces, except the file itself."""
    h = hashlib.sha256()
    for part in (str(_FORMAT), __version__, _rules_digest(), repr(options), str(root)):
        h.update(part.encode())
        h.update(b"\x00")
    return h.hexdigest()[:24]


def default_directory(project_root: Path) -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is invalid and ignored (it would land in the tree)
        base = os.path.join(os.path.expanduser("~"), ".cache")
    slug = hashlib.sha256(str(project_root.resolve()).encode()).hexdigest()[:16]
    return Path(base) / "ats-lint" / slug


# --------------------------------------------------------------------------- the cache


class ResultCache:
    def __init__(self, directory: Path, key: str):
        self.directory = directory
        self.file = directory / f"results-{key}.json"
        self.entries: dict[str, dict] = {}
        self.dirty = False

    def load(self) -> None:
        if not owned(self.directory):
            return  # not a folder ats-lint created: nothing in it is ours to trust
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # missing or damaged: start empty
        if isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("entries"), dict):
            self.entries = data["entries"]

    def get(self, path: str, display: str) -> FileResult | None:
        """The cached result of the file at `path` (shown as `display`), or None when there is
        none or the file or anything its result read changed since."""
        entry = self.entries.get(path)
        try:
            size, mtime, deps, result = entry
            st = os.stat(path)
            if st.st_mtime_ns != mtime or st.st_size != size:
                return None
            for dep, dep_size, dep_mtime in deps:
                if type(dep) is not str or _stat(dep) != [dep_size, dep_mtime]:
                    return None
            return _decode(result, display)
        except OSError:
            return None
        except (AttributeError, KeyError, TypeError, ValueError):
            return None  # an entry of the wrong shape (a damaged or planted file): a miss, never fatal

    def put(self, path: str, result: FileResult, deps: list[str]) -> None:
        size, mtime = _stat(path)
        if mtime is None or time.time_ns() - mtime < _RACY_NS:
            return  # modified just now: a second edit within the clock's resolution could go unseen
        if any(e.kind in ("vanished", "unreadable", "internal-error") for e in result.errors):
            return  # nothing stable to key on
        self.entries[path] = [size, mtime, [[d, *_stat(d)] for d in deps], _encode(result)]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            if not _claim(self.directory):
                return  # a folder of the user's (`cache-dir = "src"`): never written into
            data = json.dumps({"format": _FORMAT, "entries": self.entries}, separators=(",", ":")).encode("utf-8")
            replace_file(self.file, data, 0o600)  # a full disk leaves no half-written temporary file
        except OSError:
            return  # a cache that cannot be written only costs speed


def owned(directory: Path) -> bool:
    """Whether `directory` is a cache folder ats-lint created: it holds our CACHEDIR.TAG."""
    tag = directory / "CACHEDIR.TAG"
    try:
        if directory.is_symlink() or tag.is_symlink() or not tag.is_file():
            return False
        with open(tag, encoding="utf-8", errors="replace") as fh:
            return fh.read(len(_TAG) + 1) == _TAG
    except OSError:
        return False


def _claim(directory: Path) -> bool:
    """Make `directory` ours: create it (or adopt it when empty) and tag it. False when it is
    someone else's folder: never tag or write into a folder with content we did not create."""
    if owned(directory):
        return True
    directory.mkdir(parents=True, exist_ok=True)
    if directory.is_symlink() or any(directory.iterdir()):
        return False
    (directory / ".gitignore").write_text("# Created by ats-lint: the cache is never committed.\n*\n", encoding="utf-8")
    (directory / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")  # backup tools and scanners skip the folder
    return True


def clear(directory: Path) -> int | None:
    """Remove the cache files ats-lint wrote in `directory`; returns how many, or None when the
    folder is not one ats-lint created (then nothing is deleted)."""
    removed = 0
    if directory.is_dir() and not owned(directory):
        return None
    if directory.is_dir():
        for path in directory.glob("results-*.json"):
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def _encode(result: FileResult) -> int | dict:
    if not (result.findings or result.errors or result.unused_suppressions):
        return int(result.scanned)
    data = dataclasses.asdict(result)
    del data["path"]  # the display path of the file, which the cache key fixes
    return data


def _decode(data: int | dict, display: str) -> FileResult:
    if type(data) is int:
        if data not in (0, 1):
            raise ValueError("not a result")
        return FileResult(display, scanned=bool(data))
    from ats_lint.engine.suppression import UnusedSuppression

    return FileResult(
        path=display,
        findings=[Finding(**f) for f in data["findings"]],
        errors=[ScanError(**e) for e in data["errors"]],
        scanned=data["scanned"],
        unused_suppressions=[UnusedSuppression(**{**u, "codes": tuple(u["codes"])}) for u in data.get("unused_suppressions", [])],
    )
