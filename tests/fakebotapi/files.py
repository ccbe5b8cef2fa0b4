"""Uploads (sendDocument/sendPhoto) and the fault-injection hook of the fake Bot API."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

Fault = Callable[[str, dict], "tuple[int, dict] | None"]
UPLOAD_FIELDS = {"sendDocument": "document", "sendPhoto": "photo"}


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    file_name: str
    data: bytes
    mime_type: str = "application/octet-stream"

    @property
    def file_id(self) -> str:
        """A stable id derived from the content, as Telegram's file ids are stable."""
        return "file-" + hashlib.sha1(self.data).hexdigest()[:16]


@dataclass(frozen=True)
class SentFile:
    """One accepted sendDocument/sendPhoto: where it went and what was in it."""

    method: str
    chat_id: Any
    file_name: str
    data: bytes
    caption: str | None
    upload: Upload


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """Split a multipart/form-data body into plain fields and uploaded files."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("malformed multipart body")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            raise ValueError("multipart part without a name")
        payload = part.get_payload(decode=True) or b""
        file_name = part.get_filename()
        if file_name is None:
            fields[name] = payload.decode("utf-8")
        else:
            files[name] = Upload(file_name, payload, part.get_content_type())
    return fields, files


def uploads_from_ptb(multipart: dict | None) -> dict[str, Upload]:
    """PTB's ``RequestData.multipart_data`` ({name: (file name, bytes, mime)}) as Uploads."""
    uploads = {}
    for name, value in (multipart or {}).items():
        file_name, content, mime = (value + ("application/octet-stream",))[:3]
        data = content if isinstance(content, bytes) else content.read()
        uploads[name] = Upload(file_name or name, data, mime)
    return uploads


def resolve_attachments(params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
    """Put uploads in place of their fields (direct or ``attach://name``)."""
    resolved = dict(params)
    for name, upload in files.items():
        targets = [key for key, value in params.items() if value == f"attach://{name}"]
        for key in targets or [name]:
            resolved[key] = upload
    return resolved


class FileMethods:
    """Mixin of FakeBotApi: accept uploads, remember them, and inject faults."""

    fault: Fault | None

    def _file_message(self, method: str, params: dict) -> dict | tuple[int, str]:
        problem = self._chat_error(params["chat_id"])
        if problem:
            return problem
        upload = self._known_upload(params[UPLOAD_FIELDS[method]])
        if upload is None:
            return 400, "Bad Request: wrong remote file identifier specified"
        if not upload.data:
            return 400, "Bad Request: file must be non-empty"
        with self._cond:
            self.files.append(SentFile(method, params["chat_id"], upload.file_name, upload.data,
                                       params.get("caption"), upload))
        message = {"message_id": next(self._ids), "date": int(time.time()),
                   "chat": self.chat(params["chat_id"]), "from": self.bot_user()}
        meta = {"file_id": upload.file_id, "file_unique_id": upload.file_id[5:],
                "file_size": len(upload.data)}
        if method == "sendPhoto":
            message["photo"] = [{**meta, "width": 800, "height": 600}]
        else:
            message["document"] = {**meta, "file_name": upload.file_name,
                                   "mime_type": upload.mime_type}
        if params.get("caption"):
            message["caption"] = params["caption"]
        self.messages[(params["chat_id"], message["message_id"])] = message
        return message

    def _known_upload(self, value: Any) -> Upload | None:
        """An upload, or a file id of an earlier upload (resent without bytes), else None."""
        if isinstance(value, Upload):
            return value
        return next((sent.upload for sent in self.files if sent.upload.file_id == value), None)

    def _sendDocument(self, params: dict) -> dict | tuple[int, str]:
        return self._file_message("sendDocument", params)

    def _sendPhoto(self, params: dict) -> dict | tuple[int, str]:
        return self._file_message("sendPhoto", params)

    def documents(self, chat_id: Any = None) -> list[SentFile]:
        """Files accepted by sendDocument/sendPhoto (to ``chat_id`` when given), in order."""
        with self._cond:
            return [sent for sent in self.files if chat_id in (None, sent.chat_id)]

    def injected_fault(self, method: str, params: dict) -> tuple[int, dict] | None:
        """What the fault hook says about this call (None: handle it normally)."""
        return self.fault(method, params) if self.fault is not None else None
