"""File kinds: which scanner reads a file, from its name, extension, path and shebang.

The kinds other than Python, with their comment syntax, are data in rules/text.yaml.
"""
from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ats_lint.resources import load_data

PYTHON_SUFFIXES = {".py", ".pyi", ".pyw"}
_SHEBANG_PY = re.compile(rb"^#![^\n]*\bpython[0-9.]*\b")
_SHEBANG_RE = re.compile(rb"^#![ \t]*(?:\S*/)?(?:env[ \t]+(?:-\S+[ \t]+)*)?([A-Za-z0-9_.+-]{1,40})")


@dataclass(frozen=True)
class KindSpec:
    kind: str
    names: frozenset[str]
    globs: tuple[str, ...]
    path_globs: tuple[str, ...]
    extensions: frozenset[str]
    shebang: re.Pattern | None
    head: re.Pattern | None
    comments: str
    prose: bool
    bundle: bool


@functools.lru_cache(maxsize=1)
def kind_specs() -> tuple[KindSpec, ...]:
    specs = []
    for item in load_data("text.yaml")["kinds"]:
        specs.append(
            KindSpec(
                kind=item["kind"],
                names=frozenset(item.get("names", ())),
                globs=tuple(item.get("globs", ())),
                path_globs=tuple(item.get("path_globs", ())),
                extensions=frozenset(e.lower() for e in item.get("extensions", ())),
                shebang=re.compile(rf"(?:{item['shebang']})[0-9.]*$") if item.get("shebang") else None,
                head=re.compile(item["head"].encode(), re.M) if item.get("head") else None,
                comments=item.get("comments", "none"),
                prose=bool(item.get("prose")),
                bundle=bool(item.get("bundle")),
            )
        )
    return tuple(specs)


@functools.lru_cache(maxsize=None)
def spec_of(kind: str) -> KindSpec | None:
    return next((s for s in kind_specs() if s.kind == kind), None)


@functools.lru_cache(maxsize=1)
def _skip_lists() -> tuple[frozenset[str], tuple[str, ...]]:
    data = load_data("text.yaml")
    return frozenset(data["lock_files"]), tuple(data["minified_globs"])


def _matches(spec: KindSpec, name: str, ext: str, posix: str, interpreter: str | None, head: bytes) -> bool:
    if name in spec.names or ext in spec.extensions and ext:
        return True
    if any(fnmatch.fnmatchcase(name, g) for g in spec.globs):
        return True
    if any(fnmatch.fnmatchcase(posix, g) for g in spec.path_globs):
        return True
    if spec.shebang is not None and interpreter and spec.shebang.match(interpreter):
        return True
    return spec.head is not None and "." not in name and spec.head.search(head) is not None


@dataclass(frozen=True)
class _KindIndex:
    """The kinds' name tests, folded so that finding the first kind that matches a file costs a
    few dictionary look-ups and two regex matches instead of a loop over every kind's globs."""

    by_name: dict[str, int]  # exact name -> first kind listing it
    by_ext: dict[str, int]
    globs: re.Pattern | None  # every kind's globs in kind order; the group `k<i>` says which matched
    path_globs: re.Pattern | None
    shebangs: tuple[tuple[int, re.Pattern], ...]
    heads: tuple[tuple[int, re.Pattern], ...]


def _first_glob(pairs: list[tuple[int, str]]) -> re.Pattern | None:
    """One expression of `fnmatch` globs, in order: the first alternative that matches is the first glob."""
    if not pairs:
        return None
    return re.compile("|".join(f"(?P<k{i}_{n}>{fnmatch.translate(g)})" for n, (i, g) in enumerate(pairs)))


@functools.lru_cache(maxsize=1)
def _kind_index() -> _KindIndex:
    by_name: dict[str, int] = {}
    by_ext: dict[str, int] = {}
    globs, path_globs = [], []
    for i, spec in enumerate(kind_specs()):
        for name in spec.names:
            by_name.setdefault(name, i)
        for ext in spec.extensions:
            if ext:
                by_ext.setdefault(ext, i)
        globs += [(i, g) for g in spec.globs]
        path_globs += [(i, g) for g in spec.path_globs]
    specs = kind_specs()
    return _KindIndex(by_name, by_ext, _first_glob(globs), _first_glob(path_globs),
                      tuple((i, s.shebang) for i, s in enumerate(specs) if s.shebang is not None),
                      tuple((i, s.head) for i, s in enumerate(specs) if s.head is not None))


def _glob_index(regex: re.Pattern | None, text: str) -> int | None:
    m = regex.match(text) if regex is not None else None
    return int(m.lastgroup[1:].split("_", 1)[0]) if m else None


def text_kind(path: Path, head: bytes = b"") -> str:
    """The text kind of a file that is not Python (ignoring the skip options): the first kind of
    rules/text.yaml whose names, extensions, globs, path globs, shebang or head match."""
    name = path.name
    ext = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    m = _SHEBANG_RE.match(head)
    interpreter = m.group(1).decode("ascii", "replace") if m else None
    index = _kind_index()
    found = [i for i in (index.by_name.get(name), index.by_ext.get(ext) if ext else None,
                         _glob_index(index.globs, name), _glob_index(index.path_globs, path.as_posix())) if i is not None]
    if interpreter:
        found += [next((i for i, regex in index.shebangs if regex.match(interpreter)), -1)]
    if "." not in name:
        found += [next((i for i, regex in index.heads if regex.search(head) is not None), -1)]
    found = [i for i in found if i >= 0]
    return kind_specs()[min(found)].kind if found else "text"


def _suffix(name: str) -> str:
    """`Path(name).suffix`."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


@functools.lru_cache(maxsize=1)
def _minified() -> re.Pattern | None:
    return _first_glob(list(enumerate(_skip_lists()[1])))


def file_kind(path: Path, head: bytes, options) -> str | None:
    """'python', a text kind, or None when the file is not scanned (prose, lock files, minified)."""
    name = path.name
    if _suffix(name).lower() in PYTHON_SUFFIXES or _SHEBANG_PY.match(head):
        return "python"
    lock_files, _ = _skip_lists()
    if options.skip_lockfiles and name in lock_files:
        return None
    if options.skip_minified and (minified := _minified()) is not None and minified.match(name):
        return None
    kind = text_kind(path, head)
    spec = spec_of(kind)
    if spec is not None and spec.prose and not options.scan_prose:
        return None
    return kind
