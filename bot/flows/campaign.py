"""/campaign (政策找人): pick a subsidy, see who would be told and the message, then send."""
from __future__ import annotations

from typing import Any

from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import deps_of
from bot.staff import ADMIN, STAFF
from bot.staff.campaigns import Campaign, choices, send

MAX_CHOICES = 20


class CampaignFlow(FlowBase):
    """The list of subsidies with people to tell, a preview with the count, then the outbox."""

    name = "campaign"
    commands: tuple[str, ...] = ("/campaign",)
    prefix = data.CAMPAIGN
    roles = frozenset({STAFF, ADMIN})

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if inp.kind == "command":
            return self._list(env, inp)
        if inp.kind != "button" or "rules" not in state:
            if inp.kind == "button":
                return Step([Reply(text("telegram.stale_button"))])
            return Step(passed=True, state=state)
        if inp.text == data.CAMPAIGN_CANCEL:
            return Step([Reply(text("campaign.cancelled"))])
        picked = inp.text.removeprefix(data.CAMPAIGN_PICK)
        if inp.text.startswith(data.CAMPAIGN_PICK) and picked.isdigit() and int(picked) < len(state["rules"]):
            return self._preview(env, inp, {**state, "rule": state["rules"][int(picked)]})
        if inp.text == data.CAMPAIGN_SEND and state.get("rule"):
            campaign = self._campaign(env, inp, str(state["rule"]))
            if campaign is None or not campaign.targets:
                return Step([Reply(text("campaign.nobody"))])
            count = send(deps_of(env).staff_ctx(), inp.user_id, campaign)
            return Step([Reply(text("campaign.sent", count=count))])
        return Step([Reply(text("telegram.stale_button"))], state)

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        return [Reply(text("campaign.pick"))]

    def _list(self, env: Env, inp: Input) -> Step:
        found = [c for c in choices(deps_of(env).staff_ctx(), inp.user_id, env.as_of) if c.targets]
        if not found:
            return Step([Reply(text("campaign.none"))])
        found = found[:MAX_CHOICES]
        rows = [[Button(text("campaign.item", title=c.title, deadline=c.deadline, count=len(c.targets)),
                        f"{data.CAMPAIGN_PICK}{index}")] for index, c in enumerate(found)]
        return Step([Reply(text("campaign.pick"), rows)], {"rules": [c.rule for c in found]})

    def _campaign(self, env: Env, inp: Input, rule: str) -> Campaign | None:
        """The campaign of the rule as of now (counted again: people may have marked it since)."""
        found = choices(deps_of(env).staff_ctx(), inp.user_id, env.as_of)
        return next((c for c in found if c.rule == rule), None)

    def _preview(self, env: Env, inp: Input, state: dict[str, Any]) -> Step:
        campaign = self._campaign(env, inp, str(state["rule"]))
        if campaign is None or not campaign.targets:
            return Step([Reply(text("campaign.nobody"))])
        said = text("campaign.preview", count=len(campaign.targets), telegram=len(campaign.by_telegram),
                    calls=len(campaign.to_call), recent=campaign.recent, marked=campaign.marked)
        buttons = [[Button(text("campaign.send"), data.CAMPAIGN_SEND),
                    Button(text("campaign.cancel"), data.CAMPAIGN_CANCEL)]]
        return Step([Reply(said), Reply(campaign.preview(), buttons)], state)
