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


def text_kind(path: Path, head: bytes = b"") -> str:
    """The text kind of a file that is not Python (ignoring the skip options)."""
    name = path.name
    ext = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    posix = path.as_posix()
    m = _SHEBANG_RE.match(head)
    interpreter = m.group(1).decode("ascii", "replace") if m else None
    for spec in kind_specs():
        if _matches(spec, name, ext, posix, interpreter, head):
            return spec.kind
    return "text"


def file_kind(path: Path, head: bytes, options) -> str | None:
    """'python', a text kind, or None when the file is not scanned (prose, lock files, minified)."""
    name = path.name
    if path.suffix.lower() in PYTHON_SUFFIXES or _SHEBANG_PY.match(head):
        return "python"
    lock_files, minified = _skip_lists()
    if options.skip_lockfiles and name in lock_files:
        return None
    if options.skip_minified and any(fnmatch.fnmatchcase(name, g) for g in minified):
        return None
    kind = text_kind(path, head)
    spec = spec_of(kind)
    if spec is not None and spec.prose and not options.scan_prose:
        return None
    return kind
