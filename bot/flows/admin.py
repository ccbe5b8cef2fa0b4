"""Admins: /invite (a one-time deep link), /invites (withdraw one), /roles (revoke a role).

Revoking a coordinator who registered applicants never orphans them: the admin chooses who
takes them (another coordinator of the same village, or nobody: they stay for the county's
staff), and the move and the revocation are audited together (``bot.staff.departure``). The
person who lost the role is told, and their command menu goes back to a worker's.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.clock import CHINA
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import Deps, deps_of
from bot.staff import (
    ADMIN,
    COORDINATOR,
    STAFF,
    WORKER,
    Grant,
    cancel_invite,
    create_invite,
    invite_link,
    list_roles,
    pending_invites,
    revoke_role,
    role_of,
)
from bot.staff.departure import KEEP, departure_of, revoke_coordinator

MAX_SUCCESSORS = 5   # buttons for the village's other coordinators


def local_time(moment: datetime) -> str:
    """A UTC moment as China time, 2026年11月29日 20:00."""
    local = moment.astimezone(CHINA)
    return text("tgstaff.when", day=local.date(), time=local.strftime("%H:%M"))


def _places(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Staff places from ``马边,乐山市`` or separate words: cities end in 市, the rest are counties."""
    items = [p.strip() for word in words for p in word.replace("，", ",").replace("、", ",").split(",")]
    items = [p for p in items if p]
    return (tuple(p for p in items if not p.endswith("市")),
            tuple(p for p in items if p.endswith("市")))


class InviteFlow(FlowBase):
    """/invite coordinator <县> <村> | /invite staff <县或市>[,…]; /invites lists, 作废 withdraws."""

    name = "invites"
    commands: tuple[str, ...] = ("/invite", "/invites")
    prefix = data.INVITES
    roles = frozenset({ADMIN})

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        ctx = deps_of(env).staff_ctx()
        if inp.kind == "button":
            if not inp.text.startswith(data.INVITE_CANCEL):
                return Step([Reply(text("telegram.stale_button"))])
            cancel_invite(ctx, inp.user_id, inp.text.removeprefix(data.INVITE_CANCEL))
            return Step([Reply(text("tgstaff.invites.cancelled"))])
        if inp.command == "/invites":
            return Step([self._pending(env, inp.user_id)])
        return Step([self._invite(env, inp)])

    @staticmethod
    def _invite(env: Env, inp: Input) -> Reply:
        """A new invite's link, or how to write the command."""
        deps, args = deps_of(env), inp.args
        kind = args[0].lower() if args else ""
        if kind == COORDINATOR and len(args) >= 3:
            invite = create_invite(deps.staff_ctx(), inp.user_id, COORDINATOR, county=args[1],
                                   village=" ".join(args[2:]))
        elif kind == STAFF and len(args) >= 2:
            counties, cities = _places(args[1:])
            invite = create_invite(deps.staff_ctx(), inp.user_id, STAFF, counties=counties,
                                   cities=cities)
        else:
            return Reply(text("tgstaff.invite.usage"))
        return Reply(text(
            "tgstaff.invite.link", link=invite_link(deps.bot_username, invite.token),
            role=invite.role, place=f"{invite.county or ''}{invite.village or ''}",
            places=text("staff.list_separator").join(invite.counties + invite.cities),
            until=local_time(invite.expires_at)))

    @staticmethod
    def _pending(env: Env, admin_id: int) -> Reply:
        """The open invites, each with a button to withdraw it."""
        pending = pending_invites(deps_of(env).staff_ctx(), admin_id)
        if not pending:
            return Reply(text("tgstaff.invites.none"))
        lines, buttons = [], []
        for number, item in enumerate(pending, 1):
            places = (f"{item.county}{item.village}" if item.village
                      else text("staff.list_separator").join(item.counties + item.cities))
            lines.append(text("tgstaff.invites.item", n=number, role=text(f"staff.role.{item.role}"),
                              places=places, until=local_time(item.expires_at)))
            buttons.append([Button(text("tgstaff.invites.cancel", n=number),
                                   data.INVITE_CANCEL + item.ref)])
        return Reply("\n".join(lines), buttons)


def _name(deps: Deps, user_id: int) -> str:
    """The user's name as the bot knows it (their Telegram name), else their number."""
    person = deps.storage.get_user(user_id)
    return person.name if person and person.name else text("tgstaff.roles.nameless", id=user_id)


def _places_of(grant: Grant) -> str:
    """Where a role holder works: 县+村 for a coordinator, the counties and cities for staff."""
    if grant.role == COORDINATOR:
        return f"{grant.county or ''}{grant.village or ''}"
    return text("staff.list_separator").join(grant.counties + grant.cities)


def _told(deps: Deps, user_id: int, role: str) -> list[dict[str, Any]]:
    """The revoked user is told, and their command menu becomes a worker's."""
    person = deps.storage.get_user(user_id)
    chat = person.chat_id if person else user_id
    words = text("tgstaff.roles.told", role=text(f"staff.role.{role}"))
    return [{"type": "notify", "chat_id": chat, "text": words},
            {"type": "role_menu", "role": WORKER, "chat_id": chat}]


class RolesFlow(FlowBase):
    """/roles: every coordinator and staff member with 撤销; a coordinator's applicants handed over."""

    name = "roles"
    commands: tuple[str, ...] = ("/roles",)
    prefix = data.ROLES
    roles = frozenset({ADMIN})

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        if inp.kind != "button":
            return Step([self._listing(deps, inp.user_id)])
        choice = inp.text
        if choice == data.ROLE_NO:
            return Step([Reply(text("tgstaff.roles.kept"))])
        for start, act in ((data.ROLE_ASK, self._ask), (data.ROLE_YES, self._revoke),
                           (data.ROLE_KEEP, self._keep), (data.ROLE_TO, self._hand_over)):
            if choice.startswith(start):
                rest = choice.removeprefix(start)
                if rest.replace(":", "").isdigit():
                    return act(deps, inp.user_id, rest)
        return Step([Reply(text("telegram.stale_button"))])

    @staticmethod
    def _listing(deps: Deps, admin_id: int) -> Reply:
        """Every stored role, one line each, with a 撤销 button each."""
        grants = list_roles(deps.staff_ctx(), admin_id)
        if not grants:
            return Reply(text("tgstaff.roles.none"))
        lines, buttons = [], []
        for number, grant in enumerate(grants, 1):
            lines.append(text("tgstaff.roles.item", n=number, name=_name(deps, grant.user_id),
                              role=text(f"staff.role.{grant.role}"), places=_places_of(grant)))
            buttons.append([Button(text("tgstaff.roles.revoke", n=number),
                                   f"{data.ROLE_ASK}{grant.user_id}")])
        return Reply("\n".join(lines), buttons)

    def _ask(self, deps: Deps, admin_id: int, rest: str) -> Step:
        """撤销: confirm, or (a coordinator with applicants) choose who takes them."""
        user_id = int(rest)
        grant = role_of(deps.staff_ctx(), user_id)
        if grant.role not in (COORDINATOR, STAFF):
            return Step([Reply(text("tgstaff.roles.gone"))])
        handover = self._handover(deps, grant)
        if handover is not None:
            return Step([handover])
        name, role = _name(deps, user_id), text(f"staff.role.{grant.role}")
        return Step([Reply(text("tgstaff.roles.confirm", name=name, role=role), [[
            Button(text("tgstaff.roles.yes"), f"{data.ROLE_YES}{user_id}"),
            Button(text("tgstaff.roles.no"), data.ROLE_NO)]])])

    @staticmethod
    def _handover(deps: Deps, grant: Grant) -> Reply | None:
        """Who takes a coordinator's applicants (None: he has none, nothing to decide)."""
        if grant.role != COORDINATOR:
            return None
        leaving = departure_of(deps.staff_ctx(), grant.user_id)
        if not leaving.applicants:
            return None
        rows = [[Button(text("tgstaff.roles.hand_over", name=_name(deps, other)),
                        f"{data.ROLE_TO}{grant.user_id}:{other}")]
                for other in leaving.successors[:MAX_SUCCESSORS]]
        rows.append([Button(text("tgstaff.roles.keep"), f"{data.ROLE_KEEP}{grant.user_id}")])
        rows.append([Button(text("tgstaff.roles.no"), data.ROLE_NO)])
        return Reply(text("tgstaff.roles.ask_applicants", name=_name(deps, grant.user_id),
                          count=leaving.applicants, others=bool(leaving.successors)), rows)

    def _revoke(self, deps: Deps, admin_id: int, rest: str) -> Step:
        """确定撤销: take the role away (a coordinator's applicants first get a new home)."""
        user_id = int(rest)
        grant = role_of(deps.staff_ctx(), user_id)
        handover = self._handover(deps, grant)
        if handover is not None:   # applicants registered since the question: ask who takes them
            return Step([handover])
        if grant.role not in (COORDINATOR, STAFF) or not revoke_role(deps.staff_ctx(), admin_id, user_id):
            return Step([Reply(text("tgstaff.roles.gone"))])
        done = text("tgstaff.roles.done", name=_name(deps, user_id),
                    role=text(f"staff.role.{grant.role}"), count=0, kept=False, successor="")
        return Step([Reply(done)], events=_told(deps, user_id, grant.role))

    def _keep(self, deps: Deps, admin_id: int, rest: str) -> Step:
        """留给人社工作人员: the applicants stay for the county's staff, then the role goes."""
        return self._settle(deps, admin_id, int(rest), None)

    def _hand_over(self, deps: Deps, admin_id: int, rest: str) -> Step:
        """交给…: the applicants go to the village's other coordinator, then the role goes."""
        user_id, _, successor = rest.partition(":")
        if not (user_id.isdigit() and successor.isdigit()):
            return Step([Reply(text("telegram.stale_button"))])
        return self._settle(deps, admin_id, int(user_id), int(successor))

    @staticmethod
    def _settle(deps: Deps, admin_id: int, user_id: int, successor: int | None) -> Step:
        """Move the coordinator's applicants and revoke his role (one audited transaction)."""
        if role_of(deps.staff_ctx(), user_id).role != COORDINATOR:
            return Step([Reply(text("tgstaff.roles.gone"))])
        moved = revoke_coordinator(deps.staff_ctx(), admin_id, user_id,
                                   KEEP if successor is None else successor)
        taker = _name(deps, successor) if successor is not None else ""
        done = text("tgstaff.roles.done", name=_name(deps, user_id),
                    role=text("staff.role.coordinator"), count=moved, kept=successor is None,
                    successor=taker)
        events = _told(deps, user_id, COORDINATOR)
        if successor is not None and moved:
            person = deps.storage.get_user(successor)
            events.append({"type": "notify", "chat_id": person.chat_id if person else successor,
                           "text": text("tgstaff.roles.received", count=moved)})
        return Step([Reply(done)], events=events)
