"""Applicants for coordinators, HR staff and admins: the list, 131 services, deletion, links, /ledger.

/applicants [名字] shows one page of the applicants the user may see (◀ ▶ between pages, 🔍 to
look for a name: the next typed text is the name, the flow's only state). Under the list, the
coordinator's own people have buttons: 改 (the interview on their behalf, ``bh:open:<id>`` of
:class:`~bot.flows.coordinator.BehalfFlow`), 记131服务, 删除 and the worker's own link. Every
action is checked again by the staff services (a refusal is "没有权限" and changes nothing).
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from bot.core.clock import CHINA
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import MAX_BUTTON_DATA, Button, Reply
from bot.flows import data
from bot.flows.coordinator import link_row
from bot.flows.deps import deps_of
from bot.staff import (
    ADMIN,
    COORDINATOR,
    STAFF,
    Applicant,
    PermissionDenied,
    create_link,
    delete_applicant,
    delete_service,
    export_ledger,
    get_applicant,
    invite_link,
    record_service,
)
from bot.staff.listing import ApplicantPage, applicants_page, page_text
from bot.staff.overview import ApplicantSummary
from bot.staff.services131 import new_button_token, required

SEARCH = "search"   # the flow's one waiting step: a name to look for


def local_time(moment: datetime) -> str:
    """A UTC moment as China time, 2026年11月29日 20:00."""
    local = moment.astimezone(CHINA)
    return text("tgstaff.when", day=local.date(), time=local.strftime("%H:%M"))


def _encoded(query: str) -> str:
    """The search text as ASCII for button data (base64url of its UTF-8, no padding)."""
    return base64.urlsafe_b64encode(query.encode()).decode().rstrip("=")


def _decoded(code: str) -> str:
    """The search text carried by a page button ("" for a damaged one)."""
    try:
        return base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return ""


def page_data(page: int, query: str) -> str:
    """The data of a ◀ ▶ button: the page and the search travelling along (within 64 bytes)."""
    while len(f"{data.APPLICANT_PAGE}{page}:{_encoded(query)}") > MAX_BUTTON_DATA and query:
        query = query[:-1]
    return f"{data.APPLICANT_PAGE}{page}:{_encoded(query)}"


def _applicant_buttons(summaries: list[ApplicantSummary]) -> list[list[Button]]:
    """Per applicant: reopen the interview, record a 131 service, delete; then the worker's link."""
    rows = []
    for s in summaries:
        person = s.applicant
        rows.append([Button(text("tgstaff.list.open", name=person.name), f"{data.BEHALF_OPEN}{person.id}"),
                     Button(text("tgstaff.list.service"), f"{data.APPLICANT_SERVICE}{person.id}"),
                     Button(text("tgstaff.list.delete"), f"{data.APPLICANT_DELETE}{person.id}")])
        rows.append(link_row(person))
    return rows


def _page_buttons(found: ApplicantPage) -> list[list[Button]]:
    """◀ ▶ between pages (the search travels along) and 🔍 to look for a name."""
    if found.pages == 1 and not found.query:
        return []
    row = []
    if found.page > 0:
        row.append(Button(text("tgstaff.list.previous"), page_data(found.page - 1, found.query)))
    if found.page < found.pages - 1:
        row.append(Button(text("tgstaff.list.next"), page_data(found.page + 1, found.query)))
    row.append(Button(text("tgstaff.list.find"), data.APPLICANT_FIND))
    return [row]


def _own(env: Env, user_id: int, applicant_id: int, action: str) -> Applicant:
    """The applicant if the user is their coordinator; staff and admins only read, so are refused."""
    person = get_applicant(deps_of(env).staff_ctx(), user_id, applicant_id)
    if person.coordinator_id != user_id:
        raise PermissionDenied(action)
    return person


def _number(value: str) -> int | None:
    """A number from button data or a typed argument (None when it is none)."""
    return int(value) if value.isascii() and value.isdigit() else None


class ApplicantsFlow(FlowBase):
    """/applicants [名字] and /service <编号>, and every ``apl:`` button of the list."""

    name = "applicants"
    commands: tuple[str, ...] = ("/applicants", "/service")
    prefix = data.APPLICANTS
    roles = frozenset({COORDINATOR, STAFF, ADMIN})

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if inp.kind == "command" and inp.command == "/service":
            return self._service_command(env, inp)
        if inp.kind == "command":
            return self.page(env, inp.user_id, 0, " ".join(inp.args) or None)
        if inp.kind == "button":
            return self._button(env, state, inp)
        if inp.kind == "text" and state.get("step") == SEARCH:
            return self.page(env, inp.user_id, 0, inp.text)
        return Step(passed=True)   # a file while 🔍 waits: not a name; the flow is over

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        if state.get("step") == SEARCH:
            return [Reply(text("tgstaff.list.ask_name"))]
        return []

    @staticmethod
    def page(env: Env, user_id: int, page: int, query: str | None) -> Step:
        """One page of the list: what each can claim, buttons for the coordinator's own people."""
        found = applicants_page(deps_of(env).staff_ctx(), user_id, env.as_of, page, query)
        own = [s for s in found.summaries if s.applicant.coordinator_id == user_id]
        return Step([Reply(page_text(found), _applicant_buttons(own) + _page_buttons(found))])

    def _button(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        """Act on one ``apl:`` button; every action is checked again by the staff services."""
        action, _, rest = inp.text.removeprefix(self.prefix).partition(":")
        number, user_id = _number(rest), inp.user_id
        if action == "find":
            return Step(self.prompt(env, {"step": SEARCH}), {"step": SEARCH})
        if action == "pg":
            page, _, code = rest.partition(":")
            return self.page(env, user_id, _number(page) or 0, _decoded(code) or None)
        if action == "svk":
            return self._record_kind(env, user_id, rest)
        if action == "svu":
            return self._undo(env, user_id, rest)
        if action == "no":
            return Step([Reply(text("tgstaff.delete.kept"))])
        if number is not None and action == "svc":
            return ask_service(env, user_id, number)
        if number is not None and action == "del":
            person = _own(env, user_id, number, "applicant.delete")
            buttons = [[Button(text("tgstaff.delete.yes"), f"{data.APPLICANT_DELETE_YES}{number}"),
                        Button(text("tgstaff.delete.no"), data.APPLICANT_KEEP)]]
            return Step([Reply(text("tgstaff.delete.confirm", name=person.name), buttons)])
        if number is not None and action == "dely":
            # An interview on the applicant's behalf that was open ends at its next input.
            delete_applicant(deps_of(env).staff_ctx(), user_id, number)
            return Step([Reply(text("tgstaff.delete.done"))])
        if number is not None and action == "lnk":
            return self._link(env, user_id, number)
        return Step([Reply(text("telegram.stale_button"))], state or None)

    @staticmethod
    def _service_command(env: Env, inp: Input) -> Step:
        """/service <编号>: which 131 service was delivered today (coordinators only)."""
        if env.role != COORDINATOR:
            raise PermissionDenied("service.record")
        number = _number(inp.args[0]) if inp.args else None
        if number is None:
            return Step([Reply(text("tgstaff.service.usage"))])
        return ask_service(env, inp.user_id, number)

    @staticmethod
    def _record_kind(env: Env, user_id: int, rest: str) -> Step:
        """Record the tapped kind for the applicant, dated today, once per set of buttons."""
        applicant, kind, token = [*rest.split(":", 2), "", ""][:3]
        number = _number(applicant)
        if number is None:
            return Step([Reply(text("telegram.stale_button"))])
        if not token:   # a button from before tokens: fresh buttons instead of a second record
            _own(env, user_id, number, "service.record")
            fresh = ask_service(env, user_id, number)
            fresh.replies.insert(0, Reply(text("telegram.stale_button")))
            return fresh
        service = record_service(deps_of(env).staff_ctx(), user_id, number, kind, env.as_of,
                                 token=token)
        key = "tgstaff.service.again" if service.repeated else "tgstaff.service.done"
        undo = [[Button(text("tgstaff.service.undo"), f"{data.SERVICE_UNDO}{number}:{service.id}")]]
        return Step([Reply(text(key, kind=text(f"staff.service.{service.kind}")), undo)])

    @staticmethod
    def _undo(env: Env, user_id: int, rest: str) -> Step:
        """The 撤销 button under a confirmation: delete that service record."""
        applicant, _, service = rest.partition(":")
        number, service_id = _number(applicant), _number(service)
        if number is None or service_id is None:
            return Step([Reply(text("telegram.stale_button"))])
        delete_service(deps_of(env).staff_ctx(), user_id, number, service_id)
        return Step([Reply(text("tgstaff.service.undone"))])

    @staticmethod
    def _link(env: Env, user_id: int, applicant_id: int) -> Step:
        """A one-time link the coordinator forwards to the applicant (his own applicants only).

        The coordinator opening it himself is refused when it is redeemed (``redeem_link``).
        """
        deps = deps_of(env)
        link = create_link(deps.staff_ctx(), user_id, applicant_id)
        return Step([Reply(text("tgstaff.link.give", name=link.name,
                                link=invite_link(deps.bot_username, link.token),
                                until=local_time(link.expires_at)))])


def ask_service(env: Env, user_id: int, applicant_id: int) -> Step:
    """Which service was delivered today: one button per kind, sharing one token (a re-tap
    records nothing); ownership is checked first."""
    person = _own(env, user_id, applicant_id, "service.record")
    token = new_button_token()
    buttons = [[Button(text(f"staff.service.{kind}"), f"{data.SERVICE_KIND}{applicant_id}:{kind}:{token}")]
               for kind in required()]
    return Step([Reply(text("tgstaff.service.ask", name=person.name), buttons)])


class LedgerFlow(FlowBase):
    """/ledger: the real-name ledger as an Excel file ("还没有登记的人" and no file when empty)."""

    name = "ledger"
    commands: tuple[str, ...] = ("/ledger",)
    roles = frozenset({COORDINATOR, STAFF, ADMIN})

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        ledger = export_ledger(deps_of(env).staff_ctx(), inp.user_id, env.as_of)
        if not ledger.rows:
            return Step([Reply(text("staff.list.empty"))])
        return Step(events=[{"type": "send_file", "name": ledger.filename, "data": ledger.content,
                             "caption": text("tgstaff.ledger.caption"), "photo": False}])
