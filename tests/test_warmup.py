"""The bot loads its data before the first user, and the first answer is then quick."""
import gc
import time
from datetime import date

from bot.core import conversation
from bot.core.warmup import warm_up

AS_OF = date(2026, 11, 22)


def test_warm_up_loads_everything_and_freezes_it():
    try:
        warm_up(AS_OF)
        assert gc.get_freeze_count() > 0
        started = time.perf_counter()
        turn = conversation.start(None, as_of=AS_OF)
        turn = conversation.handle_text(turn.state, "科左后旗", as_of=AS_OF)
        turn = conversation.handle_text(turn.state, "路费能报吗", as_of=AS_OF)
        # Functional, not a timing goal: nothing is left to load, so three turns stay far
        # below the ~0.3 s a cold start costs even on a busy machine.
        assert time.perf_counter() - started < 0.25
        assert any("交通" in reply.text for reply in turn.replies)
    finally:
        gc.unfreeze()
