"""File kinds: which scanner reads a file, from its name, extension and shebang."""
from __future__ import annotations

import re
from pathlib import Path

PYTHON_SUFFIXES = {".py", ".pyi", ".pyw"}
PROSE_SUFFIXES = {".md", ".markdown", ".rst", ".txt", ".adoc", ".rdoc"}
LOCK_FILES = {"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock", "Cargo.lock",
              "composer.lock", "Gemfile.lock", "go.sum", "uv.lock", "pdm.lock", "npm-shrinkwrap.json"}
HASH_COMMENT_SUFFIXES = {".sh", ".bash", ".zsh", ".env", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".tf", ".rb", ".pl", ".r"}
_SHEBANG_PY = re.compile(rb"^#![^\n]*\bpython[0-9.]*\b")
_SHEBANG_SH = re.compile(rb"^#![^\n]*\b(?:ba|z|k|da)?sh\b")


def file_kind(path: Path, head: bytes, options) -> str | None:
    """'python', a text kind, or None when the file is not scanned (prose, lock files, minified)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix in PYTHON_SUFFIXES or _SHEBANG_PY.match(head):
        return "python"
    if suffix in PROSE_SUFFIXES and not options.scan_prose:
        return None
    if name in LOCK_FILES and options.skip_lockfiles:
        return None
    if options.skip_minified and (name.endswith((".min.js", ".min.css")) or name.endswith(".map")):
        return None
    if suffix in HASH_COMMENT_SUFFIXES or name.startswith(".env") or name == "Dockerfile" or _SHEBANG_SH.match(head):
        return "hash-comments"
    return "text"
