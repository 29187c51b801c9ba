"""The chat message: who wrote what to whom, when, through which source.

Pure: built from an app callback, a ``kf/sync_msg`` item or an archived message, read by
moderation and intents the same way whatever the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

MAX_TEXT_CHARS: Final = 20_000  # the analyzer reads this much; the rest is not kept
# Characters XML 1.0 cannot carry (the stream holds events as XML): C0 controls but tab,
# newline and carriage return; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Source(StrEnum):
    """Where a message was read."""

    APP = "app"  # a staff member writing to the siyu app
    KF = "kf"  # 微信客服, pulled with kf/sync_msg
    ARCHIVE = "archive"  # 会话内容存档, posted by an archive puller


class Role(StrEnum):
    """Who wrote it."""

    CUSTOMER = "customer"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Conversation:
    """The two sides (each "" when unknown) and, for a group chat, the group.

    A one-to-one chat has a staff member and a customer; a group message has ``chat_id``
    and the side that wrote it; an app message has only the staff member; a KF message has
    the KF account, the customer and the servicer if one is known.
    """

    staff: str = ""  # userid
    customer: str = ""  # external_userid
    chat_id: str = ""  # group chat (roomid)
    open_kfid: str = ""  # 微信客服 account

    @property
    def is_group(self) -> bool:
        """A group chat message."""
        return bool(self.chat_id)


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One text message of a conversation."""

    source: Source
    msgid: str  # unique within its source
    role: Role
    sender: str  # userid (staff) or external_userid (customer)
    text: str
    sent_at: datetime  # aware
    conversation: Conversation

    @property
    def key(self) -> str:
        """The message's idempotency key: effects of one message are recorded under it."""
        return f"{self.source}:{self.msgid}"

    @property
    def from_customer(self) -> bool:
        """Written by a customer."""
        return self.role is Role.CUSTOMER

    @property
    def customer(self) -> str:
        """The customer of the conversation ("" if none is known)."""
        return self.conversation.customer

    @property
    def staff(self) -> str:
        """The staff member of the conversation ("" if none is known)."""
        return self.conversation.staff


def clean_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text as kept: at most ``max_chars``, without characters XML cannot carry."""
    return _NOT_XML.sub("", text[:max_chars])


def guess_role(sender: str) -> Role:
    """External contacts' ids start ``wm`` (WeChat users) or ``wo`` (other corps' members)."""
    return Role.CUSTOMER if sender[:2] in {"wm", "wo"} else Role.STAFF
