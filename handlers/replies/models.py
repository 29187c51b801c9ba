"""Quick replies as data, and the console's form of a FAQ answer: the pydantic models.

Quick replies are what staff pick from in the sidebar: groups of titled texts with optional
attachments, found by words of their title, text or keywords. FAQ answers belong to the
微信客服 bot (handlers/conversations/faq.py: the ``faq`` rule set); the console edits one
answer at a time through ``AnswerForm`` (menu choices: 微信客服 msgmenu, doc 94677).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.wecom.bounds import MAX_ATTACHMENTS, TEXT_BYTES

MAX_MENU_CHOICES: Final = 8  # msgmenu takes 10; the bot adds 有帮助/没帮助 to answers
MENU_LABEL_CHARS: Final = 32
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Attachment(_Model):
    """An image, file, video or link of a reply: by media_id, pic_url or url."""

    kind: Literal["image", "file", "video", "link"]
    media_id: str = ""
    pic_url: str = ""
    url: str = ""
    title: str = ""

    @model_validator(mode="after")
    def _source(self) -> Attachment:
        needs = {"image": self.media_id or self.pic_url, "link": self.url and self.title}
        if not needs.get(self.kind, self.media_id):
            raise ValueError(
                f"a {self.kind} attachment needs "
                + {"image": "media_id or pic_url", "link": "url and title"}.get(
                    self.kind, "media_id"
                )
            )
        return self


def _text_fits(text: str) -> str:
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise ValueError(f"at most {TEXT_BYTES} bytes (UTF-8)")
    return text


class QuickReply(_Model):
    """One reply staff can send as is."""

    id: Id
    title: Annotated[str, Field(min_length=1, max_length=64)]
    text: str = ""
    keywords: tuple[str, ...] = ()
    attachments: Annotated[tuple[Attachment, ...], Field(max_length=MAX_ATTACHMENTS)] = ()

    def matches(self, words: list[str]) -> bool:
        """Every word is in the title, the text or a keyword (case-insensitive)."""
        haystack = " ".join((self.title, self.text, *self.keywords)).lower()
        return all(word in haystack for word in words)


class ReplyGroup(_Model):
    """A named group of quick replies (售前, 售后...)."""

    name: Annotated[str, Field(min_length=1, max_length=32)]
    replies: tuple[QuickReply, ...] = ()


class QuickReplies(_Model):
    """The 话术库."""

    groups: tuple[ReplyGroup, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> QuickReplies:
        ids = [reply.id for group in self.groups for reply in group.replies]
        names = [group.name for group in self.groups]
        if len(set(ids)) != len(ids) or len(set(names)) != len(names):
            raise ValueError("reply ids and group names must be unique")
        return self

    def search(self, query: str, group: str | None = None) -> list[tuple[str, QuickReply]]:
        """(group, reply) of every reply matching every word of ``query``, in order."""
        words = query.lower().split()
        return [
            (g.name, reply)
            for g in self.groups
            if group in {None, g.name}
            for reply in g.replies
            if reply.matches(words)
        ]


class MenuChoice(_Model):
    """A choice of an answer's menu: the customer taps it and gets the answer ``answer``."""

    label: Annotated[str, Field(min_length=1, max_length=MENU_LABEL_CHARS)]
    answer: Id


class AnswerForm(_Model):
    """What the console's FAQ form edits of an answer: the fields are checked here, each next
    to its input; the whole ``faq`` document (the 微信客服 bot's, with its welcome, fallback,
    phrasings and attachments) is validated by its own rule set when saved."""

    id: Id
    intents: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    text: Annotated[str, Field(min_length=1)]
    menu: Annotated[tuple[MenuChoice, ...], Field(max_length=MAX_MENU_CHOICES)] = ()

    @model_validator(mode="after")
    def _text_fits_a_message(self) -> AnswerForm:
        _text_fits(self.text)
        return self
