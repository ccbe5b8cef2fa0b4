"""Logging for the bot process: one line per record, and never the bot token."""
from __future__ import annotations

import logging
from urllib.parse import quote

MASK = "<token>"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class TokenMask(logging.Filter):
    """Replace the token in every record (message, arguments, exception text) with ``<token>``.

    A filter on the handler, so records of every logger (httpx, PTB, ours) pass through it;
    the exception is formatted here first, since a traceback can carry the request URL.
    """

    def __init__(self, token: str) -> None:
        """Mask ``token`` and its URL-encoded spelling."""
        super().__init__()
        self.secrets = sorted({token, quote(token, safe="")}, key=len, reverse=True)

    def mask(self, line: str) -> str:
        """``line`` without the token."""
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return line

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message and exception now, masked; always keep the record."""
        record.msg, record.args = self.mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


def setup_logging(token: str | None, level: int = logging.INFO) -> None:
    """Log to stderr; every handler of the root logger masks the token."""
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if token:
        mask = TokenMask(token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(mask)
