"""Every sentence a user reads comes from ``templates/zh``: this module renders them.

Two kinds of template live there:

* ``*.j2`` files, rendered with :func:`render` by name (``render("result_list", ...)``
  loads ``templates/zh/result_list.j2``);
* ``*.yaml`` files holding short strings, merged into one table and rendered with
  :func:`text` by key (``text("yes")``). A key defined in two files is an error.

Both use ``StrictUndefined``: a missing value fails loudly instead of printing nothing.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from bot.config import ROOT
from bot.core.errors import RulesError

TEMPLATE_DIR = ROOT / "templates" / "zh"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yuan(value: float | None) -> str:
    """Format an amount the way the documents write it: ``3000元``, ``1.5万元`` stays ``15000元``."""
    if value is None:
        return ""
    number = int(value) if float(value).is_integer() else round(float(value), 2)
    return f"{number}元"


def cn_date(value: Any) -> str:
    """Format a date as the documents do: ``2026年12月31日``."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def clause_label(clause_id: str) -> str:
    """How a clause is named to a reader: ``第三（一）条``, or the part's name for 前言/结语/附件."""
    special = {"前言": "开头部分", "结语": "结尾部分", "附件": "附件"}
    return special.get(clause_id) or f"第{clause_id}条"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one jinja2 environment (strict, no autoescape: adapters escape for their channel)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["yuan"] = yuan
    env.filters["cn_date"] = cn_date
    env.filters["clause_label"] = clause_label
    env.globals["text"] = text
    return env


@lru_cache(maxsize=1)
def _sources() -> dict[str, str]:
    """All short strings from ``templates/zh/*.yaml`` as source text (compiled on first use)."""
    table: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for path in sorted(TEMPLATE_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        if not isinstance(data, dict):
            raise RulesError(f"{path.name} 必须是键值表", f"{path.name}: must be a mapping")
        for key, value in data.items():
            if key in table:
                raise RulesError(
                    f"模板键 {key} 重复：{origin[key].name} 和 {path.name}",
                    f"template key {key!r} defined in {origin[key].name} and {path.name}",
                )
            table[key] = str(value)
            origin[key] = path
    return table


@cache
def _compiled(key: str) -> jinja2.Template:
    return environment().from_string(_sources()[key])


def strings() -> dict[str, str]:
    """Every short-string key with its template source."""
    return _sources()


def has_text(key: str) -> bool:
    """Whether a short string with this key exists."""
    return key in _sources()


def text(key: str, **context: Any) -> str:
    """Render the short string ``key`` with ``context``."""
    if key not in _sources():
        raise KeyError(f"no template string {key!r} in templates/zh/*.yaml")
    return _compiled(key).render(**context).strip()


def render(name: str, **context: Any) -> str:
    """Render ``templates/zh/<name>.j2`` with ``context``; surrounding blank lines trimmed."""
    return environment().get_template(f"{name}.j2").render(**context).strip()
