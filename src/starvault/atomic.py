"""Every write starvault makes to a user's folders, and what a killed run leaves behind.

Notes are written through a temporary file in the same folder and renamed over the
target, so a note is always either as it was or as it should be. Temporary files and
folders carry the writing process's id in their names (``.starvault-<pid>-...``): a run
that finds one whose process is gone (killed mid-write) removes it, and never touches
one that a live run is still using.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

PREFIX = ".starvault-"
_STALE = re.compile(r"^\.(?:starvault|[^/]*\.(?:tmp|old))-(\d+)-")


def temp_prefix(prefix: str = PREFIX) -> str:
    """``prefix`` with this process's id, as :func:`clean_stale` recognises it."""
    return f"{prefix}{os.getpid()}-"


def _temp_copy(folder: str, data: bytes) -> str:
    """``data`` in a new temporary file of ``folder``, on disk (fsync) before any rename."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: os.PathLike[str] | str, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename over the file
    (keeping its permissions)."""
    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = None
    tmp = _temp_copy(folder, data)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_new(path: os.PathLike[str] | str, data: bytes) -> None:
    """Write a file that must not exist yet; ``FileExistsError`` if it does (or appears
    meanwhile): a hard link is atomic and never replaces anything."""
    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    tmp = _temp_copy(folder, data)
    try:
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if os.path.lexists(target):
                raise FileExistsError(target) from None
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def stale(name: str) -> bool:
    """Whether ``name`` is a temporary file or folder of a starvault run that is gone."""
    m = _STALE.match(name)
    return m is not None and not _alive(int(m.group(1)))


def clean_stale(folder: os.PathLike[str] | str, names: list[str] | None = None) -> None:
    """Remove what killed runs left in ``folder`` (never following symbolic links)."""
    try:
        names = os.listdir(folder) if names is None else names
    except OSError:
        return
    for name in names:
        if not stale(name):
            continue
        path = Path(folder, name)
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()


def die_with_parent(parent: int) -> None:
    """In a worker process forked by ``parent``: ask Linux to end it when the parent
    dies, so no worker outlives a build or check that was killed. Elsewhere a no-op."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent was already gone before prctl took effect
        os._exit(1)
