"""Every question has its words, and every interview template renders with sample data."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.core.questions import catalogue, fact_specs
from bot.core.render import TEMPLATE_DIR, has_text, render, text

MINE = ("facts.yaml", "interview.yaml")
SAMPLE = {"city": "绍兴市", "title": "就业稳岗补贴", "n": 12, "yuan": 3000, "per": "month", "up_to": False,
          "deadline": date(2026, 12, 31), "left": 39, "need": 1, "amount": "3000元",
          "question": "你老家是哪个县？", "answer": "马边彝族自治县", "titles": ["来京就业补贴"], "gaps": ["再缴1个月社保"], "end": date(2025, 12, 31),
          "dates": [date(2026, 12, 1), date(2026, 12, 24)], "year": 2024, "month": 2}
SAMPLE.update(value="普通农村", denied="脱贫户", typed="大半年")   # the confirmation strings
SAMPLE.update(how="到柯桥区人力社保局申请。")   # a result's how_to_claim
SAMPLE.update(path="/tmp/台账.xlsx", chat=12345, text="你好", role="协管员")   # the terminal notes
J2_SAMPLES = {
    "question": {"complaint": "没看懂你的回答。", "question": "你老家是哪个县？", "hint": "打县的名字"},
    "welcome": {"resumable": True},
    "help": {},
    "free_answer": {"answered": True, "notes": ["绍兴市这份文件已经结束。"], "others": [],
                    "first": {"title": "绍兴市文件", "clause": "三（三）", "sentence": "自行租房的，每月500元。"}},
    "result_head": {"count": 3},
    "result_item": {"title": "就业稳岗补贴", "amount": "3000元", "deadline": "2026年12月31日前申请",
                    "how": "到人力社保局", "bring": ["身份证", "社保缴费证明"], "note": "注意"},
    "result_open": {"title": "技能提升补贴", "amount": "最多1500元", "questions": ["你有证书吗？"],
                    "checks": ["你是不是搬迁户，要问当地人力社保局"]},
    "result_near": {"title": "就业稳岗补贴", "amount": "3000元", "gaps": ["再缴1个月社保"],
                    "when": date(2026, 12, 1)},
    "why": {"title": "就业稳岗补贴", "conditions": [{"mark": "✓", "reason": "脱贫人口"}],
            "doc_title": "绍兴市文件", "clause": "三（一）", "quote": "给予一次性3000元", "note": ""},
}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_question_has_text_and_hint(key):
    assert text(f"question.{key}", city="绍兴市")
    assert text(f"hint.{key}", city="绍兴市")


@pytest.mark.parametrize("fact", sorted(f for f, s in fact_specs().items() if s.get("type") == "enum"))
def test_every_choice_has_a_label(fact):
    for value in fact_specs()[fact]["choices"]:
        assert has_text(f"choice.{fact}.{value}"), f"choice.{fact}.{value}"


def _my_keys() -> list[str]:
    keys: list[str] = []
    for name in MINE:
        keys += list(yaml.safe_load((TEMPLATE_DIR / name).read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("key", _my_keys())
def test_short_string_renders(key):
    rendered = text(key, **SAMPLE)
    assert rendered and "{{" not in rendered and "{%" not in rendered


@pytest.mark.parametrize("name", sorted(J2_SAMPLES))
def test_screen_renders(name):
    rendered = render(name, **J2_SAMPLES[name])
    assert rendered and "{{" not in rendered


def test_every_screen_template_has_a_sample():
    mine = {"question", "welcome", "help", "free_answer", "why"} | {
        p.stem for p in Path(TEMPLATE_DIR).glob("result_*.j2")}
    assert mine <= set(J2_SAMPLES)


def test_amount_wording():
    assert text("result.amount", yuan=3000, per="once", up_to=False) == "3000元"
    assert text("result.amount", yuan=500, per="month", up_to=False) == "每月500元"
    assert text("result.amount", yuan=1500, per="once", up_to=True) == "最多1500元"
    assert text("result.deadline", deadline=date(2026, 12, 31), left=39) == "2026年12月31日前申请（还剩39天）"
    assert text("result.deadline", deadline=date(2026, 12, 31), left=None) == "2026年12月31日前申请"
