"""A faithful fake Telegram Bot API for tests: validates calls against api.json, records them."""
from .api import BOT_USER, TOKEN, Call, FakeBotApi
from .files import SentFile, Upload
from .offline import OfflineRequest
from .schema import check_call
from .server import FakeBotApiServer

__all__ = ["BOT_USER", "TOKEN", "Call", "FakeBotApi", "FakeBotApiServer", "OfflineRequest",
           "SentFile", "Upload", "check_call"]
