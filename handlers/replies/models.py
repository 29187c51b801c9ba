"""Quick replies and FAQ answers as data: the pydantic models that validate them.

Quick replies are what staff pick from in the sidebar: groups of titled texts with optional
attachments, found by words of their title, text or keywords. FAQ answers are what siyu may
answer a customer with: chosen by the message's intent or by keywords it contains, with a
text, attachments and menu choices (微信客服 msgmenu: at most 10 choices, doc 94677).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.wecom.bounds import MAX_ATTACHMENTS, TEXT_BYTES

MAX_MENU_CHOICES: Final = 10
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

    label: Annotated[str, Field(min_length=1, max_length=64)]
    answer: Id


class FaqAnswer(_Model):
    """An answer, chosen by one of ``intents`` or by a ``keywords`` word in the message."""

    id: Id
    intents: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    text: Annotated[str, Field(min_length=1)]
    attachments: Annotated[tuple[Attachment, ...], Field(max_length=MAX_ATTACHMENTS)] = ()
    menu: Annotated[tuple[MenuChoice, ...], Field(max_length=MAX_MENU_CHOICES)] = ()

    @model_validator(mode="after")
    def _chosen_somehow(self) -> FaqAnswer:
        _text_fits(self.text)
        return self


class Faq(_Model):
    """Every FAQ answer; the first that fits a message wins."""

    answers: tuple[FaqAnswer, ...] = ()

    @model_validator(mode="after")
    def _menus_point_at_answers(self) -> Faq:
        ids = [answer.id for answer in self.answers]
        if len(set(ids)) != len(ids):
            raise ValueError("answer ids must be unique")
        for answer in self.answers:
            for choice in answer.menu:
                if choice.answer not in ids:
                    raise ValueError(
                        f"answer {answer.id}: menu choice {choice.label!r} points "
                        f"at no answer {choice.answer!r}"
                    )
        return self

    def answer_for(self, intent: str | None, text: str) -> FaqAnswer | None:
        """The answer for a message: by its intent first, else by a keyword in its text."""
        by_intent = [a for a in self.answers if intent is not None and intent in a.intents]
        by_word = [a for a in self.answers if any(word in text for word in a.keywords)]
        return next(iter(by_intent or by_word), None)

    def by_id(self, answer_id: str) -> FaqAnswer | None:
        """The answer with this id (a menu choice's target)."""
        return next((a for a in self.answers if a.id == answer_id), None)
