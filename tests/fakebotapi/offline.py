"""An offline ``BaseRequest``: PTB talks to a FakeBotApi in-process, no socket at all."""
from __future__ import annotations

import json

from telegram.request import BaseRequest, RequestData

from .api import FakeBotApi
from .files import resolve_attachments, uploads_from_ptb
from .schema import decode_form


class OfflineRequest(BaseRequest):
    """Answers PTB's requests from a FakeBotApi (validated, recorded), without the network."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        """Decode the call as the server would (form-encoded JSON values) and answer it."""
        token_part, api_method = url.rstrip("/").rsplit("/", 2)[-2:]
        form = request_data.json_parameters if request_data else {}
        params = decode_form(api_method, form)
        if request_data is not None and request_data.contains_files:
            params = resolve_attachments(params, uploads_from_ptb(request_data.multipart_data))
        status, body = self.api.handle(token_part.removeprefix("bot"), api_method, params)
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")
