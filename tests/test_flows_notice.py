"""/notice through the ChatApp: the worker's own page, a coordinator's page per applicant."""
from __future__ import annotations

from datetime import date
from io import BytesIO

from pypdf import PdfReader
from test_flows_applicants import USERS, chat_for

from bot.flows.app import file_content

TYPED = ["/start", "开始", "我老家马边县", "建档立卡户", "绍兴柯桥", "2024年2月 第一次来", "两年半", "对", "没有"]


def _pdf_text(events) -> tuple[int, str]:
    [sent] = [e for e in events if e["type"] == "send_file"]
    assert sent["name"].endswith(".pdf")
    pages = PdfReader(BytesIO(file_content(sent))).pages
    return len(pages), "\n".join(page.extract_text() for page in pages)


def test_a_worker_prints_his_own_notice_after_the_interview(sqlite_storage):
    chat = chat_for(sqlite_storage, {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村"})
    worker = USERS["worker"]
    texts, _, events = chat.act(worker, "command", "/notice")
    assert "先查一下" in texts[0] and not events
    for typed in TYPED:
        chat.act(worker, "command" if typed.startswith("/") else "text", typed)
    texts, _, events = chat.act(worker, "command", "/notice")
    pages, body = _pdf_text(events)
    assert pages == 1
    for wanted in ("马边彝族自治县", "3000元", "2026年12月31日", "2026年11月22日"):
        assert wanted in body.replace(" ", ""), wanted


def test_a_coordinator_gets_one_page_per_applicant_each_with_its_own_link(sqlite_storage):
    chat = chat_for(sqlite_storage, {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村",
                                     "applicants": 3})
    coordinator = USERS["coordinator"]
    texts, _, events = chat.act(coordinator, "command", "/notice")
    pages, body = _pdf_text(events)
    assert pages == 3 and "3人" in texts[0]
    assert body.count("lnk_") == 3   # each page prints its own applicant link
    texts, _, events = chat.act(coordinator, "command", "/notice 钱小明")
    pages, body = _pdf_text(events)
    assert pages == 1 and "钱小明" in body and "赵小明" not in body
