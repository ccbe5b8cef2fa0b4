"""New rules without a restart: every cached load is dropped when the deployed files change.

Rules, knowledge, the search index, the gazetteer and ``rules_version()`` are loaded once and
cached (``functools`` caches in ``bot.core``). ``refresh()`` looks at the files under
``POLICY_DIR`` (rules/ and knowledge/: each file's path, size and modification time, and the
directories themselves, so a swapped symlink or a renamed directory counts), at most once a
second, and when anything changed clears those caches: the next question loads the new set.
The conversation entry points and the evaluator call it, so every process (bot, staff, CLI)
answers with the files on disk within a second of an activation.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from bot.config import POLICY_ROOT

CHECK_EVERY = 1.0  # seconds between two looks at the files
_lock = threading.Lock()
_state: dict[str, object] = {"at": 0.0, "seen": None}


def fingerprint(root: Path = POLICY_ROOT) -> tuple[object, ...]:
    """What changes when any file under rules/ or knowledge/ is added, removed or rewritten."""
    marks: list[tuple[object, ...]] = []
    for name in ("rules", "knowledge"):
        top = root / name
        try:
            real = os.path.realpath(top)
            info = os.stat(real)
        except OSError:
            marks.append((name, None))
            continue
        marks.append((name, real, info.st_ino, info.st_mtime_ns))
        for folder, dirs, files in os.walk(real):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for file in sorted(files):
                try:
                    stat = os.stat(os.path.join(folder, file))
                except OSError:
                    continue
                marks.append((folder, file, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(marks)


def clear_caches() -> int:
    """Drop every cached load of ``bot.core`` (rules, knowledge, index, places, version)."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "bot.core" or name.startswith("bot.core.")):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()
                cleared += 1
    return cleared


def refresh(force: bool = False) -> bool:
    """Clear the caches if the deployed files changed since the last look; True when they did."""
    now = time.monotonic()
    if not force and now - float(_state["at"]) < CHECK_EVERY:  # type: ignore[arg-type]
        return False
    with _lock:
        _state["at"] = now
        seen = fingerprint()
        if _state["seen"] is None:
            _state["seen"] = seen
            return False
        if seen == _state["seen"]:
            return False
        _state["seen"] = seen
        clear_caches()
        return True
