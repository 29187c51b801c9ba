"""The bot's FAQ: the ``faq`` rule set's document (validated) and the answers it compiles to.

An answer is found by intent first (nlp's intents), then by a keyword contained in the
message, then by a phrasing close enough to it (character pairs shared, so "这个怎么卖" and
"请问这个怎么卖呀" meet); NFKC and case do not matter. ``{name}`` variables are filled in
every line. Attachments are kf/send_msg bodies; an image, video or file may name a media
library item (``{msgtype = "image", image = {library = "<id>"}}``), made a media_id when sent.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from handlers.conversations.needs import Answer, MenuItem, Replies

HEAD_BYTES: Final = 1024  # msgmenu head_content (a text with a menu is sent as its head)
MENU_ITEMS: Final = 8  # msgmenu takes ≤10 items; the bot adds 有帮助/没帮助 to answers
PHRASING_SCORE: Final = 0.8  # share of a phrasing's character pairs found in the message
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_\-]+$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MenuChoice(_Model):
    """A follow-up with its own label (a bare answer id shows the answer's title)."""

    label: Annotated[str, Field(min_length=1, max_length=32)]
    answer: Id


Menu = list[Id | MenuChoice]


class _Line(_Model):
    text: Annotated[str, Field(min_length=1)]
    menu: Menu = []


class _Welcome(_Line):
    text: Annotated[str, Field(min_length=1)] = "您好，请问有什么可以帮您？"
    scenes: dict[str, _Line] = {}


class _Fallback(_Line):
    text: Annotated[str, Field(min_length=1)] = (
        "抱歉，我没太明白您的意思，您可以换个说法或找人工客服。"
    )


class _Handoff(_Model):
    text: str = "好的，正在为您转接人工客服，请稍候。"
    pool_text: str = "好的，已为您排队等待人工客服，请稍候。"


class FaqEntry(_Line):
    """One answer and what finds it."""

    id: Id
    title: Annotated[str, Field(max_length=32)] = ""
    intents: list[str] = []
    keywords: list[str] = []
    phrasings: list[str] = []  # whole questions customers ask, matched loosely
    attachments: list[dict[str, Any]] = []
    handoff: bool = False  # the answer hands the customer to a human


class FaqDocument(_Model):
    """The ``faq`` rule set's document."""

    variables: dict[str, str] = {}
    welcome: _Welcome = _Welcome()
    fallback: _Fallback = _Fallback()
    handoff: _Handoff = _Handoff()
    answers: list[FaqEntry] = []

    @model_validator(mode="after")
    def _consistent(self) -> FaqDocument:
        known = [entry.id for entry in self.answers]
        if len(set(known)) != len(known):
            raise ValueError("answer ids must be unique")
        lines = [self.welcome, self.fallback, *self.welcome.scenes.values(), *self.answers]
        for line in lines:
            unknown = [i for i in map(target, line.menu) if i not in known]
            if unknown:
                raise ValueError(f"menu names unknown answers: {', '.join(unknown)}")
            if len(line.menu) > MENU_ITEMS:
                raise ValueError(f"a menu has at most {MENU_ITEMS} items: {line.text[:20]}…")
            if len(fill(line.text, self.variables).encode()) > HEAD_BYTES:
                raise ValueError(f"a text is over {HEAD_BYTES} bytes: {line.text[:20]}…")
        return self


def target(choice: str | MenuChoice) -> str:
    """The answer id a menu choice leads to."""
    return choice if isinstance(choice, str) else choice.answer


def fold(text: str) -> str:
    """How keywords and messages are compared: NFKC, case folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _pairs(text: str) -> set[str]:
    letters = [c for c in fold(text) if c.isalnum()]
    return {a + b for a, b in itertools.pairwise(letters)} or set(letters)


def close_to(message_pairs: set[str], phrasing_pairs: set[str]) -> bool:
    """Whether a message says a phrasing: most of the phrasing's character pairs are in it."""
    if not phrasing_pairs:
        return False
    return len(message_pairs & phrasing_pairs) / len(phrasing_pairs) >= PHRASING_SCORE


class _Vars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown variable stays as written


def fill(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with ``{name}`` variables filled (unknown ones left as they are)."""
    return text.format_map(_Vars(variables))


class FaqBook:
    """Answers by id, intent, keyword and phrasing, variables filled (what the bot reads)."""

    def __init__(self, faq: FaqDocument) -> None:
        titles = {entry.id: entry.title or entry.id for entry in faq.answers}
        v = faq.variables

        def menu(choices: Menu) -> tuple[MenuItem, ...]:
            return tuple(
                MenuItem(c, titles[c]) if isinstance(c, str) else MenuItem(c.answer, c.label)
                for c in choices
            )

        def line(answer_id: str, source: _Line) -> Answer:
            return Answer(answer_id, fill(source.text, v), menu=menu(source.menu))

        self._answers = {
            e.id: Answer(e.id, fill(e.text, v), tuple(e.attachments), menu(e.menu), e.handoff)
            for e in faq.answers
        }
        self._by_intent: dict[str, str] = {}
        for entry in faq.answers:
            for intent in entry.intents:
                self._by_intent.setdefault(intent, entry.id)
        self._keywords = [(fold(w), e.id) for e in faq.answers for w in e.keywords if fold(w)]
        self._phrasings = [(_pairs(p), e.id) for e in faq.answers for p in e.phrasings]
        self._replies = Replies(
            welcome=line("welcome", faq.welcome),
            welcome_by_scene={s: line("welcome", w) for s, w in faq.welcome.scenes.items()},
            fallback=line("fallback", faq.fallback),
            handoff_text=fill(faq.handoff.text, v),
            pool_text=fill(faq.handoff.pool_text, v),
        )

    def match(self, text: str, intent: str | None) -> Answer | None:
        """The answer of the intent, else of the first keyword in the text, else of the first
        phrasing close to it."""
        chosen = self._by_intent.get(intent) if intent else None
        if chosen is None:
            folded = fold(text)
            chosen = next((i for word, i in self._keywords if word in folded), None)
        if chosen is None:
            pairs = _pairs(text)
            chosen = next((i for said, i in self._phrasings if close_to(pairs, said)), None)
        return None if chosen is None else self._answers[chosen]

    def by_id(self, answer_id: str) -> Answer | None:
        """The answer of a menu item."""
        return self._answers.get(answer_id)

    def replies(self) -> Replies:
        """Welcome (by scene), fallback and handoff lines."""
        return self._replies
