"""One entry point per input: ``start`` / ``handle_text`` / ``handle_button`` → :class:`Turn`.

Pure functions of (state, input, as_of): the adapter stores ``Turn.state`` and shows
``Turn.replies``; nothing is kept here between calls.
"""
from __future__ import annotations

import copy
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core import confirm, screens
from bot.core import interview as iv
from bot.core.answers import parse_unknown
from bot.core.errors import InputError, RulesError
from bot.core.live import refresh
from bot.core.personal import personal_line
from bot.core.presenter import (
    answer_label,
    clause_reply,
    free_answer_reply,
    help_reply,
    question_reply,
    review_reply,
    welcome_reply,
)
from bot.core.questions import catalogue
from bot.core.render import text
from bot.core.replies import Button, Reply, Turn

if TYPE_CHECKING:
    from bot.core.answering import Answer

__all__ = ["Button", "Reply", "Turn", "free_answer", "handle_button", "handle_text", "is_question",
           "resume", "start"]

# How people type a question: 啥, 哪些, 哪天, 几 (not 十几/好几), 谁, a final 不/没/么/嘛 …
QUESTION_CUES = re.compile(
    r"[吗呢?？]|怎么|怎样|多少|有没有|能不能|可不可以|是不是|什么|啥|哪|谁|为什么|如何|咋"
    r"|(?<![十一好])几(?=[个块千百万天年月号时岁家人次钱]|$)")
FINAL_PARTICLE = re.compile(r"..[不没么嘛麽]$")
# A question word before 都/也 + 不/没 is a universal denial, not a question: 啥证都没有,
# 什么也没交, 哪里都没去. It is taken out before the cues are looked for.
UNIVERSAL_DENIAL = re.compile(r"(?:啥|什么|哪|谁)[^，,。？?]{0,4}?[都也](?:没|不)")
# Said on the welcome screen or after the results, these are not questions.
REMARKS = frozenset({"谢谢", "谢了", "多谢", "感谢", "好", "好的", "好滴", "嗯", "嗯嗯", "哦", "ok", "知道了",
                     "明白了", "收到", "行", "你好", "您好", "hi", "hello", "开始", "在吗", "喂"})
LONG_TEXT = 12
AHEAD_KINDS = ("category",)   # answers distinctive enough to keep when typed before their question
# Complaints about an answer that was read as one (a future date, a number out of range, a
# 兵团 unit no document lists): said as they are, never taken for a free question instead.
RECOGNISED = frozenset({"interview.future_date", "interview.out_of_range", "interview.which_month",
                        "interview.which_level", "interview.unknown_unit"})
BUTTON_VALUES = {"yes": "是", "no": "否"}


def start(state: dict[str, Any] | None, *, as_of: date, payload: str | None = None,
          services: iv.Services | None = None) -> Turn:
    """``/start [payload]``: welcome and a start button; earlier answers are kept (resume)."""
    refresh()  # rules activated meanwhile: answer with them
    state = _own(state)
    state["phase"], state["pending"], state["options"] = "welcome", None, []
    if payload:
        state["payload"] = payload
    return Turn(state, [welcome_reply(resumable=bool(state["answers"] or state["skipped"]))], [])


def resume(state: dict[str, Any] | None, *, as_of: date, services: iv.Services | None = None) -> Turn:
    """The current screen again (for an adapter that restarts with a stored state)."""
    refresh()  # rules activated meanwhile: answer with them
    state = _own(state)
    if state["phase"] == "done":
        return screens.advance(state, as_of, services or iv.DEFAULT_SERVICES)
    return screens.current(state)


def handle_text(state: dict[str, Any] | None, text_in: str, *, as_of: date,
                services: iv.Services | None = None) -> Turn:
    """A typed message: a command, an answer to the pending question, or a free question."""
    refresh()  # rules activated meanwhile: answer with them
    services = services or iv.DEFAULT_SERVICES
    state = _own(state)
    message = (text_in or "").strip()
    if message.startswith("/"):
        state.pop("confirm", None)  # the question is shown again: an answer held to confirm is dropped
        return _command(state, message, as_of, services)
    if state["phase"] == "welcome":
        return _welcome_text(state, message, as_of, services)
    if state["phase"] == "done" or not state.get("pending"):
        return _after_results(state, message, as_of, services)
    choice = confirm.typed_choice(message) if state.get("confirm") else None
    if choice is not None:
        return _confirmed(state, state["pending"], choice, as_of, services)
    return _answer(state, message, as_of, services)


def handle_button(state: dict[str, Any] | None, data: str, *, as_of: date,
                  services: iv.Services | None = None) -> Turn:
    """A pressed button (its ASCII data); stale or unknown data gets a polite reply."""
    refresh()  # rules activated meanwhile: answer with them
    services = services or iv.DEFAULT_SERVICES
    state = _own(state)
    kind, _, rest = (data or "").partition(":")
    if kind == "go":
        return _begin(state, as_of, services, "")
    if kind in ("back", "review", "restart"):
        return _command(state, f"/{kind}", as_of, services)
    if kind in ("ok", "no") and confirm.held_answer(state, rest) is not None:
        return _confirmed(state, rest, kind == "ok", as_of, services)
    if kind == "a" and rest.partition(":")[0] == state.get("pending"):
        return _answer(state, _button_value(state, rest.partition(":")[2]), as_of, services)
    if kind == "skip" and rest == state.get("pending"):
        iv.skip(state, rest)
        return screens.advance(state, as_of, services)
    if kind == "edit" and rest in catalogue() and screens.answered(state, rest):
        iv.forget(state, rest)
        return screens.ask(state, rest)
    if kind == "results" and state["phase"] == "done":
        return screens.advance(state, as_of, services)
    if kind == "why":
        return screens.why(state, rest, as_of, services)
    if kind == "clause":
        whole = clause_reply(rest, services.doc_title)
        return screens.current(state, whole) if whole else screens.stale(state)
    if kind == "remind":
        return screens.remind(state, as_of, services)
    return screens.stale(state)


def is_question(message: str) -> bool:
    """Whether typed text reads as a question (for flows that wait for a name or a date)."""
    return not _remark(message) and _is_question(message.strip())


def free_answer(state: dict[str, Any] | None, message: str, *, as_of: date,
                services: iv.Services | None = None) -> list[Reply]:
    """The documents' answer to a free question; the interview state is not changed."""
    return [_free_reply(_own(state), message.strip(), as_of, services or iv.DEFAULT_SERVICES)]


def _own(state: dict[str, Any] | None) -> dict[str, Any]:
    """A private, valid copy of the stored state."""
    return iv.ensure_state(copy.deepcopy(state) if state else None)


def _is_question(message: str) -> bool:
    """Whether a message reads like a question rather than an answer."""
    message = UNIVERSAL_DENIAL.sub("", message)
    return bool(QUESTION_CUES.search(message) or FINAL_PARTICLE.search(message))


def _remark(message: str) -> bool:
    """Thanks, greetings, 'ok': not a question."""
    return message.lower().strip("!！。.~～ ") in REMARKS


def _command(state: dict[str, Any], message: str, as_of: date, services: iv.Services) -> Turn:
    """The commands shared by every channel."""
    name, _, argument = message.partition(" ")
    name = name.split("@")[0].lower()
    if name == "/start":
        return start(state, as_of=as_of, payload=argument.strip() or state.get("payload"))
    if name == "/restart":
        fresh = iv.new_state(state.get("payload"))
        turn = _begin(fresh, as_of, services, "")
        return Turn(turn.state, [Reply(text("interview.restarted"), [])] + turn.replies, turn.events)
    if name == "/back":
        key = iv.back(state)
        if key is None:
            return screens.current(state, Reply(text("interview.nothing_to_undo"), []))
        return screens.ask(state, key)
    if name == "/review":
        return Turn(state, [review_reply(state)], [])
    if name == "/help":
        return screens.current(state, help_reply())
    return screens.current(state, Reply(text("interview.unknown_command"), []), help_reply())


def _begin(state: dict[str, Any], as_of: date, services: iv.Services, free_question: str) -> Turn:
    """Leave the welcome screen: answer a free question if any, then the first question."""
    state["phase"] = "asking"
    turn = screens.advance(state, as_of, services)
    if free_question:
        turn.replies.insert(0, _free_reply(turn.state, free_question, as_of, services))
    return turn


def _welcome_text(state: dict[str, Any], message: str, as_of: date, services: iv.Services) -> Turn:
    """Text on the welcome screen: an answer to the first question, a remark ('go'), or else
    a free question (answered, then the first question)."""
    if not message or _remark(message):
        return _begin(state, as_of, services, "")
    if _is_question(message):
        return _begin(state, as_of, services, message)
    turn = _begin(state, as_of, services, "")
    key = turn.state.get("pending")
    parsed = iv.parse(key, message, turn.state, as_of, services) if key else None
    if parsed is not None and (parsed.error is None or parsed.options):
        # An answer, or a near miss to confirm (我是沭川的 → 沐川县?): the first question's path.
        return _answer(turn.state, message, as_of, services)
    turn.replies.insert(0, _free_reply(turn.state, message, as_of, services))
    return turn


def _answer(state: dict[str, Any], message: str, as_of: date, services: iv.Services) -> Turn:
    """Read an answer to the pending question: a confident one is taken, an uncertain one is
    shown back to confirm, a vague amount of time gets values to pick; else explain and ask."""
    key = state["pending"]
    state.pop("confirm", None)  # a new answer replaces one waiting for confirmation
    offered = state.get("options") or []
    if len(offered) == 1 and (choice := confirm.typed_choice(message)) is not None:
        # "你说的是下面这个地方吗？" offers one place: a typed 是/对 takes it, 不是 asks again.
        if not choice:
            state["options"] = []
            return Turn(state, confirm.again(state, key), [])
        message = offered[0]
    if parse_unknown(message):
        iv.skip(state, key)
        return screens.advance(state, as_of, services)
    if _is_question(message) and not state.get("options"):
        return _free(state, message, as_of, services)
    parsed = iv.parse(key, message, state, as_of, services)
    if parsed.error is None and not parsed.sure:
        return Turn(state, [confirm.hold(state, key, parsed)], [])
    if parsed.error is None:
        return _take(state, key, parsed, as_of, services)
    if parsed.error == "interview.pick_months":
        state["options"] = parsed.options
        return Turn(state, [confirm.pick_reply(state, key, message, parsed.options)], [])
    if not parsed.options and not parsed.denied and parsed.error not in RECOGNISED:
        ahead = _answer_ahead(state, key, message, as_of, services)
        if ahead is not None:
            return ahead
        # Neither a confident answer nor a place: a question when the documents answer it
        # (or it is long); otherwise the answer was meant, and what was not understood is said.
        answer = _answer_question(state, message, as_of, services)
        if answer.answered or len(message) > LONG_TEXT:
            return _free(state, message, as_of, services, answer)
    state["options"] = parsed.options
    if parsed.denied:
        return Turn(state, confirm.denied_reply(state, key, parsed.denied), [])
    return Turn(state, [question_reply(state, key, parsed.error)], [])


def _answer_ahead(state: dict[str, Any], key: str, message: str, as_of: date,
                  services: iv.Services) -> Turn | None:
    """脱贫户 typed at the county question: a sure answer to a later question of a distinctive
    kind is kept for that question (not asked again), then the pending question again."""
    for other, question in catalogue().items():
        if other == key or question.kind not in AHEAD_KINDS or screens.answered(state, other):
            continue
        parsed = iv.parse(other, message, state, as_of, services)
        if parsed.error is None and parsed.sure:
            iv.record(state, other, parsed)
            state.pop("noted", None)
            state["pending"] = key
            noted = Reply(text("interview.noted_ahead", answer=answer_label(parsed.shown)), [])
            return Turn(state, [noted, question_reply(state, key, "interview.back_to_question")], [])
    return None


def _take(state: dict[str, Any], key: str, parsed: iv.Parsed, as_of: date, services: iv.Services) -> Turn:
    """Record an answer and move on (an answer the evaluator refuses is forgotten and asked again)."""
    iv.record(state, key, parsed)
    try:
        return screens.advance(state, as_of, services)
    except RulesError:
        raise
    except InputError:
        iv.forget(state, key)
        return Turn(state, [question_reply(state, key, "interview.not_understood")], [])


def _confirmed(state: dict[str, Any], key: str, yes: bool, as_of: date, services: iv.Services) -> Turn:
    """The person's word on an answer shown back to them: record it, or ask again."""
    held = confirm.held_answer(state, key)
    if held is None:
        return screens.stale(state)
    if yes:
        return _take(state, key, held, as_of, services)
    return Turn(state, confirm.again(state, key), [])


def _button_value(state: dict[str, Any], value: str) -> str:
    """The text a pressed answer button stands for."""
    options: list[str] = state.get("options") or []
    if options and value.isdigit() and int(value) < len(options):
        return options[int(value)]
    return BUTTON_VALUES.get(value, value)


CONTEXT_FACTS = ("origin_county", "work_city", "work_county")


def _answer_question(state: dict[str, Any], message: str, as_of: date, services: iv.Services) -> Answer:
    """The documents' answer to a free question, the asker's places ranked first."""
    from bot.core.answering import compose

    return compose(message, services.search(message, 5, _context(state)), as_of)


def _free_reply(state: dict[str, Any], message: str, as_of: date, services: iv.Services,
                answer: Answer | None = None) -> Reply:
    """A free question's reply (answer, or 'the documents do not say')."""
    from bot.core.answering import is_vague

    if is_vague(message) and not _context(state):   # 多少钱: the interview itself answers it
        return Reply(text("interview.vague_question"), [])
    answer = answer or _answer_question(state, message, as_of, services)
    return free_answer_reply(answer, services.doc_title)


def _free(state: dict[str, Any], message: str, as_of: date, services: iv.Services, answer: Answer | None = None) -> Turn:
    """A free question mid-interview: the answer, then the pending question again."""
    reply = _free_reply(state, message, as_of, services, answer)
    return Turn(state, [reply, question_reply(state, state["pending"], "interview.back_to_question")], [])


def _after_results(state: dict[str, Any], message: str, as_of: date, services: iv.Services) -> Turn:
    """Text after the results: a remark gets the actions again; anything else is a question."""
    if not message or _remark(message):
        return screens.current(state)
    reply = _free_reply(state, message, as_of, services)
    own = personal_line(message, services.evaluate(state["facts"], as_of), as_of)
    if own:   # the person's own amount, deadline or office leads; the clause follows
        answered = text("ask.not_covered") not in reply.text
        reply = Reply(f"{own}\n\n{reply.text}" if answered else own, reply.buttons)
    return screens.current(state, reply)


def _context(state: dict[str, Any]) -> str:
    """Where the person is from and works: "给多少钱啊" after the interview means money under
    the person's own documents, so the search ranks the documents of those places first."""
    return " ".join(str(state["facts"][key]) for key in CONTEXT_FACTS if state["facts"].get(key))

