"""Reading a file of an untrusted tree: regular files only, never blocking, never past a limit.

A FIFO opened for reading blocks until a writer appears, and a symlink to `/dev/zero` or
`/dev/stdin` never ends: every read of a file a scanned repository or its configuration names
goes through `read_limited`.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


class NotARegularFile(OSError):
    """A FIFO, socket, device or folder where a file was expected."""


def read_limited(path: Path | str, limit: int) -> bytes:
    """At most `limit + 1` bytes of the regular file `path` (so that the caller sees it is larger);
    NotARegularFile for anything else. The open does not block on a FIFO (O_NONBLOCK)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise NotARegularFile(f"{path}: not a regular file (a FIFO, socket, device or folder)")
        return fh.read(limit + 1)
