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


def _imports(package_dir, *, lazy: bool) -> dict[str, set[str]]:
    """Module -> the bot.* modules it imports (``lazy``: also imports inside functions)."""
    import ast
    from pathlib import Path

    root = Path(package_dir).parent
    graph: dict[str, set[str]] = {}
    for path in Path(package_dir).rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = ast.walk(tree) if lazy else iter(tree.body)
        found: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.startswith("bot"))
        graph[name] = found
    return {name: {m for m in deps if m in graph and m != name} for name, deps in graph.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_module_level_import_cycles():
    import bot

    graph = _imports(bot.__path__[0], lazy=False)
    # a package's __init__ re-exporting its modules is not a cycle of the code
    graph = {n: {m for m in d if not n.startswith(m + ".")} for n, d in graph.items()}
    assert _cycle(graph) == []


def test_flows_and_domain_packages_import_no_channel_library():
    import ast
    from pathlib import Path

    import bot

    for package in ("flows", "staff", "broadcast", "core"):
        for path in (Path(bot.__path__[0]) / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                         else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
                assert not any(n == "telegram" or n.startswith("telegram.") for n in names), \
                    f"{path} imports {names}"


def test_adapters_hold_no_sql():
    import ast
    from pathlib import Path

    import bot

    for path in (Path(bot.__path__[0]) / "adapters").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            assert not any(n.split(".")[0] in ("sqlalchemy", "sqlmodel") for n in names), \
                f"{path} imports {names}"


def test_no_import_cycles_in_the_adapters_even_through_late_imports():
    import bot

    graph = _imports(bot.__path__[0], lazy=True)
    adapters = {n: {m for m in d if m.startswith("bot.adapters")} for n, d in graph.items()
                if n.startswith("bot.adapters")}
    adapters = {n: {m for m in d if not n.startswith(m + ".")} for n, d in adapters.items()}
    assert _cycle(adapters) == []
