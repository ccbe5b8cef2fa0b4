"""The knowledge base: nothing of the source documents lost, metadata complete, loader strict."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.core.errors import RulesError
from bot.core.knowledge import load_document, load_knowledge

SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = {
    "chaoyang-2022": "000_78032c44555e3ff2.txt",
    "youyi-2022": "001_5e6c01341da738cf.txt",
    "tongliao-2022": "002_9cd7fbd9aa5a26ae.txt",
    "shaoxing-2021": "003_6b7c568753435ffb.txt",
    "chongqing-2021": "004_719f77f8fa43441c.txt",
}
META_TEXT_KEYS = ("title", "number", "letterhead", "signature", "footer", "disclosure", "contact")


def squash(text: str) -> str:
    """Compare form: markdown markers and whitespace gone, brackets and punctuation one width."""
    lines = [re.sub(r"^(?:#+|-)\s+", "", line.strip()) for line in text.split("\n")]
    text = "".join(line for line in lines if line != "---")
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*#|]", "", text)


def seed_pieces(raw: str) -> list[str]:
    """Every sentence of a seed, in compare form, cut at line breaks too (OCR fragments)."""
    pieces = []
    for line in raw.split("\n"):
        pieces += [p for p in re.split(r"[。;!?]", squash(line)) if p]
    return pieces


def body_form(document) -> str:
    """The document's body as it reads: section headings, item markers, clause texts."""
    parts, section = [], None
    for clause in document.clauses:
        if clause.section != section:
            section = clause.section
            parts.append(section)
        item = re.search(r"（(.+)）$", clause.id)
        parts.append((f"（{item.group(1)}）" if item else "") + clause.text)
    return "\x00".join(squash(part) for part in parts)


def meta_form(document) -> str:
    values = [document.title, document.number or "", *document.issuers]
    values += [str(document.meta.get(key) or "") for key in META_TEXT_KEYS]
    return "\x00".join(squash(v) for v in values)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def test_the_five_documents_are_loaded(kb):
    assert set(kb.documents) == set(SEED_FILES)


@pytest.mark.parametrize("doc_id", sorted(SEED_FILES))
def test_every_sentence_of_the_seed_is_kept(kb, doc_id):
    seed = SEEDS / SEED_FILES[doc_id]
    if not seed.exists():
        pytest.skip(f"{seed} not available")
    document = kb.documents[doc_id]
    body, meta = body_form(document), meta_form(document)
    pieces = seed_pieces(seed.read_text(encoding="utf-8"))
    lost = [p for p in pieces if p not in body and p not in meta]
    assert lost == []


@pytest.mark.parametrize("doc_id", sorted(SEED_FILES))
def test_letterhead_and_footer_are_metadata_not_text(kb, doc_id):
    document = kb.documents[doc_id]
    assert document.meta["letterhead"]
    body = squash("\n".join(c.text for c in document.clauses))
    for line in document.meta["letterhead"].split("\n"):
        assert squash(line) not in body
    for marker in ("日印发", "此件", "联系单位"):
        assert marker not in body
    if document.meta["footer"]:
        assert "印发" in document.meta["footer"]


def test_metadata_follows_the_documents(kb):
    docs = kb.documents
    assert docs["chaoyang-2022"].number == "朝人社发〔2022〕1号"
    assert (docs["chaoyang-2022"].period_start, docs["chaoyang-2022"].period_end) == (
        date(2022, 2, 28), date(2024, 2, 27))
    assert docs["youyi-2022"].issued == date(2022, 1, 18)
    assert docs["youyi-2022"].period_end == date(2025, 12, 31)
    assert docs["tongliao-2022"].issued == date(2022, 6, 9)
    assert docs["tongliao-2022"].period_end is None
    shaoxing = docs["shaoxing-2021"]
    assert (shaoxing.period_start, shaoxing.period_end, shaoxing.claim_deadline) == (
        date(2021, 1, 1), date(2025, 12, 31), date(2026, 12, 31))
    assert docs["chongqing-2021"].number is None and docs["chongqing-2021"].issued is None
    assert docs["chongqing-2021"].period_end == date(2025, 12, 31)
    for document in docs.values():
        assert document.title and document.issuers and document.areas
        assert "notes" in document.meta
    assert "马边彝族自治县" in docs["shaoxing-2021"].areas
    assert "科尔沁左翼后旗" in docs["chaoyang-2022"].areas and "科尔沁左翼后旗" in docs["tongliao-2022"].areas


def test_clause_ids_are_unique_and_full_width(kb):
    for document in kb.documents.values():
        ids = [c.id for c in document.clauses]
        assert len(ids) == len(set(ids)), document.id
        assert not any(ch in "()" for i in ids for ch in i)
        assert ids[0] == "前言"


@pytest.mark.parametrize("doc, clause_id, title", [
    ("shaoxing-2021", "三（一）", "鼓励来绍就业"),
    ("shaoxing-2021", "三（三）", "强化就业创业支持"),
    ("youyi-2022", "一（三）", "推进劳务输出和劳务协作"),
    ("youyi-2022", "八（二十六）", "用好乡村公益性岗位"),
    ("chaoyang-2022", "三", "加大就业服务力度，积极促进转移就业"),
    ("chaoyang-2022", "六（四）", "执行期限"),
    ("tongliao-2022", "二（三）", "深化京蒙劳务协作"),
    ("chongqing-2021", "一（一）", "推进劳务输出"),
    ("tongliao-2022", "附件", "2022年度各旗县（市区）易地搬迁脱贫人口（含监测对象）务工就业任务分解表"),
])
def test_clauses_named_by_the_catalog_exist(kb, doc, clause_id, title):
    assert kb.clause(doc, clause_id).title == title


def test_lookup_accepts_half_width_brackets(kb):
    assert kb.clause("youyi-2022", "一(三)") is kb.clause("youyi-2022", "一（三）")
    assert kb.clause("youyi-2022", "九十九") is None


@pytest.mark.parametrize("doc, clause_id, joined", [
    ("chaoyang-2022", "一", "给予5万元的先期工作经费补贴。"),
    ("chaoyang-2022", "三", "为西部地区农村劳动力、脱贫劳动力提供各类就业服务的"),
    ("youyi-2022", "一（三）", "（实际往返一次交通费不足500元的，据实补助）"),
    ("youyi-2022", "前言", "黑龙江省财政厅 黑龙江省农业农村厅"),
    ("youyi-2022", "二（七）", "（责任单位：县人社局、县农业农村局"),
    ("tongliao-2022", "前言", "为进一步做好2022年脱贫人口稳岗就业工作"),
    ("tongliao-2022", "二（一）", "便利脱贫人口及用人单位申请享受帮扶政策。"),
    ("tongliao-2022", "二（七）", "组织开展“雨露计划+”就业促进专项行动"),
    ("shaoxing-2021", "三（一）", "给予一次性3000元的就业稳岗补贴"),
])
def test_ocr_breaks_are_joined(kb, doc, clause_id, joined):
    assert joined in kb.clause(doc, clause_id).text


def test_text_is_clean(kb):
    for clause in kb.all_clauses():
        assert "**" not in clause.text and not clause.text.startswith("#")
        if clause.doc == "youyi-2022":
            assert not re.search(r"[(),:;]", clause.text), clause.id


def test_trailing_paragraphs_belong_to_a_closing_clause(kb):
    assert "兑现政策截止时间为2026年12月31日" in kb.clause("shaoxing-2021", "结语").text
    assert "政策执行期限截止2025年12月31日" in kb.clause("chongqing-2021", "结语").text
    assert "政策执行期限截止到2025年12月31日" in kb.clause("youyi-2022", "结语").text
    assert "有效期暂定为两年" in kb.clause("chaoyang-2022", "六（四）").text


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo-2020.md"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_META = """---
id: demo-2020
title: 示例
number: null
issuers: [示例局]
issued: 2020-01-01
period_start: null
period_end: null
claim_deadline: null
areas: [示例县]
letterhead: 示例局
footer: null
---
"""


def test_a_good_file_loads(tmp_path):
    document = load_document(_write(tmp_path, GOOD_META + "# 一、总则\n\n## 一（一） 目标\n\n目标。正文。\n"))
    assert [(c.id, c.title, c.section) for c in document.clauses] == [("一（一）", "目标", "一、总则")]


@pytest.mark.parametrize("body, line, words", [
    ("# 一、总则\n\n## 一（一） 目标\n\n目标。\n\n## 一（一） 重复\n\n重复。\n", 20, "duplicate"),
    ("正文没有条款。\n", 14, "outside any clause"),
    ("# 一、总则\n\n## 二（一） 错位\n\n正文。\n", 16, "does not belong"),
    ("# 一、总则\n\n## 一(一) 半角\n\n正文。\n", 16, "malformed clause id"),
    ("# 一、总则\n\n## 一（一） 空\n\n## 一（二） 有\n\n正文。\n", 16, "has no text"),
])
def test_a_malformed_file_names_file_and_line(tmp_path, body, line, words):
    with pytest.raises(RulesError) as caught:
        load_document(_write(tmp_path, GOOD_META + body))
    assert f"demo-2020.md:{line}" in caught.value.en and words in caught.value.en


def test_bad_front_matter_is_reported(tmp_path):
    body = "## 前言\n\n正文。\n"
    with pytest.raises(RulesError, match=r"demo-2020.md:6: issued"):
        load_document(_write(tmp_path, GOOD_META.replace("2020-01-01", "2020年") + body))
    with pytest.raises(RulesError, match="lacks 'areas'"):
        load_document(_write(tmp_path, GOOD_META.replace("areas: [示例县]\n", "") + body))


def test_every_document_has_a_short_title_for_workers():
    for doc in load_knowledge().documents.values():
        short = doc.meta.get("short_title")
        # It names the place and the kind of document, and fits a phone line or two.
        assert short and len(short) <= 40 and short.endswith(doc.title[-2:]), doc.id
