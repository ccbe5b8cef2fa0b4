"""rules_version: a content hash of the deployed rules/ and knowledge/ directories.

The hash covers every file under those two directories, by its path relative to the project
root (with ``/`` separators) and its bytes, in sorted path order: the same files give the same
value on every machine, any changed byte, added, removed or renamed file gives another, and
nothing else (modification times, directory listing order, files elsewhere) changes it.
Python bytecode caches (``__pycache__``, ``*.pyc``) are skipped: Python may write them on its own.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from bot.config import ROOT

HASHED_DIRS = ("rules", "knowledge")
SHOWN = 16  # hex digits of the sha256 shown


def _skipped(relative: Path) -> bool:
    return "__pycache__" in relative.parts or relative.suffix == ".pyc"


def content_hash(root: Path, directories: tuple[str, ...] = HASHED_DIRS) -> str:
    """sha256 over each file's relative path and bytes (length-prefixed), sorted by path."""
    files = sorted(
        (path.relative_to(root).as_posix(), path)
        for name in directories
        for path in (root / name).rglob("*")
        if path.is_file() and not _skipped(path.relative_to(root))
    )
    digest = hashlib.sha256()
    for relative, path in files:
        data = path.read_bytes()
        name = relative.encode("utf-8")
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()[:SHOWN]


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The deployed rules' version (computed once per process)."""
    return content_hash(ROOT)
