"""The one-time notice (一次性告知单, tongliao-2022 二（一）): one printed page per person.

What the person can claim now (amount, deadline, where to go and what to bring, the clause
quoted word for word), what is still to confirm, the day it was worked out and the rules
version, and a QR code opening the bot. Pure: results in, PDF bytes out.

Chinese is set in reportlab's built-in CID font ``STSong-Light`` (no font file is needed; PDF
viewers supply the face). Everything a reader sees comes from ``templates/zh/notice.yaml``.
A page never overflows: long pages are set smaller, then long clause quotes are cut with
"…全文见文件", and as a last resort the whole body is scaled down to fit.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer

from bot.core.render import text
from bot.core.results_view import OPEN_STATUSES, amount_text

FONT = "STSong-Light"
MARGIN = 42.0            # points (about 15 mm)
QR_SIZE = 92.0
FOOTER = QR_SIZE + 16    # height kept for the QR code and the footer lines
SIZES = (10.5, 9.5, 8.5)  # body font sizes tried in turn
QUOTE_LIMITS = (None, 160, 90, 50)  # characters of a clause quote kept (None: whole)
OPEN_SHOWN = 6           # "still to confirm" lines before "还有N项"
GREY = HexColor("#555555")


@dataclass(frozen=True)
class NoticePerson:
    """Whom the notice is for: a name (may be blank, written in by hand) and the home county."""

    name: str
    county: str
    city: str = ""
    province: str = ""

    @classmethod
    def from_facts(cls, facts: dict[str, Any], name: str = "") -> NoticePerson:
        """The person of normalised facts (origin_county/_city/_province as full names)."""
        return cls(name=name, county=str(facts.get("origin_county") or ""),
                   city=str(facts.get("origin_city") or ""), province=str(facts.get("origin_province") or ""))

    def home(self) -> str:
        """As the bot shows a place: 四川省乐山市马边彝族自治县, 北京市朝阳区 (no part twice)."""
        city = "" if self.county.startswith(self.city) else self.city
        return "".join(dict.fromkeys(p for p in (self.province, city, self.county) if p))


@dataclass(frozen=True)
class Notice:
    """One page: a person, their evaluation results, the day and rules version, the bot link."""

    person: NoticePerson
    results: Sequence[Any]
    as_of: date
    rules_version: str
    link: str


def notice_pdf(person: NoticePerson, results: Sequence[Any], as_of: date, rules_version: str,
               link: str) -> bytes:
    """One person's notice as a one-page PDF."""
    return notices_pdf([Notice(person, results, as_of, rules_version, link)])


def notices_pdf(notices: Sequence[Notice]) -> bytes:
    """Every notice of a list (a coordinator's whole list) in one PDF, one page each."""
    _register_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(text("notice.title"))
    canvas.setAuthor("帮扶通")
    for notice in notices:
        _page(canvas, notice)
        canvas.showPage()
    if not notices:
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _own(result: Any) -> bool:
    """A worker's own subsidy in the person's area (not an employer's, nor another area's)."""
    return getattr(result, "beneficiary", "worker") == "worker" and getattr(result, "in_scope", True)


def claimable(results: Sequence[Any]) -> list[Any]:
    """What the person can claim now, soonest deadline first (no deadline last)."""
    own = [r for r in results if r.claimable is True and _own(r)]
    return sorted(own, key=lambda r: r.claim_deadline or date.max)


def to_confirm(results: Sequence[Any]) -> list[Any]:
    """Subsidies still open that need more facts before they can be decided."""
    return [r for r in results if r.eligible is None and r.status in OPEN_STATUSES and _own(r)]


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles(size: float) -> dict[str, ParagraphStyle]:
    lead = size * 1.45
    base = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=lead, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=1),
        "meta": ParagraphStyle("meta", parent=base, fontSize=size + 0.5, leading=lead + 1),
        "head": ParagraphStyle("head", parent=base, fontSize=size + 2, leading=lead + 3,
                               spaceBefore=size * 0.8, spaceAfter=size * 0.3),
        "item": ParagraphStyle("item", parent=base, fontSize=size + 1, leading=lead + 1.5,
                               spaceBefore=size * 0.6),
        "line": ParagraphStyle("line", parent=base, leftIndent=size * 1.6),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=size * 1.6, textColor=GREY,
                                fontSize=size - 1, leading=(size - 1) * 1.45),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=GREY),
    }


def _para(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value), style)


def _quote(quote: str, limit: int | None) -> tuple[str, bool]:
    """The quote whole, or its first ``limit`` characters and "…全文见文件" (cut: True)."""
    if limit is None or len(quote) <= limit:
        return quote, False
    return quote[:limit].rstrip("，、；。 ") + text("notice.quote_cut"), True


def _document(doc: str) -> tuple[str, str]:
    """A document's short name for a clause line (绍兴市文件) and its full title with number."""
    from bot.core.coverage import place_label
    from bot.core.knowledge import load_knowledge

    document = load_knowledge().documents.get(doc)
    if document is None:
        return doc, doc
    return (text("notice.doc_short", place=place_label(document)),
            text("notice.doc_full", title=document.title, number=document.number or ""))


def _item(n: int, result: Any, st: dict[str, ParagraphStyle], limit: int | None) -> tuple[list[Flowable], bool]:
    """One claimable subsidy: title, amount, deadline, office and papers, note, the clause."""
    lines: list[Flowable] = [_para(text("notice.item_title", n=n, title=result.title), st["item"]),
             _para(text("notice.amount", amount=amount_text(result)), st["line"]),
             _para(text("notice.deadline", deadline=result.claim_deadline) if result.claim_deadline
                   else text("notice.no_deadline"), st["line"])]
    how = result.how_to_claim or ""
    if how:
        lines.append(_para(text("notice.how", how=how), st["line"]))
    bring = [b for b in (result.bring or []) if b not in how]
    if bring:
        lines.append(_para(text("notice.bring", items=bring), st["line"]))
    if result.note:
        lines.append(_para(text("notice.note", note=result.note), st["line"]))
    citation = result.citation or {}
    cut = False
    if citation.get("quote"):
        quote, cut = _quote(str(citation["quote"]), limit)
        lines.append(_para(text("notice.basis", doc=_document(str(citation.get("doc", "")))[0],
                                clause=str(citation.get("clause", "")), quote=quote), st["quote"]))
    return lines, cut


def _body(notice: Notice, size: float, limit: int | None) -> list[Flowable]:
    """Everything above the footer, set at ``size`` with quotes cut at ``limit``."""
    st = _styles(size)
    person = notice.person
    story: list[Flowable] = [
        _para(text("notice.title"), st["title"]), Spacer(1, 6),
        _para(text("notice.name", name=person.name) if person.name else text("notice.name_blank"), st["meta"]),
        _para(text("notice.home", home=person.home()), st["meta"]),
        _para(text("notice.as_of", as_of=notice.as_of), st["meta"]),
    ]
    claims = claimable(notice.results)
    cut_any = False
    if claims:
        story.append(_para(text("notice.claim_head", count=len(claims)), st["head"]))
        for n, result in enumerate(claims, 1):
            lines, cut = _item(n, result, st, limit)
            story += lines
            cut_any = cut_any or cut
    else:
        story += [_para(text("notice.none"), st["head"]), _para(text("notice.none_tail"), st["line"])]
    story += _pending(notice.results, st)
    docs = dict.fromkeys(str(r.citation.get("doc", "")) for r in claims if r.citation)
    if docs:
        story.append(Spacer(1, size * 0.6))
        story += [_para(text("notice.documents", short=short, full=full), st["small"])
                  for short, full in (_document(doc) for doc in docs)]
    if cut_any:
        story.append(_para(text("notice.cut_note"), st["small"]))
    return story


def _pending(results: Sequence[Any], st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Subsidies still to confirm, one line each: what is still to know (a figure if there is one)."""
    from bot.core.ledger_rows import missing_labels

    pending = to_confirm(results)
    if not pending:
        return []
    lines: list[Flowable] = [_para(text("notice.open_head"), st["head"])]
    for result in pending[:OPEN_SHOWN]:
        figure = amount_text(result) if (result.amount or {}).get("yuan") is not None else ""
        checks = [c.reason for c in result.conditions if c.status == "unknown" and not c.facts]
        lines.append(_para(text("notice.open_item", title=result.title, amount=figure, checks=checks,
                                facts=missing_labels(result.missing_facts)), st["line"]))
    if len(pending) > OPEN_SHOWN:
        lines.append(_para(text("notice.open_more", count=len(pending) - OPEN_SHOWN), st["line"]))
    return lines


def _height(story: list[Flowable], canvas: Canvas, width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrapOn(canvas, width, height)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def fitting_body(notice: Notice, canvas: Canvas, width: float, height: float) -> tuple[list[Flowable], bool]:
    """The body at the largest size and the longest quotes that fit (fits: False when none did)."""
    for limit in QUOTE_LIMITS:
        for size in SIZES:
            story = _body(notice, size, limit)
            if _height(story, canvas, width, height) <= height:
                return story, True
    return _body(notice, SIZES[-1], QUOTE_LIMITS[-1]), False


def _page(canvas: Canvas, notice: Notice) -> None:
    page_w, page_h = A4
    width = page_w - 2 * MARGIN
    body_h = page_h - 2 * MARGIN - FOOTER
    story, fits = fitting_body(notice, canvas, width, body_h)
    frame = Frame(MARGIN, MARGIN + FOOTER, width, body_h, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, showBoundary=0)
    # Even the smallest setting may be too long (dozens of subsidies): scale it all to fit.
    frame.addFromList(story if fits else [KeepInFrame(width, body_h, story, mode="shrink")], canvas)
    _footer(canvas, notice, width)


def _footer(canvas: Canvas, notice: Notice, width: float) -> None:
    """A rule, the QR code of the link (bottom right; none without a link), the lines beside it."""
    top = MARGIN + FOOTER - 6
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top, MARGIN + width, top)
    st = _styles(9.5)
    lines: list[Flowable] = []
    if notice.link:
        canvas_qr(canvas, notice.link, MARGIN + width - QR_SIZE, MARGIN, QR_SIZE)
        lines += [_para(text("notice.qr"), st["meta"]), _para(notice.link, st["small"])]
    lines += [_para(text("notice.footer"), st["small"]),
              _para(text("notice.version", version=notice.rules_version), st["small"])]
    frame = Frame(MARGIN, MARGIN, width - QR_SIZE - 12, FOOTER - 12, leftPadding=0, rightPadding=0,
                  topPadding=4, bottomPadding=0, showBoundary=0)
    frame.addFromList(lines, canvas)


def canvas_qr(canvas: Canvas, link: str, x: float, y: float, size: float) -> None:
    """A QR code of ``link``, ``size`` points square, its lower left corner at (x, y)."""
    drawing = Drawing(size, size)
    drawing.add(QrCodeWidget(link, barLevel="M", barWidth=size, barHeight=size))   # quiet zone inside
    drawing.drawOn(canvas, x, y)
