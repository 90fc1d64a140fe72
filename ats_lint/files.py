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


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to the file `path` in one step, so a full disk or an interruption leaves the old
    file (or none), never a half-written one, and no temporary file. A symlink is followed to its
    file; a device or FIFO (`/dev/stdout`) is written directly. OSError says why it failed."""
    path = Path(os.path.realpath(path))
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            with open(path, "wb") as fh:
                fh.write(data)
            return
    except FileNotFoundError:
        pass
    replace_file(path, data, new_file_mode())


def new_file_mode() -> int:
    """The mode bits a newly created file gets under the process' umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def replace_file(target: Path, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Replace the file `target` with `data`: a temporary file in the same folder, fsync, the mode
    bits (and owner, where allowed), then a rename. On any failure the temporary file is removed
    and `target` is unchanged."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".ats-lint-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown") and owner != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass  # not ours to give away: the file keeps our ownership, its mode bits are kept
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
