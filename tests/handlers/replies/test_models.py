"""Quick replies are searchable by group and words; FAQ answers are chosen by intent or word."""

from __future__ import annotations

import pytest

from bot.store.rules_files import read_file, validated
from bot.store.rules_live import RulesInvalid
from handlers.replies.models import Faq, QuickReplies
from handlers.replies.rules import CONFIG


def test_quick_replies_are_found_by_words_of_title_text_or_keywords() -> None:
    replies = validated(QuickReplies, read_file(CONFIG / "replies.toml"), "replies")
    assert [(group, r.id) for group, r in replies.search("多少钱")] == [("售前", "price_list")]
    assert [r.id for _, r in replies.search("退款", group="售前")] == []
    assert len(replies.search("")) == 3


@pytest.mark.parametrize(
    ("intent", "text", "answer"),
    [("price", "", "price"), (None, "你们几点上班", "hours"), (None, "随便聊聊", None)],
)
def test_faq_answers_by_intent_then_keyword(
    intent: str | None, text: str, answer: str | None
) -> None:
    faq = validated(Faq, read_file(CONFIG / "faq.toml"), "faq")
    found = faq.answer_for(intent, text)
    assert (found.id if found else None) == answer


def test_a_menu_choice_must_lead_to_an_answer() -> None:
    doc = {"answers": [{"id": "a", "text": "x", "menu": [{"label": "去", "answer": "nope"}]}]}
    with pytest.raises(RulesInvalid, match="points at no answer 'nope'"):
        validated(Faq, doc, "faq")
