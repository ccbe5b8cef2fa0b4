"""Small fakes of the evaluator, search and gazetteer, to test the step machine alone."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.core.errors import InputError
from bot.core.interview import Services


@dataclass
class FakeCondition:
    id: str
    status: str
    facts: list[str]
    reason: str
    gap: dict | None = None
    crosses_on: date | None = None


@dataclass
class FakeResult:
    id: str
    title: str
    eligible: bool | None
    claimable: bool | None
    status: str = "active"
    claim_deadline: date | None = date(2026, 12, 31)
    period_end: date | None = None
    amount: dict | None = None
    amount_note: str | None = None
    missing_facts: list[str] = field(default_factory=list)
    conditions: list[FakeCondition] = field(default_factory=list)
    citation: dict = field(default_factory=lambda: {"doc": "fake-doc", "clause": "三（一）", "quote": "原文"})
    how_to_claim: str = "到人力社保局申请"
    bring: list[str] = field(default_factory=lambda: ["身份证"])
    note: str | None = None
    policy: str = "fake"
    beneficiary: str = "worker"
    reasons: list[str] = field(default_factory=list)


def _condition(cid: str, fact: str, value, test) -> FakeCondition:
    if value is None:
        return FakeCondition(cid, "unknown", [fact], f"不知道{fact}")
    return FakeCondition(cid, "met" if test(value) else "unmet", [fact], f"{fact}={value}")


def fake_evaluate(facts: dict, as_of: date) -> list[FakeResult]:
    """One rule: needs category poverty_alleviated and >= 3 months of insurance."""
    conditions = [
        _condition("category", "person_category", facts.get("person_category"),
                   lambda v: v == "poverty_alleviated"),
        _condition("insurance", "social_insurance_months", facts.get("social_insurance_months"),
                   lambda v: v >= 3),
    ]
    if conditions[1].status == "unmet":
        need = 3 - facts["social_insurance_months"]
        conditions[1].gap = {"fact": "social_insurance_months", "need": need, "unit": "month"}
        conditions[1].crosses_on = date(as_of.year + (as_of.month + need > 12), (as_of.month + need - 1) % 12 + 1, 1)
    missing = [c.facts[0] for c in conditions if c.status == "unknown"]
    if "origin_county" not in facts:
        missing.insert(0, "origin_county")
    unmet = any(c.status == "unmet" for c in conditions)
    eligible = False if unmet else (None if missing else True)
    return [FakeResult("fake.stable", "稳岗补贴", eligible, eligible,
                       amount={"yuan": 3000, "per": "once", "up_to": False},
                       missing_facts=missing, conditions=conditions)]


@dataclass(frozen=True)
class FakePlace:
    name: str


def fake_county(text: str) -> FakePlace:
    if text.strip() == "朝阳":
        raise InputError("有几个朝阳", "ambiguous", choices=["北京市朝阳区", "辽宁省朝阳县"])
    if text.strip() in ("马边", "北京市朝阳区", "辽宁省朝阳县"):
        return FakePlace({"马边": "马边彝族自治县"}.get(text.strip(), text.strip()))
    raise InputError("没有这个县", "unknown county")


@dataclass(frozen=True)
class FakeHit:
    clause: object
    score: float


@dataclass(frozen=True)
class FakeClause:
    doc: str
    id: str
    text: str


def fake_search(question: str, top: int, context: str = "") -> list[FakeHit]:
    return [FakeHit(FakeClause("fake-doc", "三（三）", "自行租房的，每月补贴500元。"), 0.9)][:top]


FAKE = Services(evaluate=fake_evaluate, search=fake_search, resolve_county=fake_county,
                resolve_work_place=lambda t: None, doc_title=lambda d: "测试文件")
