"""The bot's default answer source: config/kf_faq.toml (welcome, answers, fallback), checked.

It serves ``FaqAnswers`` (needs.py) until the rules store's FAQ sets replace it. Answers are
found by intent first (nlp's intents), then by the first keyword found in the message (NFKC,
case folded); the file's variables (``{phone}``) are filled in every line. A bad edit keeps
the previous answers (logged).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from handlers.conversations.needs import Answer, MenuItem, Replies

logger = logging.getLogger(__name__)

DEFAULT_FAQ_FILE: Final = Path(__file__).resolve().parents[2] / "config" / "kf_faq.toml"
HEAD_BYTES: Final = 1024  # msgmenu head_content (a text with a menu is sent as its head)
MENU_ITEMS: Final = 8  # msgmenu takes ≤10 items; the bot adds 有帮助/没帮助 to answers


class FaqError(ValueError):
    """The FAQ file cannot be read or is inconsistent."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Line(_Model):
    text: str = Field(min_length=1)
    menu: list[str] = []


class _Welcome(_Line):
    scenes: dict[str, _Line] = {}


class _Handoff(_Model):
    text: str = "好的，正在为您转接人工客服，请稍候。"
    pool_text: str = "好的，已为您排队等待人工客服，请稍候。"


class _Entry(_Line):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_\-]+$")
    title: str = Field(min_length=1, max_length=32)
    intents: list[str] = []
    keywords: list[str] = []
    attachments: list[dict[str, Any]] = []
    handoff: bool = False


class FaqFile(_Model):
    """The file's shape."""

    variables: dict[str, str] = {}
    welcome: _Welcome
    fallback: _Line
    handoff: _Handoff = _Handoff()
    answers: list[_Entry] = []

    @model_validator(mode="after")
    def _menus_name_answers(self) -> FaqFile:
        known = {entry.id for entry in self.answers}
        lines = [self.welcome, self.fallback, *self.welcome.scenes.values(), *self.answers]
        for line in lines:
            unknown = [item for item in line.menu if item not in known]
            if unknown:
                raise ValueError(f"menu names unknown answers: {', '.join(unknown)}")
            if len(line.menu) > MENU_ITEMS:
                raise ValueError(f"a menu has at most {MENU_ITEMS} items: {line.text[:20]}…")
            if len(fill(line.text, self.variables).encode()) > HEAD_BYTES:
                raise ValueError(f"a text is over {HEAD_BYTES} bytes: {line.text[:20]}…")
        return self


def fold(text: str) -> str:
    """How keywords and messages are compared: NFKC, case folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Vars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown variable stays as written


def fill(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with ``{name}`` variables filled (unknown ones left as they are)."""
    return text.format_map(_Vars(variables))


class FaqBook:
    """Answers by id, intent and keyword (implements needs.FaqAnswers)."""

    def __init__(self, faq: FaqFile) -> None:
        self._faq = faq
        titles = {entry.id: entry.title for entry in faq.answers}
        self._variables = faq.variables

        def menu(ids: list[str]) -> tuple[MenuItem, ...]:
            return tuple(MenuItem(i, titles[i]) for i in ids)

        self._menu = menu
        self._answers = {
            entry.id: Answer(
                entry.id, entry.text, tuple(entry.attachments), menu(entry.menu), entry.handoff
            )
            for entry in faq.answers
        }
        self._by_intent: dict[str, str] = {}
        for entry in faq.answers:
            for intent in entry.intents:
                self._by_intent.setdefault(intent, entry.id)
        self._keywords = [
            (fold(word), entry.id) for entry in faq.answers for word in entry.keywords if fold(word)
        ]
        self._replies = Replies(
            welcome=Answer("welcome", faq.welcome.text, menu=menu(faq.welcome.menu)),
            welcome_by_scene={
                scene: Answer("welcome", line.text, menu=menu(line.menu))
                for scene, line in faq.welcome.scenes.items()
            },
            fallback=Answer("fallback", faq.fallback.text, menu=menu(faq.fallback.menu)),
            handoff_text=faq.handoff.text,
            pool_text=faq.handoff.pool_text,
        )

    def _filled(self, answer: Answer) -> Answer:
        return Answer(
            answer.id,
            fill(answer.text, self._variables),
            answer.attachments,
            answer.menu,
            answer.handoff,
        )

    def match(self, text: str, intent: str | None) -> Answer | None:
        """The answer of the intent, else of the first keyword found in the text."""
        chosen = self._by_intent.get(intent) if intent else None
        if chosen is None:
            folded = fold(text)
            chosen = next((i for word, i in self._keywords if word in folded), None)
        return None if chosen is None else self._filled(self._answers[chosen])

    def by_id(self, answer_id: str) -> Answer | None:
        """The answer of a menu item."""
        answer = self._answers.get(answer_id)
        return None if answer is None else self._filled(answer)

    def replies(self) -> Replies:
        """Welcome (by scene), fallback and handoff lines, variables filled."""
        r, v = self._replies, self._variables
        return Replies(
            welcome=Answer("welcome", fill(r.welcome.text, v), menu=r.welcome.menu),
            welcome_by_scene={
                scene: Answer("welcome", fill(a.text, v), menu=a.menu)
                for scene, a in r.welcome_by_scene.items()
            },
            fallback=Answer("fallback", fill(r.fallback.text, v), menu=r.fallback.menu),
            handoff_text=fill(r.handoff_text, v),
            pool_text=fill(r.pool_text, v),
        )


def load_faq(path: Path) -> FaqBook:
    """The answers of ``path`` (FaqError if unreadable or inconsistent)."""
    try:
        with path.open("rb") as file:
            raw = tomllib.load(file)
        return FaqBook(FaqFile.model_validate(raw))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise FaqError(f"{path}: {exc}") from exc


class FaqFileSource:
    """The FAQ file's answers, re-read when the file changes (implements FaqAnswers)."""

    def __init__(self, path: Path | None, check_seconds: float = 2.0) -> None:
        self.path = path or DEFAULT_FAQ_FILE
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._stamp = self._stat()
        self._book = load_faq(self.path)  # a bad file at start-up is an error
        self._checked_at = time.monotonic()

    def _stat(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def current(self) -> FaqBook:
        """The answers now (the file is looked at every ``check_seconds`` at most)."""
        now = time.monotonic()
        if now - self._checked_at < self._check_seconds:
            return self._book
        with self._lock:
            self._checked_at = now
            stamp = self._stat()
            if stamp is not None and stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._book = load_faq(self.path)
                    logger.info("kf FAQ reloaded from %s", self.path)
                except FaqError as exc:
                    logger.error("kf FAQ not reloaded, the previous answers stay: %s", exc)
        return self._book

    def match(self, text: str, intent: str | None) -> Answer | None:
        """See FaqBook.match."""
        return self.current().match(text, intent)

    def by_id(self, answer_id: str) -> Answer | None:
        """See FaqBook.by_id."""
        return self.current().by_id(answer_id)

    def replies(self) -> Replies:
        """See FaqBook.replies."""
        return self.current().replies()
