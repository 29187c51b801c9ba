"""What the 微信客服 bot needs of other concerns, as Protocols with their component keys.

The wiring (handlers/__init__.py) provides them: the answer source (the rules store's
``faq`` set, followed live), the verdicts on a message (moderation's analyzer: sensitive or
not, its intent) and the media library's resolver, so conversations imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from bot.deps import ComponentKey, Deps


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A click item of a msgmenu: its id (an answer's id) and its label."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot says: a text, attachments (kf/send_msg bodies), a menu of follow-ups."""

    id: str
    text: str
    attachments: tuple[Mapping[str, Any], ...] = ()
    menu: tuple[MenuItem, ...] = ()
    handoff: bool = False  # this answer hands the customer to a human


@dataclass(frozen=True, slots=True)
class Replies:
    """The fixed lines of the bot: welcome (by scene), fallback, handoff notices."""

    welcome: Answer
    welcome_by_scene: Mapping[str, Answer] = field(default_factory=dict)
    fallback: Answer = Answer("fallback", "")
    handoff_text: str = ""
    pool_text: str = ""


class FaqAnswers(Protocol):
    """The bot's answer source: an intent or keywords → an answer; a menu id → its answer."""

    def match(self, text: str, intent: str | None) -> Answer | None:
        """The answer to a customer's text (its intent first, then keywords), if any."""
        ...

    def by_id(self, answer_id: str) -> Answer | None:
        """The answer a menu item names."""
        ...

    def replies(self) -> Replies:
        """Welcome, fallback and handoff lines."""
        ...


class FaqSource(Protocol):
    """The answers in use now (a new version of the rules shows within a poll)."""

    async def current(self) -> FaqAnswers:
        """The answers of the latest version."""
        ...


class MediaResolver(Protocol):
    """Turns media library references in attachments into what WeCom takes now."""

    async def resolve(
        self, deps: Deps, attachments: Sequence[Mapping[str, Any]], where: str
    ) -> tuple[dict[str, Any], ...]:
        """The attachments with current media_ids; one that cannot be made fresh is left out."""
        ...


class MessageVerdicts(Protocol):
    """What moderation's analyzer says of a customer's message."""

    async def is_sensitive(self, text: str) -> bool:
        """The text holds a sensitive word (diversion, abuse...): the bot does not answer."""
        ...

    async def intent_of(self, text: str) -> str | None:
        """The text's intent (price, human, complaint...), or None."""
        ...


FAQ_ANSWERS: Final = ComponentKey[FaqSource]("kf_faq_answers")
MEDIA: Final = ComponentKey[MediaResolver]("kf_media")
MESSAGE_VERDICTS: Final = ComponentKey[MessageVerdicts]("kf_message_verdicts")
