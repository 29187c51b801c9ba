"""The rules model refuses what WeCom would refuse later, and the defaults file is valid."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from handlers.intake.rules import IntakeRules, load_rules_file

LINK = {"msgtype": "link", "link": {"title": "t", "url": "https://example.com"}}


def channel(**changes: Any) -> dict[str, Any]:
    return {"name": "A", "state": "ch_a", "staff": [{"userid": "u1"}], **changes}


def build(**parts: Any) -> IntakeRules:
    return IntakeRules.model_validate({"welcome": {"text": "hi"}, **parts})


def test_the_shipped_defaults_are_valid() -> None:
    rules = load_rules_file()
    assert rules.channel_for("ch_poster_a") is not None
    assert rules.staff_name("zhangwei") == "张伟"


@pytest.mark.parametrize(
    "parts",
    [
        {"channels": {"a": channel(state="x" * 31)}},  # state ≤30 chars (doc 92228)
        {"channels": {"a": channel(), "b": channel()}},  # two channels, one state
        {"channels": {"a b": channel()}},  # channel ids are identifiers
        {"channels": {"a": channel(staff=[])}},
        {"channels": {"a": channel(staff=[{"userid": "u1"}, {"userid": "u1"}])}},
        {"channels": {"a": channel(staff=[{"userid": "u1", "weight": 0}])}},
        {"channels": {"a": channel(staff=[{"userid": "u1", "hours": ["9-5"]}])}},
        {"channels": {"a": channel(tags=[{"group": "g", "name": "n" * 31}])}},
        {"welcome": {"text": "hi", "attachments": [LINK] * 10}},  # ≤9 attachments
        {"welcome": {"text": "好" * 1334}},  # 4002 bytes > 4000
        {"welcome": {"text": ""}},  # neither text nor attachments
        {"welcome": {"attachments": [{"msgtype": "link", "image": {"pic_url": "x"}}]}},
        {
            "welcome": {
                "attachments": [
                    {"msgtype": "link", "link": {"title": "t" * 129, "url": "https://e"}}
                ]
            }
        },
        {"welcome": {"attachments": [{"msgtype": "image", "image": {}}]}},
        {"staff": {"u1": {"hours": ["mon-fri 25:00-26:00"]}}},
        {"churn": {"digest_time": "8am"}},
        {"surprise": True},
    ],
)
def test_invalid_rules_are_refused(parts: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        build(**parts)


def test_rules_survive_their_stored_json() -> None:
    rules = load_rules_file()
    assert IntakeRules.model_validate_json(rules.model_dump_json()) == rules
