"""Load every data file the core reads before the first user arrives."""
from __future__ import annotations

import gc
from datetime import date


def warm_up(as_of: date) -> None:
    """Run one throw-away interview and question, then freeze what was loaded.

    The first real user then gets an answer as fast as the next ones (rules, knowledge,
    search index, gazetteer and templates load once here, not during their first message),
    and ``gc.freeze`` keeps the garbage collector from walking those long-lived objects again.
    """
    from bot.core import conversation
    from bot.core.live import refresh

    refresh(force=True)  # the files as loaded now are the ones later changes are measured against
    turn = conversation.start(None, as_of=as_of)
    turn = conversation.handle_text(turn.state, "马边", as_of=as_of)
    conversation.handle_text(turn.state, "在绍兴租房有补贴吗", as_of=as_of)
    gc.collect()
    gc.freeze()
