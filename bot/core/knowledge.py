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

import yaml

from bot.config import ROOT
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
    meta: dict = field(default_factory=dict)   # every front-matter key not listed above


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


def _split_front_matter(path: Path, text: str) -> tuple[dict, list[str], int]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise _error(path, 1, "缺少开头的 --- 元数据", "missing front matter (--- on line 1)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise _error(path, 1, "元数据没有结束的 ---", "front matter is not closed by ---") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise _error(path, line, "元数据不是合法的 YAML", f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise _error(path, 2, "元数据必须是键值对", "front matter must be a mapping")
    return meta, lines[end + 1:], end + 2


def _check_meta(path: Path, meta: dict) -> None:
    for key in REQUIRED:
        if key not in meta:
            raise _error(path, 2, f"元数据缺少 {key}", f"front matter lacks {key!r}")
    if meta["id"] != path.stem:
        raise _error(path, 2, f"id {meta['id']} 与文件名不符", f"id {meta['id']!r} does not match the file name")
    for key in DATE_FIELDS:
        if meta[key] is not None and not isinstance(meta[key], date):
            raise _error(path, 2, f"{key} 必须是日期 YYYY-MM-DD 或 null", f"{key} must be a date YYYY-MM-DD or null")
    for key in ("issuers", "areas"):
        if not isinstance(meta[key], list) or not all(isinstance(v, str) and v for v in meta[key]):
            raise _error(path, 2, f"{key} 必须是文字列表", f"{key} must be a list of strings")
    if not isinstance(meta["title"], str) or not meta["title"]:
        raise _error(path, 2, "title 不能为空", "title must be a non-empty string")


def _parse_body(path: Path, doc_id: str, lines: list[str], first_line: int) -> tuple[Clause, ...]:
    clauses: list[Clause] = []
    section = ""
    current: dict | None = None

    def close() -> None:
        if current is None:
            return
        if not current["text"]:
            raise _error(path, current["line"], f"条款 {current['id']} 没有正文", f"clause {current['id']} has no text")
        clauses.append(Clause(doc_id, current["id"], current["title"], "\n".join(current["text"]), section))

    for offset, raw in enumerate(lines):
        line_no = first_line + offset
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            close()
            clause_id, _, title = line[3:].strip().partition(" ")
            if not CLAUSE_ID.match(clause_id):
                raise _error(path, line_no, f"条款编号 {clause_id} 格式不对", f"malformed clause id {clause_id!r}")
            numeral = SECTION_NUMERAL.match(section)
            if clause_id not in SPECIAL_IDS and (not numeral or not clause_id.startswith(numeral.group(1))
                                                 or clause_id[len(numeral.group(1)):][:1] not in ("", "（")):
                raise _error(path, line_no, f"条款 {clause_id} 不属于所在的章节 {section or '（无）'}",
                             f"clause {clause_id!r} does not belong to section {section!r}")
            if any(c.id == clause_id for c in clauses):
                raise _error(path, line_no, f"条款编号 {clause_id} 重复", f"duplicate clause id {clause_id!r}")
            current = {"id": clause_id, "title": title.strip(), "text": [], "line": line_no}
        elif line.startswith("# "):
            close()
            current = None
            section = line[2:].strip()
        elif line.startswith("#"):
            raise _error(path, line_no, "只允许 # 章节 和 ## 条款 两级标题", "only '# section' and '## clause' headings are allowed")
        elif current is None:
            raise _error(path, line_no, "正文不在任何条款（## 标题）之下", "text outside any clause (## heading)")
        else:
            current["text"].append(line)
    close()
    if not clauses:
        raise _error(path, 0, "文件里没有条款", "the file has no clauses")
    return tuple(clauses)


def load_document(path: Path) -> Document:
    """Read and validate one ``knowledge/<id>.md`` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(path, 0, "无法读取", f"cannot be read: {exc}") from None
    meta, body, first_line = _split_front_matter(path, text)
    _check_meta(path, meta)
    clauses = _parse_body(path, meta["id"], body, first_line)
    extra = {k: v for k, v in meta.items() if k not in REQUIRED}
    extra.update(letterhead=meta["letterhead"], footer=meta["footer"])
    return Document(
        id=meta["id"], title=meta["title"], number=meta["number"], issuers=tuple(meta["issuers"]),
        issued=meta["issued"], period_start=meta["period_start"], period_end=meta["period_end"],
        claim_deadline=meta["claim_deadline"], areas=tuple(meta["areas"]), clauses=clauses, meta=extra,
    )


@lru_cache(maxsize=8)
def load_knowledge(path: Path = ROOT / "knowledge") -> KnowledgeBase:
    """Load every document file under ``path`` (cached; ``load_knowledge.cache_clear()`` to reload)."""
    files = sorted(p for p in Path(path).glob("*.md") if p.name != "README.md")
    if not files:
        raise RulesError(f"知识库 {path} 里没有文件", f"no knowledge files in {path}")
    documents = {}
    for file in files:
        document = load_document(file)
        documents[document.id] = document
    return KnowledgeBase(documents)
