"""A one-line progress display on stderr for long runs.

Shown only when stderr is a terminal, `CI` is not set and `--quiet` was not given: never in
pipes, CI logs or pre-commit (which captures the hook's output). The engine calls it as a plain
callback `progress(done, total, path)`; it never prints by itself.
"""
from __future__ import annotations

import shutil
import time

MIN_FILES = 200  # smaller runs finish before a display would help
_INTERVAL = 0.1  # seconds between redraws


def wanted(stream, environ, quiet: bool) -> bool:
    """Whether to show progress on `stream`: a terminal, outside CI, and not `--quiet`."""
    if quiet or environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """`[ 120/4000]  3% path/being/scanned.py`, redrawn in place with `\\r`, cleared by `close()`."""

    def __init__(self, stream, clock=time.monotonic, min_files: int = MIN_FILES):
        self.stream = stream
        self.clock = clock
        self.min_files = min_files
        self._last = float("-inf")
        self._shown = False

    def __call__(self, done: int, total: int, path: str = "") -> None:
        if total < self.min_files:
            return
        now = self.clock()
        if done < total and now - self._last < _INTERVAL:
            return
        self._last = now
        width = max(20, shutil.get_terminal_size((80, 20)).columns - 1)
        head = f"[{done:>{len(str(total))}}/{total}] {done * 100 // total:>3}% "
        room = width - len(head)
        tail = path if len(path) <= room else "..." + path[-(room - 3):] if room > 3 else ""
        self.stream.write("\r" + (head + tail).ljust(width))
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Erase the display so that the report starts on a clean line."""
        if self._shown:
            width = max(20, shutil.get_terminal_size((80, 20)).columns - 1)
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
            self._shown = False
