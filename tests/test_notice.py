"""The one-time notice (一次性告知单): what the printed page says, that it stays one page, and
that it draws (pypdfium2). Cases in tests/cases/notice.yaml."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import yaml
from pypdf import PdfReader

from bot.cli import main
from bot.core.evaluator import evaluate
from bot.core.facts import normalise_facts
from bot.core.knowledge import load_knowledge
from bot.core.notice import Notice, NoticePerson, claimable, notice_pdf, notices_pdf
from bot.core.render import text
from bot.core.version import rules_version

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "tests/cases/notice.yaml").read_text(encoding="utf-8"))
LINK = "https://t.me/example_bot?start=n_4f2a"


def pages(pdf: bytes) -> list[str]:
    """Each page's text with the page's line breaks and spaces taken out."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def person_and_results(case: dict) -> tuple[NoticePerson, list, date]:
    as_of = case["as_of"]
    facts = normalise_facts(dict(case["facts"]), as_of=as_of)
    return NoticePerson.from_facts(facts, case["person"]), evaluate(facts, as_of), as_of


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_notice_says(case):
    person, results, as_of = person_and_results(case)
    found = pages(notice_pdf(person, results, as_of, rules_version(), LINK))
    assert len(found) == 1
    page = found[0]
    for phrase in case["says"]:
        assert re.sub(r"\s+", "", phrase) in page, phrase
    for phrase in case.get("not_says", []):
        assert phrase not in page, phrase
    assert f"规则版本：{rules_version()}" in page and LINK in page


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_claim_is_on_the_page_with_its_clause_word_for_word(case):
    person, results, as_of = person_and_results(case)
    page = pages(notice_pdf(person, results, as_of, rules_version(), LINK))[0]
    for result in claimable(results):
        quote = result.citation["quote"]
        clause = load_knowledge().clause(result.citation["doc"], result.citation["clause"])
        assert clause is not None and quote in clause.text   # the quote is the document's own words
        assert result.title in page
        assert re.sub(r"\s+", "", quote) in page
        if result.amount is None:          # no figure in the document: say so, print no number
            assert result.amount_note and result.amount_note in page


def test_only_the_workers_own_subsidies_are_listed():
    case = CASES[0]
    as_of = case["as_of"]
    facts = normalise_facts(dict(case["facts"]), as_of=as_of)
    everyone = evaluate(facts, as_of, audience="all")
    others = [r for r in everyone if r.beneficiary != "worker"]
    assert others
    page = pages(notice_pdf(NoticePerson.from_facts(facts, "张三"), everyone, as_of, rules_version(), LINK))[0]
    worker_titles = {r.title for r in everyone if r.beneficiary == "worker"}
    assert [r.title for r in others if r.title not in worker_titles and r.title in page] == []
    assert [r.beneficiary for r in claimable(everyone)] == ["worker"] * len(claimable(everyone))


def test_a_long_list_still_fits_one_page_with_quotes_cut_and_said_so():
    person, results, as_of = person_and_results(CASES[0])
    many = claimable(results) * 5          # 25 subsidies: far more than a page holds at full size
    page = pages(notice_pdf(person, many, as_of, rules_version(), LINK))
    assert len(page) == 1
    assert text("notice.quote_cut") in page[0] and text("notice.cut_note") in page[0]
    assert all(r.title in page[0] for r in many)
    assert "2026年12月31日" in page[0] and LINK in page[0]


def test_a_coordinators_list_gives_one_page_per_person():
    notices = []
    for case in CASES:
        person, results, as_of = person_and_results(case)
        notices.append(Notice(person, results, as_of, rules_version(), f"{LINK}{len(notices)}"))
    found = pages(notices_pdf(notices))
    assert len(found) == len(CASES)
    for n, (case, page) in enumerate(zip(CASES, found, strict=True)):
        assert f"{LINK}{n}" in page
        if case["person"]:
            assert f"姓名：{case['person']}" in page


def render_page(pdf: bytes):
    """The first page drawn at 72 dpi (one pixel a point), in grey."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()


def qr_corner(image) -> np.ndarray:
    """The QR code's place: bottom right inside the margins (MARGIN 42, QR_SIZE 92 points)."""
    width, height = image.size
    return np.asarray(image)[height - 42 - 92:height - 42, width - 42 - 92:width - 42]


def test_the_page_draws_and_has_its_qr_code(tmp_path):
    person, results, as_of = person_and_results(CASES[0])
    image = render_page(notice_pdf(person, results, as_of, rules_version(), LINK))
    image.save(tmp_path / "notice.png")
    assert image.size in ((595, 842), (596, 842))     # A4 (595.3 x 841.9 points)
    assert (tmp_path / "notice.png").stat().st_size > 5000
    pixels = np.asarray(image)
    assert (pixels < 128).sum() > 2000 and (pixels > 250).mean() > 0.5   # drawn, on white paper
    # About half of a QR code's modules are dark.
    assert 0.3 < (qr_corner(image) < 128).mean() < 0.7


def test_the_qr_code_on_the_page_is_the_link():
    """Each module of the drawn code (read back from the rendered page) is the encoder's module."""
    from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
    from reportlab.lib.pagesizes import A4

    from bot.core.notice import MARGIN, QR_SIZE

    expected = QRCode(None, QRErrorCorrectLevel.M)
    expected.addData(LINK)
    expected.make()
    count = expected.getModuleCount()
    person, results, as_of = person_and_results(CASES[0])
    document = pdfium.PdfDocument(notice_pdf(person, results, as_of, rules_version(), LINK))
    scale = 4
    pixels = np.asarray(document[0].render(scale=scale).to_pil().convert("L"))
    document.close()
    box = QR_SIZE / (count + 8)                      # 4 modules of quiet zone each side
    left, top = A4[0] - MARGIN - QR_SIZE, A4[1] - MARGIN - QR_SIZE
    seen = [[bool(pixels[int((top + (r + 4.5) * box) * scale), int((left + (c + 4.5) * box) * scale)] < 128)
             for c in range(count)] for r in range(count)]
    assert seen == [[bool(m) for m in row] for row in expected.modules]


def test_without_a_link_there_is_no_qr_code():
    person, results, as_of = person_and_results(CASES[0])
    pdf = notice_pdf(person, results, as_of, rules_version(), "")
    assert text("notice.qr") not in pages(pdf)[0]
    assert (qr_corner(render_page(pdf)) > 200).all()


def test_cli_writes_the_notice(tmp_path):
    facts = dict(CASES[0]["facts"], as_of="2026-11-22")
    source = tmp_path / "facts.yaml"
    source.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "notice.pdf"
    assert main(["notice", "--facts", str(source), "--name", "李四", "--link", LINK, "-o", str(out)]) == 0
    page = pages(out.read_bytes())
    assert len(page) == 1
    assert "姓名：李四" in page[0] and "2026年11月22日" in page[0] and "3000元" in page[0]
    assert main(["notice", "--facts", str(source), "--as-of", "2021-06-01", "-o", str(out)]) == 0
    assert "按2021年6月1日的情况和政策算" in pages(out.read_bytes())[0]


def test_every_notice_string_is_used():
    keys = yaml.safe_load((ROOT / "templates/zh/notice.yaml").read_text(encoding="utf-8"))
    source = "".join((ROOT / path).read_text(encoding="utf-8")
                     for path in ("bot/core/notice.py", "bot/flows/notice.py"))   # the page, the chat
    assert [k for k in keys if f'"{k}"' not in source] == []
