"""The bot loads its data before the first user arrives."""
import gc
from datetime import date

from bot.core import _gazetteer, knowledge, rules, search
from bot.core.warmup import warm_up

AS_OF = date(2026, 11, 22)
LOADERS = (rules.load_rules, knowledge.load_knowledge, search.default_index, _gazetteer.gazetteer)


def test_warm_up_loads_everything_and_freezes_it():
    for loader in LOADERS:
        loader.cache_clear()
    try:
        warm_up(AS_OF)
        assert gc.get_freeze_count() > 0
        # Every data loader has run once; a worker's first message only hits the caches.
        assert [loader.cache_info().currsize for loader in LOADERS] == [1, 1, 1, 1]
    finally:
        gc.unfreeze()
