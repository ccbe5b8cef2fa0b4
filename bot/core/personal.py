"""After the results, a question about one of the person's own subsidies ("3000块啥时候截止",
"租房补贴去哪里领") is answered from their own result first: the amount, the deadline, the
office. The documents' sentence follows it, as for any free question."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.core.expansion import intents, normalise
from bot.core.render import text
from bot.core.result import Result
from bot.core.results_view import amount_text, deadline_text

# Words every title shares (and brackets): what is left names the subsidy (租房, 稳岗, 交通).
TITLE_NOISE = re.compile(r"[（(][^）)]*[）)]|补贴|补助|一次性|政策|[、，,“”]")


def own_result(question: str, results: Sequence[Result]) -> Result | None:
    """The one claimable result the question names (by its title or its figure), else None."""
    asked = normalise(question)
    named = [r for r in results if r.claimable and _names(r, asked)]
    return named[0] if len(named) == 1 else None


def _names(result: Result, asked: str) -> bool:
    core = TITLE_NOISE.sub("", result.title)
    if any(core[i:i + 2] in asked for i in range(len(core) - 1)):
        return True
    yuan = (result.amount or {}).get("yuan")
    return bool(yuan) and re.search(rf"(?<![0-9]){yuan}(?![0-9])", asked) is not None


def personal_line(question: str, results: Sequence[Result], as_of: date) -> str | None:
    """"你的租房补贴：每月500元…" when the question asks the amount, date or office of one of
    the person's own claimable subsidies; None otherwise."""
    wants = set(intents(normalise(question)))
    result = own_result(question, results) if wants else None
    if result is None:
        return None
    return text("interview.own_answer", title=result.title,
                amount=amount_text(result) if "amount" in wants else "",
                deadline=deadline_text(result, as_of) if "date" in wants else "",
                how=result.how_to_claim if wants & {"office", "materials"} else "")
