"""The worker's account: /subscribe, /unsubscribe, /me and /delete (a coordinator's handover)."""
from __future__ import annotations

from typing import Any

from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import render, text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import Deps, deps_of


def known_answers(record: dict[str, Any] | None) -> dict[str, Any]:
    """The interview's answers (fact -> value) found in a chat record."""
    record = record or {}
    for key in ("facts", "answers"):
        if isinstance(record.get(key), dict):
            return dict(record[key])
    return {}


def _fairs_opt_out(deps: Deps, user_id: int, opt_out: bool) -> bool:
    """Record a linked applicant's choice about job fairs; False when the user is not one."""
    from bot.staff.links import set_fairs_opt_out

    return deps.staff is not None and set_fairs_opt_out(deps.staff, user_id, opt_out)


def _county_name(answer: str) -> str:
    """The county's full name (the subscription key), as the gazetteer spells it."""
    from bot.core.places import resolve_county

    try:
        return resolve_county(answer).name
    except InputError:
        return answer


def _subscribe(deps: Deps, user_id: int, county: str, city: str | None) -> Reply:
    """Subscribe the user to the county (and work city) and say so."""
    places = [("county", county)] + ([("city", city)] if city else [])
    added = [deps.storage.subscribe(user_id, kind, key) for kind, key in places]
    names = text("telegram.subscribe.joiner").join(key for _, key in places)
    key = "telegram.subscribe.done" if any(added) else "telegram.subscribe.already"
    return Reply(text(key, places=names))


class SubscribeFlow(FlowBase):
    """/subscribe: job-fair news for the home county and work city (asks the county if unknown)."""

    name = "subscribe"
    commands: tuple[str, ...] = ("/subscribe",)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        answers = known_answers(env.record)
        city = answers.get("work_city")
        if inp.kind == "command":
            deps.storage.upsert_user(inp.user_id, inp.chat_id or inp.user_id, inp.name)
            if _fairs_opt_out(deps, inp.user_id, False):   # a linked applicant who had unsubscribed
                return Step([Reply(text("tgstaff.link.fairs_on"))])
            county = answers.get("origin_county")
            if county:
                return Step([_subscribe(deps, inp.user_id, _county_name(str(county)),
                                        str(city) if city else None)])
            return Step(self.prompt(env, {}), {"awaiting": "county"})
        if inp.kind != "text":
            return Step(passed=True, state=state)
        from bot.core.places import resolve_county

        try:
            place = resolve_county(inp.text)
        except InputError:
            return Step([Reply(text("telegram.subscribe.unknown_county"))], state)
        return Step([_subscribe(deps, inp.user_id, place.name, str(city) if city else None)])

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        return [Reply(text("telegram.subscribe.ask_county"))]


class UnsubscribeFlow(FlowBase):
    """/unsubscribe: stop all job-fair news (subscriptions, and as a linked applicant)."""

    name = "unsubscribe"
    commands: tuple[str, ...] = ("/unsubscribe",)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        removed = deps.storage.unsubscribe(inp.user_id)
        linked = _fairs_opt_out(deps, inp.user_id, True)   # fairs reach linked applicants too
        key = "telegram.unsubscribe.done" if removed or linked else "telegram.unsubscribe.none"
        return Step([Reply(text(key))])


def _answer_lines(record: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(question, answer) pairs for /me, in the interview's own words."""
    from bot.core.presenter import answer_label, question_text

    if not record or not isinstance(record.get("answers"), list):
        return []
    full = {"facts": {}, **record}
    return [(question_text(entry["q"], full), str(answer_label(entry["shown"]) or entry["shown"]))
            for entry in record["answers"] if "q" in entry and "shown" in entry]


class MeFlow(FlowBase):
    """/me: everything the bot stores about the user."""

    name = "me"
    commands: tuple[str, ...] = ("/me",)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        storage = deps_of(env).storage
        person = storage.get_user(inp.user_id) or storage.upsert_user(
            inp.user_id, inp.chat_id or inp.user_id, inp.name)
        body = render(
            "telegram_me", user_name=person.name, first_seen=person.first_seen,
            payload=person.payload,
            answers=_answer_lines(env.record),
            subscriptions=[s.key for s in storage.subscriptions(inp.user_id)],
            reminders=[r for r in storage.reminders(inp.user_id) if r.sent_at is None])
        return Step([Reply(body)])


class DeleteFlow(FlowBase):
    """/delete: confirm, then erase; a coordinator first says who takes his applicants."""

    name = "delete"
    commands: tuple[str, ...] = ("/delete",)
    prefix = data.ACCOUNT

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        leaving = self._departure(deps, inp.user_id)
        choice = inp.text if inp.kind == "button" else ""
        if inp.kind == "command" or (choice == data.DELETE_YES and leaving is not None):
            return Step(self._ask(deps, leaving))   # never orphan a coordinator's applicants
        if choice == data.DELETE_YES:
            deps.forget(inp.user_id)
            return Step([Reply(text("telegram.delete.done"))], events=[{"type": "forgotten"}])
        if choice == data.DELETE_NO:
            return Step([Reply(text("telegram.delete.kept"))])
        successor = choice.removeprefix(data.HAND_OVER)
        if choice == data.KEEP or (choice.startswith(data.HAND_OVER) and successor.isdigit()):
            return self._settle(deps, inp.user_id, successor if choice != data.KEEP else None)
        return Step([Reply(text("telegram.stale_button"))])

    @staticmethod
    def _departure(deps: Deps, user_id: int) -> Any:
        """A coordinator's applicants and possible successors (None when nothing to decide)."""
        from bot.staff.departure import departure_of

        found = departure_of(deps.staff, user_id) if deps.staff is not None else None
        return found if found and found.applicants else None

    @staticmethod
    def _ask(deps: Deps, leaving: Any) -> list[Reply]:
        """The confirmation, or the choice of who takes the applicants."""
        if leaving is None:
            buttons = [[Button(text("telegram.delete.yes"), data.DELETE_YES),
                        Button(text("telegram.delete.no"), data.DELETE_NO)]]
            return [Reply(text("telegram.delete.confirm"), buttons)]
        rows = []
        for successor in leaving.successors[:5]:
            person = deps.storage.get_user(successor)
            who = person.name if person and person.name else text("staff.role.coordinator")
            rows.append([Button(text("tgstaff.depart.hand_over", name=who),
                                f"{data.HAND_OVER}{successor}")])
        rows.append([Button(text("tgstaff.depart.keep"), data.KEEP)])
        rows.append([Button(text("telegram.delete.no"), data.DELETE_NO)])
        words = text("tgstaff.depart.ask", count=leaving.applicants, others=bool(leaving.successors))
        return [Reply(words, rows)]

    @staticmethod
    def _settle(deps: Deps, user_id: int, successor: str | None) -> Step:
        """Hand over or keep the coordinator's applicants (audited), then erase the user."""
        from bot.staff.departure import KEEP, settle_applicants

        try:
            moved = settle_applicants(deps.staff_ctx(), user_id, successor or KEEP)
        except InputError as refused:   # the successor lost the role meanwhile: nothing erased
            return Step([Reply(refused.zh)])
        deps.forget(user_id)
        return Step([Reply(text("tgstaff.depart.done", count=moved, kept=successor is None))],
                    events=[{"type": "forgotten"}])
