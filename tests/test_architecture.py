"""The core stays channel- and storage-independent; settings are read in one place."""
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import bot.core

ROOT = Path(__file__).resolve().parent.parent


def test_core_imports_neither_telegram_nor_sqlmodel():
    modules = [f"bot.core.{m.name}" for m in pkgutil.iter_modules(bot.core.__path__)]
    assert "bot.core.evaluator" in modules and "bot.core.conversation" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'sqlmodel', 'sqlalchemy'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "", f"core pulled in: {out.stdout.strip()}"


def test_environment_is_read_only_in_config():
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name == "config.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ|os\.getenv", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_eval_or_exec_in_package():
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if re.search(r"(?<![\w.])(eval|exec)\(", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
