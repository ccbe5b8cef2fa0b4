"""Property tests of the answer parsers: Chinese numerals round-trip, no text makes them crash."""
from __future__ import annotations

from datetime import date

import cn2an
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import answers
from bot.core.confirm import typed_choice

AS_OF = date(2026, 11, 22)
READERS = [
    answers.chinese_number, answers.read_number, answers.read_months, answers.read_yes_no,
    answers.read_category, answers.read_certificate, lambda t: answers.read_date(t, AS_OF),
]
HELPERS = [answers.parse_unknown, answers.says_first_time, answers.without_cues, answers.clean,
           typed_choice]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8))
def test_chinese_numerals_round_trip(n):
    assert answers.chinese_number(cn2an.an2cn(n)) == n
    assert answers.parse_number(cn2an.an2cn(n) + "元") == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**8))
def test_financial_numerals_round_trip(n):
    assert answers.chinese_number(cn2an.an2cn(n, "up")) == n


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=600))
def test_months_written_in_chinese_round_trip(n):
    assert answers.parse_months(cn2an.an2cn(n) + "个月") == n


texts = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=30),   # lone surrogates too
    st.text(alphabet="不是没有非快多半年月个零一二两三四五六七八九十百千万亿去前今底初春节后.0123456789吧左右", max_size=20),
)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_no_text_makes_a_parser_raise_anything_but_not_understood(text):
    for read in READERS:
        try:
            read(text)
        except answers.NotUnderstood:
            pass
    for helper in HELPERS:
        helper(text)


QUESTIONS = ["person_category", "social_insurance_months", "employment_start", "travel_cost_yuan",
             "renting_self", "certificate_level", "contract_months", "first_arrival"]
SAYINGS = ["我不是脱贫户，就是种地的", "应该是吧", "大半年", "一年多", "是", "不是", "对", "没有", "快两年",
           "去年春节后", "前年", "大概三百", "不是监测户", "/help", "/back"]
PRESSES = ["ok:{q}", "no:{q}", "a:{q}:0", "a:{q}:3", "skip:{q}", "ok:person_category", "no:x"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(QUESTIONS),
       st.lists(st.one_of(st.tuples(st.just("text"), st.one_of(st.sampled_from(SAYINGS), texts)),
                          st.tuples(st.just("tap"), st.sampled_from(PRESSES))), max_size=8))
def test_answers_and_confirmations_in_any_order_keep_a_valid_state(question, steps):
    import json

    from answer_cases import state_asking

    from bot.core import conversation as conv

    facts = {"origin_county": "马边", "person_category": "poverty_alleviated", "work_province": "浙江省",
             "work_city": "绍兴市"}
    state = state_asking(question, facts)
    for kind, value in steps:
        if kind == "text":
            turn = conv.handle_text(state, value, as_of=AS_OF)
        else:
            turn = conv.handle_button(state, value.format(q=state.get("pending") or question), as_of=AS_OF)
        assert turn.replies and all(r.text for r in turn.replies)
        assert json.loads(json.dumps(turn.state)) == turn.state
        held = turn.state.get("confirm")
        if held:
            assert held["key"] == turn.state["pending"]
            assert not set(held["facts"]) & set(turn.state["facts"]) - set(facts)
        state = turn.state
