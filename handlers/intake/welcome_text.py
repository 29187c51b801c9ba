"""Which welcome message a new customer gets, and its text with the placeholders filled. Pure.

The message is the channel's (found by the add event's State), else the staff member's,
else the default. Only the three documented placeholders are replaced: anything else in
braces is the operator's text, never a format field (no ``str.format`` on data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from handlers.intake.rules import WELCOME_TEXT_BYTES, IntakeRules, WelcomeMessage

_PLACEHOLDER: Final = re.compile(r"\{(customer_name|staff_name|channel)\}")
_SPACE_BEFORE_PUNCTUATION: Final = re.compile(r"[ \t]+([,，.。!！?？、;；:：~～])")
_EMPTY_AFTER_GREETING: Final = re.compile(r"([,，])\s*\1")
_SPACES: Final = re.compile(r"[ \t]{2,}")
_LEADING_PUNCTUATION: Final = re.compile(r"^[\s,，、;；]+")


@dataclass(frozen=True, slots=True)
class Welcome:
    """What send_welcome_msg gets: the text (may be empty) and the attachments' JSON."""

    text: str
    attachments: tuple[dict[str, Any], ...]
    source: str  # "channel:<id>", "staff:<userid>" or "default": which rule chose it


def choose(rules: IntakeRules, state: str | None, userid: str) -> tuple[WelcomeMessage, str]:
    """The message for an add through ``state`` to ``userid``, and where it came from."""
    found = rules.channel_for(state)
    if found is not None and found[1].welcome is not None:
        return found[1].welcome, f"channel:{found[0]}"
    member = rules.staff.get(userid)
    if member is not None and member.welcome is not None:
        return member.welcome, f"staff:{userid}"
    return rules.welcome, "default"


def fill(template: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; a missing value is left out and the text tidied."""
    filled = _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), template)
    if all(values.get(name) for name in ("customer_name", "staff_name", "channel")):
        return filled
    tidied = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", filled)
    tidied = _EMPTY_AFTER_GREETING.sub(r"\1", tidied)
    return _LEADING_PUNCTUATION.sub("", _SPACES.sub(" ", tidied)).strip()


def truncate_bytes(text: str, limit: int = WELCOME_TEXT_BYTES) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes on a character boundary."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def compose(
    rules: IntakeRules,
    *,
    state: str | None,
    userid: str,
    customer_name: str | None,
) -> Welcome:
    """The welcome for this add; ``customer_name`` None when it was not known in time."""
    message, source = choose(rules, state, userid)
    found = rules.channel_for(state)
    values = {
        "customer_name": customer_name or "",
        "staff_name": rules.staff_name(userid),
        "channel": found[1].name if found is not None else "",
    }
    template = message.text
    if not customer_name and message.text_without_name is not None:
        template = message.text_without_name
    text = truncate_bytes(fill(template, values)) if template else ""
    attachments = tuple(attachment.as_wecom() for attachment in message.attachments)
    return Welcome(text, attachments, source)
