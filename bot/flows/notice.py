"""/notice: the one-time notice (一次性告知单, tongliao-2022 二（一）) as a printable PDF.

A worker gets his own page; a coordinator gets one page per applicant in one PDF (``/notice
名字`` for some of them), each page with a QR code of the applicant's own link, which binds
the worker's Telegram account to the record when scanned.
"""
from __future__ import annotations

import functools
from typing import Any

from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.notice import Notice, NoticePerson, notices_pdf
from bot.core.render import text
from bot.core.replies import Reply
from bot.core.version import rules_version
from bot.flows.deps import Deps, deps_of
from bot.staff import COORDINATOR, create_link, invite_link
from bot.staff.assessment import facts_of

MAX_PAGES = 100


def _person(deps: Deps, facts: dict[str, Any], name: str, env: Env) -> tuple[NoticePerson, list[Any]]:
    """The page's person (home county as full names) and their results as of the day."""
    from bot.core.facts import normalise_facts

    try:
        full = normalise_facts(facts, as_of=env.as_of)
    except InputError:
        full = dict(facts)
    results = deps.staff_ctx().evaluate(facts, env.as_of) if deps.staff else []
    return NoticePerson.from_facts(full, name), list(results)


class NoticeFlow(FlowBase):
    """/notice [名字]: the PDF as a file."""

    name = "notice"
    commands: tuple[str, ...] = ("/notice",)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        if env.role == COORDINATOR:
            return self._applicants(env, deps, inp)
        facts = dict((env.record or {}).get("facts") or {})
        if not facts.get("origin_county"):
            return Step([Reply(text("notice.chat.first"))])
        person, results = _person(deps, facts, inp.name, env)
        link = f"https://t.me/{deps.bot_username}"
        page = [Notice(person, results, env.as_of, rules_version(), link)]
        return Step([Reply(text("notice.chat.own"))], events=[_file(page, env)])

    @staticmethod
    def _applicants(env: Env, deps: Deps, inp: Input) -> Step:
        """One page per applicant of the coordinator (those named, when names are given)."""
        from bot.staff.applicants import own_applicants

        ctx = deps.staff_ctx()
        wanted = set(inp.args)
        people = [a for a in own_applicants(ctx, inp.user_id) if not wanted or a.name in wanted]
        if not people:
            return Step([Reply(text("notice.chat.nobody"))])
        notices = []
        for applicant in people[:MAX_PAGES]:
            person, results = _person(deps, facts_of(applicant.state, applicant.county),
                                      applicant.name, env)
            token = create_link(ctx, inp.user_id, applicant.id).token
            notices.append(Notice(person, results, env.as_of, rules_version(),
                                  invite_link(deps.bot_username, token)))
        said = text("notice.chat.list", count=len(notices), more=max(0, len(people) - MAX_PAGES))
        return Step([Reply(said)], events=[_file(notices, env)])


def _file(notices: list[Notice], env: Env) -> dict[str, Any]:
    """The PDF as a file to send, drawn when it is sent (about 40 ms a page: off the event loop)."""
    return {"type": "send_file", "name": f"一次性告知单-{env.as_of.isoformat()}.pdf",
            "make": functools.partial(notices_pdf, notices),
            "caption": text("notice.chat.caption", as_of=env.as_of)}
