"""The knowledge base: the cleaned policy documents in ``knowledge/*.md``.

Each file is one document: YAML front matter (the document's metadata: number, issuers,
dates, areas, letterhead, footer, notes), then its text as Markdown, in this shape
(``knowledge/README.md`` describes it in full)::

    # 三、具体措施                 a section: sets Clause.section for the clauses below
    ## 三（一） 鼓励来绍就业        a clause: its id, then its title (may be absent)
    鼓励来绍就业。凡对口帮扶…      the clause's text, one paragraph per line

Clause ids use full-width brackets; lookups accept half-width ones too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import POLICY_ROOT
from bot.core.errors import RulesError

__all__ = ["Clause", "Document", "KnowledgeBase", "load_knowledge", "normalise_clause_id"]

NUMERALS = "一二三四五六七八九十"
SPECIAL_IDS = ("前言", "结语", "附件")
CLAUSE_ID = re.compile(rf"^(?:[{NUMERALS}]+(?:（[{NUMERALS}]+）)?|{'|'.join(SPECIAL_IDS)})$")
SECTION_NUMERAL = re.compile(rf"^([{NUMERALS}]+)、")
REQUIRED = ("id", "title", "number", "issuers", "issued", "period_start", "period_end",
            "claim_deadline", "areas", "letterhead", "footer")
DATE_FIELDS = ("issued", "period_start", "period_end", "claim_deadline")


@dataclass(frozen=True)
class Clause:
    doc: str        # document id, e.g. "shaoxing-2021"
    id: str         # "三（一）", "三", "八（二十六）", "前言", "结语", "附件"
    title: str      # the clause's heading or lead phrase ("鼓励来绍就业"), may be ""
    text: str       # the whole clause, cleaned of OCR breaks; paragraphs joined by "\n"
    section: str    # the top-level heading it sits under ("三、具体措施", "前言")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    number: str | None
    issuers: tuple[str, ...]
    issued: date | None
    period_start: date | None
    period_end: date | None
    claim_deadline: date | None
    areas: tuple[str, ...]
    clauses: tuple[Clause, ...]
    meta: dict[str, Any] = field(default_factory=dict)   # every front-matter key not listed above


def normalise_clause_id(clause_id: str) -> str:
    """``"一(三)"`` -> ``"一（三）"``: full-width brackets, no spaces."""
    return re.sub(r"\s+", "", clause_id).replace("(", "（").replace(")", "）")


class KnowledgeBase:
    """The loaded documents, by id."""

    def __init__(self, documents: dict[str, Document]) -> None:
        self.documents = documents
        self._clauses = {(c.doc, c.id): c for d in documents.values() for c in d.clauses}

    def clause(self, doc: str, clause_id: str) -> Clause | None:
        """The clause ``clause_id`` of document ``doc``, or None."""
        return self._clauses.get((doc, normalise_clause_id(clause_id)))

    def all_clauses(self) -> list[Clause]:
        """Every clause of every document, in file order."""
        return [c for d in self.documents.values() for c in d.clauses]


def _error(path: Path, line: int, zh: str, en: str) -> RulesError:
    where = f"{path.name}:{line}" if line else path.name
    return RulesError(f"知识库文件 {where}：{zh}", f"knowledge file {where}: {en}")


def _split_front_matter(path: Path, lines: list[str]) -> tuple[dict[str, Any], int]:
    """The front matter, and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        raise _error(path, 1, "缺少开头的 --- 元数据", "missing front matter (--- on line 1)")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise _error(path, 1, "元数据没有结束的 ---", "front matter is not closed by ---")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(path, mark.line + 2 if mark else 1, "元数据不是合法的 YAML",
                     f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise _error(path, 2, "元数据必须是键值对", "front matter must be a mapping")
    return meta, end + 1


def _check_meta(path: Path, lines: list[str], meta: dict[str, Any]) -> None:
    def fail(key: str, zh: str, en: str) -> RulesError:
        line = next((i + 1 for i, text in enumerate(lines) if text.startswith(f"{key}:")), 2)
        return _error(path, line, zh, en)

    for key in REQUIRED:
        if key not in meta:
            raise fail(key, f"元数据缺少 {key}", f"front matter lacks {key!r}")
    if meta["id"] != path.stem:
        raise fail("id", f"id {meta['id']} 与文件名不符", f"id {meta['id']!r} is not the file name")
    if not isinstance(meta["title"], str) or not meta["title"]:
        raise fail("title", "title 不能为空", "title must be a non-empty string")
    for key in DATE_FIELDS:
        if meta[key] is not None and not isinstance(meta[key], date):
            raise fail(key, f"{key} 必须是日期 YYYY-MM-DD 或 null", f"{key} must be YYYY-MM-DD or null")
    for key in ("issuers", "areas"):
        if not isinstance(meta[key], list) or not all(isinstance(v, str) and v for v in meta[key]):
            raise fail(key, f"{key} 必须是文字列表", f"{key} must be a list of strings")


def _check_clause_id(path: Path, line: int, clause_id: str, section: str, seen: set[str]) -> None:
    if not CLAUSE_ID.match(clause_id):
        raise _error(path, line, f"条款编号 {clause_id} 格式不对", f"malformed clause id {clause_id!r}")
    if clause_id in seen:
        raise _error(path, line, f"条款编号 {clause_id} 重复", f"duplicate clause id {clause_id!r}")
    if clause_id in SPECIAL_IDS:
        return
    numeral = SECTION_NUMERAL.match(section)
    item = clause_id.split("（")[0]
    if not numeral or numeral.group(1) != item:
        raise _error(path, line, f"条款 {clause_id} 不属于所在的章节 {section or '（无）'}",
                     f"clause {clause_id!r} does not belong to section {section!r}")


@dataclass
class _ClauseDraft:
    """A clause being read: its id, title, text lines so far and the line of its heading."""

    id: str
    title: str
    text: list[str]
    line: int


def _parse_body(path: Path, doc_id: str, lines: list[str], first: int) -> tuple[Clause, ...]:
    """Clauses from the Markdown body; ``first`` is the index of its first line in the file."""
    clauses: list[Clause] = []
    section = ""
    current: _ClauseDraft | None = None

    def close() -> None:
        if current is not None:
            if not current.text:
                raise _error(path, current.line, f"条款 {current.id} 没有正文",
                             f"clause {current.id} has no text")
            clauses.append(Clause(doc_id, current.id, current.title, "\n".join(current.text),
                                  section))

    for number, line in enumerate((raw.strip() for raw in lines[first:]), first + 1):
        if not line:
            continue
        if line.startswith("## "):
            close()
            clause_id, _, title = line[3:].strip().partition(" ")
            _check_clause_id(path, number, clause_id, section, {c.id for c in clauses})
            current = _ClauseDraft(clause_id, title.strip(), [], number)
        elif line.startswith("# "):
            close()
            section, current = line[2:].strip(), None
        elif line.startswith("#"):
            raise _error(path, number, "只允许 # 章节 和 ## 条款 两级标题",
                         "only '# section' and '## clause' headings are allowed")
        elif current is None:
            raise _error(path, number, "正文不在任何条款（## 标题）之下",
                         "text outside any clause (## heading)")
        else:
            current.text.append(line)
    close()
    if not clauses:
        raise _error(path, 0, "文件里没有条款", "the file has no clauses")
    return tuple(clauses)


def load_document(path: Path) -> Document:
    """Read and validate one ``knowledge/<id>.md`` file."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(path, 0, "无法读取", f"cannot be read: {exc}") from None
    meta, first = _split_front_matter(path, lines)
    _check_meta(path, lines, meta)
    clauses = _parse_body(path, meta["id"], lines, first)
    extra = {k: v for k, v in meta.items() if k not in REQUIRED}
    extra.update(letterhead=meta["letterhead"], footer=meta["footer"])
    return Document(
        id=meta["id"], title=meta["title"], number=meta["number"], issuers=tuple(meta["issuers"]),
        issued=meta["issued"], period_start=meta["period_start"], period_end=meta["period_end"],
        claim_deadline=meta["claim_deadline"], areas=tuple(meta["areas"]), clauses=clauses,
        meta=extra,
    )


@lru_cache(maxsize=8)
def load_knowledge(path: Path = POLICY_ROOT / "knowledge") -> KnowledgeBase:
    """Every document file under ``path`` (cached: ``load_knowledge.cache_clear()`` reloads)."""
    files = sorted(p for p in Path(path).glob("*.md") if p.name != "README.md")
    if not files:
        raise RulesError(f"知识库 {path} 里没有文件", f"no knowledge files in {path}")
    documents = {}
    for file in files:
        document = load_document(file)
        documents[document.id] = document
    return KnowledgeBase(documents)
