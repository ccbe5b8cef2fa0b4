"""The flow engine: every conversation in the bot is a step machine behind one router.

A chat has one state record (a JSON-able dict). Its body is the worker's own interview (the
*home* conversation, always there); under :data:`FLOW_KEY` it names the one other flow that is
active, if any, and that flow's state: ``{"name": "register_applicant", "state": {...}}``.

One input (:class:`Input`: text, a tapped button, a command, a file or another kind of message)
goes to :meth:`Router.route`, which returns a :class:`Turn` whose ``state`` is the new record.
The precedence is one order, the same for every channel:

1. A **command** leaves the active flow. A command some flow owns starts that flow (or is
   refused when the user's role may not run it); any other command goes to the home
   conversation (/start, /back, /review…), unless the active flow owns it (``owns("/back")``:
   the interview run on an applicant's behalf takes /back, /review and /restart).
2. A **button** goes to the active flow when that flow owns its data, else to the flow whose
   prefix it carries (which becomes the active one if it keeps a state), else to the home
   conversation (the active flow stays open).
3. **Text** goes to the active flow. A free question typed while the flow waits for a name or a
   date is answered by the home conversation and the flow's question is asked again, so the
   question never becomes the name (a flow that reads questions itself says so). A flow may pass
   an input on (``Step.passed``): the home conversation gets it and the flow stays open.

Flows know nothing of channels: they return :class:`Reply` objects with :class:`Button` rows and
channel-neutral events (``send_file``, ``notify``); an adapter only translates.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from typing import Any, Protocol

from bot.core.errors import InputError
from bot.core.render import text
from bot.core.replies import Reply, Turn

__all__ = ["FLOW_KEY", "Env", "Flow", "Home", "Input", "Router", "Step", "active_flow"]

FLOW_KEY = "flow"
READ_ONLY_BUTTONS = frozenset({"clause", "why"})   # home buttons that only show text
WORKER = "worker"


@dataclass(frozen=True)
class Input:
    """One thing the user did, whatever the channel."""

    kind: str                 # "text" | "button" | "command" | "file" | "other" | "resume"
    text: str = ""            # typed text, button data, or the whole command line
    user_id: int = 0
    chat_id: int = 0
    name: str = ""            # the user's display name
    file_name: str = ""       # kind "file": the file's name and bytes
    file: bytes | None = None
    ref: str = ""             # the channel's id of this input ("tg:<update_id>"): a replay has
                              # the same one, so a flow's own writes can be made once

    @property
    def command(self) -> str:
        """``/apply`` for ``/apply@bangfu_bot 张三`` (lower case); "" for other kinds."""
        if self.kind != "command":
            return ""
        return self.text.split(maxsplit=1)[0].split("@")[0].lower() if self.text.strip() else ""

    @property
    def args(self) -> list[str]:
        """The words after the command."""
        return self.text.split()[1:] if self.kind == "command" else []


@dataclass
class Env:
    """What a flow may use for one input: today's date, the user's role, and the services.

    ``deps`` is whatever the composition root passes (storage, staff services, the clock…); the
    core never looks inside it, so it stays free of databases and channels.
    """

    as_of: date
    role: str = WORKER
    deps: Any = None
    user_id: int = 0
    record: dict[str, Any] | None = None   # the user's own interview (set by the router)


@dataclass
class Step:
    """What a flow did with one input."""

    replies: list[Reply] = field(default_factory=list)
    state: dict[str, Any] | None = None    # the flow's new state; None: the flow is over
    events: list[dict[str, Any]] = field(default_factory=list)
    passed: bool = False                   # not taken: the home conversation gets the input
    then: str | None = None                # a command line to run next (as if typed)
    handoff: str | None = None             # ``state`` belongs to this other flow, now active


class Flow(Protocol):
    """A step machine for one thing people do in the chat (register an applicant, draft a fair…)."""

    @property
    def name(self) -> str:
        """The flow's name, stored in the chat record while it is active."""
        ...

    @property
    def commands(self) -> tuple[str, ...]:
        """The commands that start it ("/apply")."""
        ...

    @property
    def prefix(self) -> str:
        """The data of every button it makes starts with this."""
        ...

    @property
    def roles(self) -> frozenset[str]:
        """Who may start it; empty: everyone."""
        ...

    @property
    def file_types(self) -> tuple[str, ...]:
        """The endings of the files it reads (".xlsx"); a file sent with no flow open goes to
        the first flow that reads its type and that the user's role may run."""
        ...

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        """The next step: ``state`` is {} when the flow starts (by its command or a button)."""
        ...

    def owns(self, data: str, state: dict[str, Any]) -> bool:
        """Whether a tapped button's data (or a home command, "/back") belongs to this flow while
        it is active."""
        ...

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        """What the flow waits for, asked again (after a free question or a photo)."""
        ...

    def reads_questions(self, state: dict[str, Any]) -> bool:
        """Whether typed questions are the flow's own input at this step (an interview is)."""
        ...


class Home(Protocol):
    """The worker's own conversation: always there, never ends."""

    def handle(self, env: Env, state: dict[str, Any] | None, inp: Input) -> Turn:
        """A turn of the interview (``state`` is the interview part of the record)."""
        ...

    def is_question(self, message: str) -> bool:
        """Whether typed text reads as a question rather than an answer."""
        ...

    def answer(self, env: Env, state: dict[str, Any] | None, message: str) -> list[Reply]:
        """The documents' answer to a free question, the interview left as it is."""
        ...


def active_flow(record: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The name and state of the record's active flow, if any."""
    entry = (record or {}).get(FLOW_KEY)
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        state = entry.get("state")
        return entry["name"], state if isinstance(state, dict) else {}
    return None


class Router:
    """One precedence for every input, every role and every channel (see the module doc)."""

    MAX_CHAIN = 3   # Step.then may start one flow from another, never in a loop

    def __init__(self, home: Home, flows: Iterable[Flow]) -> None:
        self.home = home
        self.flows: dict[str, Flow] = {}
        self.by_command: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self.flows:
                raise ValueError(f"two flows named {flow.name!r}")
            self.flows[flow.name] = flow
            for command in flow.commands:
                if command in self.by_command:
                    raise ValueError(f"two flows start with {command}")
                self.by_command[command] = flow
        prefixes = sorted(flow.prefix for flow in self.flows.values() if flow.prefix)
        for first, second in pairwise(prefixes):
            if second.startswith(first):
                raise ValueError(f"button prefixes overlap: {first!r} and {second!r}")

    def route(self, env: Env, record: Mapping[str, Any] | None, inp: Input) -> Turn:
        """The turn for one input; ``Turn.state`` is the chat's new record."""
        turn = self._route(env, dict(record or {}), inp)
        for _ in range(self.MAX_CHAIN):
            then = turn.state.pop("_then", None)
            if not then:
                break
            follow = self._route(env, turn.state, Input("command", then, inp.user_id, inp.chat_id,
                                                        inp.name))
            turn = Turn(follow.state, turn.replies + follow.replies, turn.events + follow.events)
        turn.state.pop("_then", None)
        return turn

    # -- the precedence ---------------------------------------------------------------------

    def _route(self, env: Env, record: dict[str, Any], inp: Input) -> Turn:
        active = active_flow(record)
        interview = {k: v for k, v in record.items() if k != FLOW_KEY} or None
        env = replace(env, record=interview)
        if inp.kind == "command":
            flow = self.by_command.get(inp.command)
            if flow is None and active is not None and active[0] in self.flows \
                    and self.flows[active[0]].owns(inp.command, active[1]):
                return self._run(env, interview, active, self.flows[active[0]], active[1], inp)
            if flow is None:   # the home conversation's own command; any open flow is left
                return self._home(env, interview, None, inp)
            if flow.roles and env.role not in flow.roles:
                return _with(interview, None, Step([Reply(text("staff.denied"))]))
            return self._run(env, interview, None, flow, {}, inp)
        if active is not None and active[0] not in self.flows:
            active = None   # a flow from an older version of the bot: forgotten
        if inp.kind == "resume":   # a channel restarting: the screen where the chat stopped
            if active is None:
                return self._home(env, interview, None, inp)
            return _with(interview, active, Step(self.flows[active[0]].prompt(env, active[1])))
        if inp.kind == "file":
            reader = self._reader(inp.file_name, env.role, active)
            if reader is not None:
                state = active[1] if active is not None and active[0] == reader.name else {}
                return self._run(env, interview, active, reader, state, inp)
        if inp.kind == "button":
            if active is not None and self.flows[active[0]].owns(inp.text, active[1]):
                return self._run(env, interview, active, self.flows[active[0]], active[1], inp)
            owner = self._owner(inp.text)
            if owner is not None:
                if owner.roles and env.role not in owner.roles:
                    return _with(interview, active, Step([Reply(text("staff.denied"))]))
                return self._run(env, interview, active, owner, {}, inp)
            # A tap in another conversation moves on: a flow waiting for typed input is left
            # (a tap that only shows text, such as 看全文, keeps it).
            kept = active if inp.text.partition(":")[0] in READ_ONLY_BUTTONS else None
            return self._home(env, interview, kept, inp)
        if active is None:
            return self._home(env, interview, None, inp)
        flow, state = self.flows[active[0]], active[1]
        if inp.kind == "other":   # a photo or a sticker: only text is read; the question again
            return _with(interview, active,
                         Step([Reply(text("telegram.not_text")), *flow.prompt(env, state)]))
        if inp.kind == "text" and not flow.reads_questions(state) and self.home.is_question(inp.text):
            replies = self.home.answer(env, interview, inp.text) + flow.prompt(env, state)
            return _with(interview, active, Step(replies))
        return self._run(env, interview, active, flow, state, inp)

    def _reader(self, file_name: str, role: str,
                active: tuple[str, dict[str, Any]] | None) -> Flow | None:
        """The flow that reads a file of this type: the active one first."""
        ending = file_name.lower()
        ordered = ([self.flows[active[0]]] if active is not None else []) + list(self.flows.values())
        for flow in ordered:
            if any(ending.endswith(kind) for kind in flow.file_types) and (
                    not flow.roles or role in flow.roles):
                return flow
        return None

    def _owner(self, data: str) -> Flow | None:
        """The flow whose prefix the button data carries."""
        for flow in self.flows.values():
            if flow.prefix and data.startswith(flow.prefix):
                return flow
        return None

    def _run(self, env: Env, interview: dict[str, Any] | None,
             active: tuple[str, dict[str, Any]] | None, flow: Flow, state: dict[str, Any],
             inp: Input) -> Turn:
        """Run one flow; a passed input goes on to the home conversation (the flow kept)."""
        try:
            step = flow.handle(env, state, inp)
        except InputError as refused:   # a refusal (没有权限, a bad value) changes nothing
            step = Step([Reply(refused.zh)], state if active is not None and active[0] == flow.name
                        else None)
            if step.state is None and active is not None:
                return _with(interview, active, step)
        if step.passed:
            if step.state is not None:
                kept: tuple[str, dict[str, Any]] | None = (flow.name, step.state)
            else:   # a flow that ended as it passed the input on is no longer active
                kept = active if active is not None and active[0] != flow.name else None
            turn = self._home(env, interview, kept, inp)
            turn.replies[:0] = step.replies
            turn.events[:0] = step.events
            return turn
        # A flow that keeps a state becomes the active one; one that ends leaves any other
        # active flow as it was, unless it was that flow.
        if step.state is not None:
            new_active: tuple[str, dict[str, Any]] | None = (step.handoff or flow.name, step.state)
        elif active is not None and active[0] == flow.name:
            new_active = None
        else:
            new_active = active
        return _with(interview, new_active, step)

    def _home(self, env: Env, interview: dict[str, Any] | None,
              active: tuple[str, dict[str, Any]] | None, inp: Input) -> Turn:
        """The worker's own conversation takes the input."""
        turn = self.home.handle(env, interview, inp)
        record = dict(turn.state)
        if active is not None:
            record[FLOW_KEY] = {"name": active[0], "state": active[1]}
        return Turn(record, list(turn.replies), list(turn.events))


def _with(interview: dict[str, Any] | None, active: tuple[str, dict[str, Any]] | None,
          step: Step) -> Turn:
    """The record after a flow's step: the interview as it was, the active flow, a chained command."""
    record = dict(interview or {})
    if active is not None:
        record[FLOW_KEY] = {"name": active[0], "state": active[1]}
    if step.then:
        record["_then"] = step.then
    return Turn(record, list(step.replies), list(step.events))


class FlowBase:
    """Defaults for a flow: buttons by prefix, no re-asking, questions answered by the router."""

    name = ""
    commands: tuple[str, ...] = ()
    prefix = ""
    roles: frozenset[str] = frozenset()
    file_types: tuple[str, ...] = ()

    def owns(self, data: str, state: dict[str, Any]) -> bool:
        """Buttons with the flow's prefix."""
        return bool(self.prefix) and data.startswith(self.prefix)

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        """Nothing to ask again by default."""
        return []

    def reads_questions(self, state: dict[str, Any]) -> bool:
        """Typed questions are answered by the router by default."""
        return False
