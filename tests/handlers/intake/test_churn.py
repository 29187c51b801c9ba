"""Churn texts: card task ids, tenure, the digest within message/send's size."""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from handlers.intake.churn_notices import (
    DIGEST_BYTES,
    Loss,
    churn_card,
    digest_markdown,
    task_id,
    tenure,
    transfer_failed_text,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADDED = 1_763_942_400  # 2025-11-24 00:00 UTC
LOSS = Loss(
    kind="customer_left",
    at=ADDED + 37 * 86400 + 3600,
    staff="zhangwei",
    staff_name="张伟",
    customer="wm1",
    customer_name="刘洋",
    channel="海报A",
    since=ADDED,
    last_interaction=None,
)


def test_task_ids_are_stable_unique_and_in_wecoms_alphabet() -> None:
    first, again, other = task_id("a|1"), task_id("a|1"), task_id("a|2")
    assert first == again != other
    assert re.fullmatch(r"[a-zA-Z0-9_\-@]{1,128}", first)


@pytest.mark.parametrize(("since", "text"), [(ADDED, "37 天（2025-11-24 添加）"), (None, "未知")])
def test_tenure(since: int | None, text: str) -> None:
    assert tenure(replace(LOSS, since=since), SHANGHAI) == text


def test_the_card_without_any_interaction_says_so() -> None:
    rows = churn_card(LOSS, "t", SHANGHAI)["horizontal_content_list"]
    assert {"keyname": "最后互动", "value": "暂无记录"} in rows


def test_a_long_digest_is_cut_to_fit_with_a_count_of_the_rest() -> None:
    losses = [replace(LOSS, at=LOSS.at + n, customer=f"wm{n}") for n in range(200)]
    text = digest_markdown(losses, SHANGHAI, "2026-01-02 08:00")
    assert len(text.encode("utf-8")) <= DIGEST_BYTES
    shown = text.count("\n- ")
    assert 0 < shown < 200
    assert text.endswith(f"…另有 {200 - shown} 条")


def test_a_short_digest_lists_everyone() -> None:
    text = digest_markdown([LOSS, replace(LOSS, kind="staff_deleted")], SHANGHAI, "d")
    assert text.count("\n- ") == 2 and "另有" not in text


@pytest.mark.parametrize(
    ("reason", "why"),
    [
        ("customer_refused", "客户拒绝了接替"),
        ("customer_limit_exceed", "客户数已达上限"),
        (None, "原因：未知"),
    ],
)
def test_transfer_failures_say_why(reason: str | None, why: str) -> None:
    assert why in transfer_failed_text("刘洋", "李娜", reason)
