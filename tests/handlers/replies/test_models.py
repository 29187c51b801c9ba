"""Quick replies are searchable by group and words; the console's FAQ form checks each field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.store.rules_files import read_file, validated
from handlers.replies.models import AnswerForm, QuickReplies
from handlers.replies.rules import CONFIG


def test_quick_replies_are_found_by_words_of_title_text_or_keywords() -> None:
    replies = validated(QuickReplies, read_file(CONFIG / "replies.toml"), "replies")
    assert [(group, r.id) for group, r in replies.search("多少钱")] == [("售前", "price_list")]
    assert [r.id for _, r in replies.search("退款", group="售前")] == []
    assert len(replies.search("")) == 3


def test_the_faq_form_checks_each_field() -> None:
    AnswerForm.model_validate({"id": "a", "text": "好", "menu": [{"label": "去", "answer": "b"}]})
    for wrong in (
        {"id": "a b", "text": "好"},
        {"id": "a", "text": ""},
        {"id": "a", "text": "好", "menu": [{"label": "长" * 33, "answer": "b"}]},
        {"id": "a", "text": "好", "menu": [{"label": "去", "answer": "b"}] * 9},
    ):
        with pytest.raises(ValidationError):
            AnswerForm.model_validate(wrong)
