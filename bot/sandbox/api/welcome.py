"""Welcome messages: send_welcome_msg (doc 92599) and group welcome templates (doc 92366)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Final

from bot.sandbox.api.content import message_content
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.api.media import check_attachments
from bot.sandbox.api.params import Params, check_bytes
from bot.sandbox.errcodes import WELCOME_CODE_USED, ApiError, invalid
from bot.sandbox.records import Json
from bot.sandbox.state import new_id

WELCOME_TEXT_BYTES: Final = 4000
TEMPLATE_TEXT_BYTES: Final = 3000
MAX_TEMPLATES: Final = 100
_TEMPLATE_PARTS: Final = ("text", "image", "link", "miniprogram", "file", "video")


def send_welcome_msg(call: Call) -> Json:
    """Send the welcome message of a code: within 20 s of its event, and only once.

    An unknown code also answers 41051 (unverified: WeCom's answer to a code it never
    issued is not documented).
    """
    code = call.params.text("welcome_code")
    text, attachments = message_content(call.params, WELCOME_TEXT_BYTES)
    issued = call.corp.welcome_codes.get(code)
    if issued is None:
        raise ApiError(WELCOME_CODE_USED, "invalid welcome_code")
    if issued.used:
        raise ApiError(WELCOME_CODE_USED, "welcome_code already used")
    lifetime = timedelta(seconds=call.world.config.limits.welcome_code_seconds)
    if call.now - issued.issued_at > lifetime:
        raise ApiError(WELCOME_CODE_USED, "welcome_code expired (valid 20 s)")
    check_attachments(call, attachments)
    call.corp.welcome_codes[code] = dataclasses.replace(issued, used=True)
    call.corp.welcome_messages.append(
        {
            "welcome_code": code,
            "userid": issued.userid,
            "external_userid": issued.external_userid,
            "text": text,
            "attachments": attachments,
            "at": call.now.isoformat(),
        }
    )
    return {}


def _template_body(params: Params, *, required: bool) -> Json:
    parts: Json = {name: params.obj(name) for name in _TEMPLATE_PARTS if params.has(name)}
    if required and not parts:
        raise invalid("one of text, image, link, miniprogram, file, video is required")
    text = params.sub("text")
    if params.has("text"):
        check_bytes("text.content", text.text("content"), TEMPLATE_TEXT_BYTES)
    return parts


def _template_id(call: Call) -> str:
    template_id = call.params.text("template_id")
    if template_id not in call.corp.group_welcome_templates:
        raise invalid(f"template_id not found: {template_id}")
    return template_id


def add_template(call: Call) -> Json:
    """POST externalcontact/group_welcome_template/add → template_id (≤100 per corp)."""
    body = _template_body(call.params, required=True)
    if len(call.corp.group_welcome_templates) >= MAX_TEMPLATES:
        raise invalid(f"at most {MAX_TEMPLATES} group welcome templates per corp")
    template_id = new_id("msg", 32)
    call.corp.group_welcome_templates[template_id] = body
    return {"template_id": template_id}


def edit_template(call: Call) -> Json:
    """POST …/group_welcome_template/edit: replace the parts given."""
    template_id = _template_id(call)
    body = _template_body(call.params, required=False)
    merged = {**call.corp.group_welcome_templates[template_id], **body}
    call.corp.group_welcome_templates[template_id] = merged
    return {}


def get_template(call: Call) -> Json:
    """POST …/group_welcome_template/get: the template's parts."""
    return dict(call.corp.group_welcome_templates[_template_id(call)])


def del_template(call: Call) -> Json:
    """POST …/group_welcome_template/del."""
    del call.corp.group_welcome_templates[_template_id(call)]
    return {}


ENDPOINTS = (
    Endpoint("externalcontact/send_welcome_msg", "POST", send_welcome_msg),
    Endpoint("externalcontact/group_welcome_template/add", "POST", add_template),
    Endpoint("externalcontact/group_welcome_template/edit", "POST", edit_template),
    Endpoint("externalcontact/group_welcome_template/get", "POST", get_template),
    Endpoint("externalcontact/group_welcome_template/del", "POST", del_template),
)
