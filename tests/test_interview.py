"""The step machine with small fakes of the evaluator, search and gazetteer (tests/fake_core.py)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from fake_core import FAKE, FakeResult, fake_evaluate

from bot.core import conversation as conv
from bot.core.reminders import plan_reminders
from bot.core.replies import Button, Reply, pack
from bot.core.results_view import results_replies

AS_OF = date(2026, 11, 22)


def run(inputs: list[str], state: dict | None = None) -> conv.Turn:
    """Feed inputs: ``!data`` presses a button, anything else is typed."""
    turn = conv.start(None, as_of=AS_OF) if state is None else conv.Turn(state, [], [])
    for item in inputs:
        if item.startswith("!"):
            turn = conv.handle_button(turn.state, item[1:], as_of=AS_OF, services=FAKE)
        else:
            turn = conv.handle_text(turn.state, item, as_of=AS_OF, services=FAKE)
        json.dumps(turn.state)  # the adapter stores it: must stay JSON-serialisable
        for reply in turn.replies:
            assert reply.text and len(reply.text) <= 4000
            assert all(b.data.isascii() and len(b.data.encode()) <= 64 for row in reply.buttons for b in row)
    return turn


def all_text(turn: conv.Turn) -> str:
    return "\n".join(r.text for r in turn.replies)


def labels(turn: conv.Turn) -> list[str]:
    return [b.label for r in turn.replies for row in r.buttons for b in row]


def test_start_keeps_the_payload():
    turn = conv.start(None, as_of=AS_OF, payload="from-poster-7")
    assert turn.state["payload"] == "from-poster-7"
    assert "开始" in labels(turn)


def test_asks_only_until_nothing_open_can_change():
    turn = run(["!go", "马边", "!a:person_category:other"])
    assert turn.state["phase"] == "done"
    assert turn.state["facts"] == {"origin_county": "马边", "person_category": "other"}


def test_typed_answer_to_a_button_question():
    turn = run(["!go", "马边", "我是建档立卡户"])
    assert turn.state["facts"]["person_category"] == "poverty_alleviated"
    assert turn.state["pending"] == "social_insurance_months"


def test_claimable_result_with_amount_deadline_and_days_left():
    turn = run(["!go", "马边", "脱贫户", "一年半"])
    text = all_text(turn)
    assert "3000元" in text and "2026年12月31日前申请" in text and "还剩39天" in text
    assert any(b.data == "why:fake.stable" for r in turn.replies for row in r.buttons for b in row)


def test_near_miss_and_threshold_reminder():
    turn = run(["!go", "马边", "脱贫户", "2个月"])
    assert "再缴1个月社保" in all_text(turn)
    turn = conv.handle_button(turn.state, "remind", as_of=AS_OF, services=FAKE)
    (event,) = turn.events
    assert event["type"] == "reminders_accepted"
    assert [(r["due"], r["kind"]) for r in event["reminders"]] == [("2026-12-01", "threshold")]


def test_back_removes_the_last_answer_and_asks_it_again():
    turn = run(["!go", "马边", "脱贫户", "/back"])
    assert turn.state["pending"] == "person_category"
    assert "person_category" not in turn.state["facts"]
    assert turn.state["facts"]["origin_county"] == "马边"


def test_back_on_the_first_question_says_so():
    turn = run(["!go", "/back"])
    assert "已经是第一个问题了" in all_text(turn)
    assert turn.state["pending"] == "origin_county"


def test_review_then_change_one_answer():
    turn = run(["!go", "马边", "脱贫户", "2个月", "/review"])
    assert "你在打工的地方交了几个月社保？ → 2个月" in labels(turn)
    turn = run(["!edit:social_insurance_months", "!a:social_insurance_months:12"], turn.state)
    assert turn.state["facts"]["social_insurance_months"] == 12
    assert "还剩39天" in all_text(turn)


def test_restart_clears_answers_but_keeps_the_payload():
    turn = conv.start(None, as_of=AS_OF, payload="p1")
    turn = run(["!go", "马边", "/restart"], turn.state)
    assert turn.state["facts"] == {} and turn.state["payload"] == "p1"
    assert turn.state["pending"] == "origin_county"


def test_i_dont_know_skips_the_question():
    turn = run(["!go", "马边", "不清楚"])
    assert turn.state["skipped"] == ["person_category"]
    assert turn.state["pending"] == "social_insurance_months"


@pytest.mark.parametrize("garbage", ["asdf", "？？？", "😀", "1234567890123456789", "", "/nonsense"])
def test_nonsense_never_loses_answers(garbage):
    before = run(["!go", "马边", "脱贫户"])
    after = run([garbage], before.state)
    assert after.state["facts"] == before.state["facts"]
    assert after.state["pending"] == "social_insurance_months"


def test_short_unparseable_reply_gets_not_understood_hint_and_question():
    turn = run(["!go", "马边", "脱贫户", "很久"])
    assert turn.replies[-1].text.startswith("没看懂")
    assert "比如：3个月" in turn.replies[-1].text


def test_free_question_gets_clauses_then_the_question_again():
    turn = run(["!go", "马边", "租房有补贴吗"])
    assert "《测试文件》第三（三）条" in turn.replies[0].text
    assert "你家是哪一类？" in turn.replies[-1].text
    assert turn.state["pending"] == "person_category"


def test_ambiguous_county_offers_choices():
    turn = run(["!go", "朝阳"])
    assert {"北京市朝阳区", "辽宁省朝阳县"} <= set(labels(turn))
    turn = run(["!a:origin_county:1"], turn.state)
    assert turn.state["facts"]["origin_county"] == "辽宁省朝阳县"


@pytest.mark.parametrize("data", ["a:social_insurance_months:3", "why:nope", "zzz", "edit:nope",
                                  "skip:unemployed", "a:origin_county:9", "edit:person_category", ""])
def test_stale_buttons_are_polite(data):
    before = run(["!go", "马边"])
    turn = run([f"!{data}"], before.state)
    assert "这个按钮已过期" in all_text(turn)
    assert turn.state == before.state
    assert "你家是哪一类？" in turn.replies[-1].text


def test_stale_answer_button_after_the_question_moved_on():
    turn = run(["!go", "马边", "!a:origin_county:0"])
    assert "这个按钮已过期" in all_text(turn)
    assert turn.state["pending"] == "person_category"


def test_help_lists_the_commands():
    turn = run(["/help"])
    for command in ("/back", "/restart", "/review", "/me", "/delete", "/subscribe", "/unsubscribe"):
        assert command in all_text(turn)


def test_long_results_are_split_at_item_boundaries():
    items = [(f"第{i}项" + "字" * 900, [Button("为什么", f"why:r{i}")]) for i in range(10)]
    replies = pack(items)
    assert len(replies) > 1 and all(len(r.text) <= 4000 for r in replies)
    assert "\n\n".join(r.text for r in replies) == "\n\n".join(t for t, _ in items)
    assert sum(len(r.buttons) for r in replies) == 10


def test_button_data_must_be_short_ascii():
    with pytest.raises(ValueError):
        Button("太长", "x" * 65)
    with pytest.raises(ValueError):
        Button("中文", "why:中文")
    assert isinstance(Reply("好"), Reply)


def _claimable(deadline: date | None) -> FakeResult:
    return FakeResult("fake.claim", "稳岗补贴", True, True, claim_deadline=deadline,
                      amount={"yuan": 3000, "per": "once", "up_to": False})


@pytest.mark.parametrize("as_of, expected", [
    (date(2026, 11, 22), [("2026-12-01", "deadline_30"), ("2026-12-24", "deadline_7")]),
    (date(2026, 12, 10), [("2026-12-24", "deadline_7")]),
    (date(2026, 12, 24), []),
])
def test_deadline_reminders_30_and_7_days_before_only_in_the_future(as_of, expected):
    plans = plan_reminders([_claimable(date(2026, 12, 31))], {}, as_of)
    assert [(p["due"], p["kind"]) for p in plans] == expected
    assert all(p["rule_id"] == "fake.claim" and "2026年12月31日" in p["text"] for p in plans)


def test_no_deadline_no_reminder():
    assert plan_reminders([_claimable(None)], {}, AS_OF) == []


def test_threshold_reminder_only_when_time_alone_closes_every_gap():
    facts = {"origin_county": "马边", "person_category": "poverty_alleviated", "social_insurance_months": 2}
    near = fake_evaluate(facts, AS_OF)
    (plan,) = plan_reminders(near, facts, AS_OF)
    assert (plan["due"], plan["kind"]) == ("2026-12-01", "threshold")
    near[0].conditions[1].crosses_on = None
    assert plan_reminders(near, facts, AS_OF) == []


def test_no_threshold_reminder_after_the_claim_deadline():
    facts = {"origin_county": "马边", "person_category": "poverty_alleviated", "social_insurance_months": 1}
    near = fake_evaluate(facts, AS_OF)   # 3 months reached on 2027-01-01, after 2026-12-31
    assert plan_reminders(near, facts, AS_OF) == []


def test_a_gap_that_cannot_close_inside_the_period_is_too_late_not_a_near_miss():
    facts = {"origin_county": "马边", "person_category": "poverty_alleviated", "social_insurance_months": 2}
    (result,) = fake_evaluate(facts, AS_OF)
    result.status, result.period_end = "claim_window", date(2025, 12, 31)
    text = "\n".join(r.text for r in results_replies([result], {"facts": facts}, AS_OF, False))
    assert "差一点" not in text
    assert "再缴1个月社保也来不及了，条件要在2025年12月31日以前满足" in text
    assert plan_reminders([result], facts, AS_OF) == []


def test_back_after_i_dont_know_asks_the_skipped_question_again():
    turn = run(["!go", "马边", "不清楚", "/back"])
    assert turn.state["pending"] == "person_category"
    assert turn.state["skipped"] == [] and turn.state["facts"] == {"origin_county": "马边"}


def test_an_answer_typed_on_the_welcome_screen_answers_the_first_question():
    turn = run(["马边"])
    assert turn.state["facts"] == {"origin_county": "马边"}
    assert turn.state["pending"] == "person_category"


def test_a_greeting_on_the_welcome_screen_just_starts():
    turn = run(["你好"])
    assert turn.state["pending"] == "origin_county"
    assert not turn.replies[-1].text.startswith("没看懂")


def buttons(turn: conv.Turn) -> list[str]:
    return [b.data for r in turn.replies for row in r.buttons for b in row]


def test_a_denied_category_is_shown_back_to_confirm_then_recorded():
    turn = run(["!go", "马边", "我不是脱贫户，就是种地的"])
    assert "你是说：普通农村，不是脱贫户？" in all_text(turn)
    assert {"ok:person_category", "no:person_category"} <= set(buttons(turn))
    assert "person_category" not in turn.state["facts"]
    turn = run(["!ok:person_category"], turn.state)
    assert turn.state["facts"]["person_category"] == "rural_other"
    assert "confirm" not in turn.state


@pytest.mark.parametrize("typed, recorded", [("是", "rural_other"), ("对的", "rural_other"), ("不是", None)])
def test_a_confirmation_can_be_typed(typed, recorded):
    turn = run(["!go", "马边", "我不是脱贫户，就是种地的", typed])
    assert turn.state["facts"].get("person_category") == recorded
    if recorded is None:
        assert turn.state["pending"] == "person_category" and "confirm" not in turn.state
        assert "你家是哪一类？" in turn.replies[-1].text


def test_no_on_a_confirmation_asks_the_question_again_with_its_buttons():
    turn = run(["!go", "马边", "应该是脱贫户吧", "!no:person_category"])
    assert "person_category" not in turn.state["facts"]
    assert "a:person_category:poverty_alleviated" in buttons(turn)


def test_another_answer_while_a_confirmation_waits_replaces_it():
    turn = run(["!go", "马边", "应该是脱贫户吧", "监测户"])
    assert turn.state["facts"]["person_category"] == "monitored" and "confirm" not in turn.state


@pytest.mark.parametrize("data", ["ok:person_category", "no:person_category", "ok:origin_county", "ok:", "no:x" * 10])
def test_stale_confirmation_buttons_are_polite(data):
    before = run(["!go", "马边", "脱贫户"])
    turn = run([f"!{data}"], before.state)
    assert "这个按钮已过期" in all_text(turn)
    assert turn.state == before.state


def test_a_confirmation_button_after_the_answer_was_recorded_is_stale():
    turn = run(["!go", "马边", "我不是脱贫户，就是种地的", "!ok:person_category"])
    again = run(["!ok:person_category"], turn.state)
    assert "这个按钮已过期" in all_text(again) and again.state == turn.state


def test_only_a_denial_says_what_was_understood_and_asks_again():
    turn = run(["!go", "马边", "不是监测户"])
    assert "不是监测户" in turn.replies[0].text
    assert "person_category" not in turn.state["facts"] and turn.state["pending"] == "person_category"
    assert "a:person_category:monitored" in buttons(turn)


def test_a_vague_amount_of_time_offers_values_to_pick():
    turn = run(["!go", "马边", "脱贫户", "大半年"])
    assert "“大半年”是几个月？" in all_text(turn)
    assert [label for label in labels(turn) if label.endswith("个月")] == [f"{n}个月" for n in range(7, 12)]
    turn = run(["!a:social_insurance_months:1"], turn.state)
    assert turn.state["facts"]["social_insurance_months"] == 8


def test_almost_two_years_is_taken_with_its_lower_end():
    turn = run(["!go", "马边", "脱贫户", "快两年"])
    assert turn.state["facts"]["social_insurance_months"] == 18
