"""The core stays channel- and storage-independent; settings are read in one place."""
import ast
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


def _syntax(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_roots(tree: ast.Module) -> set[str]:
    """The top-level packages a module imports (anywhere in it, lazy imports included)."""
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_packages_import_no_telegram():
    """bot/broadcast and bot/staff talk to Telegram only through what the adapters hand them."""
    files = [path for package in ("broadcast", "staff")
             for path in sorted((ROOT / "bot" / package).rglob("*.py"))]
    assert len(files) > 20  # the scan saw the packages
    offenders = [str(path.relative_to(ROOT)) for path in files
                 if {"telegram", "httpx"} & _imported_roots(_syntax(path))]
    assert offenders == []


def _private_uses(tree: ast.Module) -> list[str]:
    """``x._name`` on anything but self/cls, and getattr/hasattr/setattr of a ``_name``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name, owner = node.attr, node.value
            mine = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            if name.startswith("_") and not name.startswith("__") and not mine:
                found.append(f"{node.lineno}: .{name}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and node.args[1].value.startswith("_") and not node.args[1].value.startswith("__")):
            found.append(f"{node.lineno}: {node.func.id}(…, {node.args[1].value!r})")
    return found


def test_no_private_attributes_of_telegram_objects():
    """Public python-telegram-bot API only: in every module that imports telegram nothing reaches
    into another object's ``_private`` attributes, and nothing in bot/ posts with ``Bot._post``."""
    offenders, telegram_modules = [], 0
    for path in sorted((ROOT / "bot").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        if re.search(r"\._post\b|[\"']_post[\"']", source):
            offenders.append(f"{where}: _post")
        tree = _syntax(path)
        if "telegram" in _imported_roots(tree):
            telegram_modules += 1
            offenders += [f"{where}:{use}" for use in _private_uses(tree)]
    assert telegram_modules > 10  # the adapters were scanned
    assert offenders == []
