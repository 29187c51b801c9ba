"""Message content shared by welcome messages and group sends: text plus ≤9 attachments."""

from __future__ import annotations

from typing import Final

from bot.sandbox.api.params import Params, check_bytes
from bot.sandbox.errcodes import invalid
from bot.sandbox.records import JsonMap

MAX_ATTACHMENTS: Final = 9  # docs 92599, 92135
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "image": (),  # media_id or pic_url, checked below
    "link": ("title", "url"),
    "miniprogram": ("title", "pic_media_id", "appid", "page"),
    "video": ("media_id",),
    "file": ("media_id",),
}
_BYTE_LIMITS: Final[dict[str, dict[str, int]]] = {
    "link": {"title": 128, "desc": 512},
    "miniprogram": {"title": 64},
}


def _check_attachment(index: int, attachment: JsonMap) -> None:
    msgtype = attachment.get("msgtype")
    if not isinstance(msgtype, str) or msgtype not in _REQUIRED:
        raise invalid(f"attachments[{index}].msgtype must be one of {', '.join(_REQUIRED)}")
    body = Params(attachment).sub(msgtype, required=True)
    for name in _REQUIRED[msgtype]:
        body.text(name)
    if msgtype == "image" and not (body.has("media_id") or body.has("pic_url")):
        raise invalid(f"attachments[{index}].image needs media_id or pic_url")
    for name, limit in _BYTE_LIMITS.get(msgtype, {}).items():
        check_bytes(f"attachments[{index}].{msgtype}.{name}", body.opt_text(name), limit)


def message_content(params: Params, text_limit: int) -> tuple[JsonMap | None, list[JsonMap]]:
    """The text and attachments of a message; at least one of them is required."""
    text = params.obj("text")
    if text is not None:
        content = Params(text).text("content")
        check_bytes("text.content", content, text_limit)
    attachments = params.objects("attachments", max_items=MAX_ATTACHMENTS)
    for index, attachment in enumerate(attachments):
        _check_attachment(index, attachment)
    if text is None and not attachments:
        raise invalid("text or attachments is required")
    return text, attachments
