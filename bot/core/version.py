"""rules_version: a content hash of the deployed rules/ and knowledge/ directories.

The hash covers every file under those two directories, by its path relative to the policy
root (``POLICY_DIR``, default the project root; ``/`` separators) and its bytes, in sorted path
order: the same files give the same value on every machine, any changed byte, added, removed or
renamed file gives another, and nothing else (modification times, directory listing order,
files elsewhere) changes it.
Python bytecode caches (``__pycache__``, ``*.pyc``) are skipped: Python may write them on its own.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from bot.config import POLICY_ROOT

HASHED_DIRS = ("rules", "knowledge")
SHOWN = 16  # hex digits of the sha256 shown


def _skipped(relative: Path) -> bool:
    return "__pycache__" in relative.parts or relative.suffix == ".pyc"


def policy_files(root: Path, directories: tuple[str, ...] = HASHED_DIRS) -> dict[str, bytes]:
    """Every hashed file under ``root``: relative path (``rules/x.yaml``) -> bytes, sorted by path."""
    found = sorted(
        (path.relative_to(root).as_posix(), path)
        for name in directories
        for path in (root / name).rglob("*")
        if path.is_file() and not _skipped(path.relative_to(root))
    )
    return {relative: path.read_bytes() for relative, path in found}


def files_hash(files: Mapping[str, bytes]) -> str:
    """sha256 over each file's relative path and bytes (length-prefixed), sorted by path."""
    digest = hashlib.sha256()
    for relative in sorted(files):
        data = files[relative]
        name = relative.encode("utf-8")
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()[:SHOWN]


def content_hash(root: Path, directories: tuple[str, ...] = HASHED_DIRS) -> str:
    """The version of the rules and knowledge under ``root``."""
    return files_hash(policy_files(root, directories))


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The deployed rules' version (computed once per process)."""
    return content_hash(POLICY_ROOT)
