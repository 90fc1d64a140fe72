"""Records which files a file's result depended on (bundles read, modules imported, paths looked
for and not found), so that the result cache can tell when a cached result is stale."""
from __future__ import annotations

from pathlib import Path

_recorded: list[str] | None = None


def start_recording() -> None:
    global _recorded
    _recorded = []


def stop_recording() -> list[str]:
    global _recorded
    out, _recorded = sorted(set(_recorded or ())), None
    return out


def depends_on(path: Path) -> None:
    """Note that the current file's result depends on `path` (existing or not)."""
    if _recorded is not None:
        _recorded.append(str(path))
