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
