"""The pure core of group tasks: validation, the tag expression, sender choice, splitting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.wecom.bounds import MAX_CUSTOMERS, MAX_GROUPS
from handlers.tasks.codec import spec_from_json, spec_to_json
from handlers.tasks.model import Content, CustomerFilter, GroupFilter, TaskSpec, TaskSpecError
from handlers.tasks.splitting import limit_for, split
from handlers.tasks.targeting import Candidate, Reach, relation_matches, select, sender_for

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
DAY = 86400
T0 = int(NOW.timestamp())


def spec(**changes: object) -> TaskSpec:
    values: dict[str, object] = {
        "title": "双十一预告",
        "content": Content("双十一全场五折"),
        "deadline": NOW + timedelta(days=2),
        "customers": CustomerFilter(everyone=True),
    }
    values.update(changes)
    return TaskSpec(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"content": Content("")}, "text or attachments"),
        ({"content": Content("字" * 1334)}, "4002 bytes"),
        (
            {
                "content": Content(
                    "hi", tuple({"msgtype": "image", "image": {"pic_url": "u"}} for _ in range(10))
                )
            },
            "10 attachments",
        ),
        ({"content": Content("hi", ({"msgtype": "sticker"},))}, "attachment 1"),
        ({"deadline": NOW - timedelta(minutes=1)}, "in the past"),
        ({"deadline": datetime(2026, 12, 1, 12, 0)}, "time zone"),  # noqa: DTZ001 - the point
        ({"customers": None}, "either customers or customer groups"),
        ({"groups": GroupFilter(owners=("a",))}, "either customers or customer groups"),
        ({"customers": CustomerFilter()}, "say all customers"),
        ({"customers": None, "groups": GroupFilter()}, "no group criterion"),
        ({"title": "长" * 61}, "title"),
    ],
    ids=[
        "empty",
        "long-text",
        "attachments",
        "bad-attachment",
        "past",
        "naive",
        "no-target",
        "two-targets",
        "no-criterion",
        "no-group-criterion",
        "title",
    ],
)
def test_specs_wecom_would_refuse_are_refused(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(TaskSpecError, match=problem):
        spec(**changes).checked(NOW)


def test_text_of_exactly_4000_bytes_is_accepted() -> None:
    spec(content=Content("字" * 1333 + "a")).checked(NOW)


def test_a_spec_survives_json() -> None:
    original = spec(
        customers=CustomerFilter(
            all_tags=("t1",),
            any_tags=("t2", "t3"),
            no_tags=("t4",),
            channels=("ch_a",),
            added_from=NOW - timedelta(days=30),
            staff=("zhangwei",),
        ),
        content=Content("hi", ({"msgtype": "link", "link": {"title": "t", "url": "u"}},)),
        operator="manager",
    )
    assert spec_from_json(spec_to_json(original)) == original


@pytest.mark.parametrize(
    ("rule", "tags", "state", "expected"),
    [
        (CustomerFilter(all_tags=("a", "b")), {"a", "b", "c"}, "", True),
        (CustomerFilter(all_tags=("a", "b")), {"a"}, "", False),
        (CustomerFilter(any_tags=("a", "b")), {"b"}, "", True),
        (CustomerFilter(any_tags=("a", "b")), {"c"}, "", False),
        (CustomerFilter(no_tags=("x",)), {"a"}, "", True),
        (CustomerFilter(no_tags=("x",)), {"a", "x"}, "", False),
        (
            CustomerFilter(all_tags=("a",), any_tags=("b", "c"), no_tags=("x",)),
            {"a", "c"},
            "",
            True,
        ),
        (
            CustomerFilter(all_tags=("a",), any_tags=("b", "c"), no_tags=("x",)),
            {"a", "c", "x"},
            "",
            False,
        ),
        (CustomerFilter(channels=("ch_a",)), set(), "ch_a", True),
        (CustomerFilter(channels=("ch_a",)), set(), "ch_b", False),
        (CustomerFilter(everyone=True), set(), "", True),
    ],
    ids=[
        "all-yes",
        "all-no",
        "any-yes",
        "any-no",
        "none-yes",
        "none-no",
        "mixed-yes",
        "mixed-no",
        "channel-yes",
        "channel-no",
        "everyone",
    ],
)
def test_tag_expression(rule: CustomerFilter, tags: set[str], state: str, expected: bool) -> None:
    assert relation_matches(rule, Reach("s1", T0, frozenset(tags), state)) is expected


def test_the_first_matching_relation_sends() -> None:
    candidate = Candidate(
        "wm1",
        (
            Reach("late", T0 - DAY, frozenset({"vip"})),
            Reach("early", T0 - 9 * DAY, frozenset()),
            Reach("mid", T0 - 5 * DAY, frozenset({"vip"})),
        ),
    )
    assert sender_for(CustomerFilter(all_tags=("vip",)), candidate) == "mid"
    assert sender_for(CustomerFilter(everyone=True), candidate) == "early"
    assert sender_for(CustomerFilter(staff=("late",)), candidate) == "late"
    assert sender_for(CustomerFilter(all_tags=("gold",)), candidate) is None


def test_first_added_range_uses_the_customers_first_add() -> None:
    # added to "b" recently, but the customer first came 40 days ago (to "a", or per the store)
    old = Candidate("wm1", (Reach("b", T0 - DAY),), first_added=T0 - 40 * DAY)
    new = Candidate("wm2", (Reach("b", T0 - DAY),))
    recent = CustomerFilter(added_from=NOW - timedelta(days=30))
    assert sender_for(recent, old) is None
    assert sender_for(recent, new) == "b"
    until = CustomerFilter(added_until=NOW - timedelta(days=1))
    assert sender_for(until, new) is None  # exclusive bound
    assert sender_for(until, old) == "b"


def test_selection_leaves_out_do_not_disturb_and_capped_customers() -> None:
    candidates = [Candidate(f"wm{i}", (Reach("s1" if i % 2 else "s2", T0),)) for i in range(10)]
    chosen = select(CustomerFilter(everyone=True), candidates, {"wm1", "wm2"}, {"wm2", "wm3"})
    assert chosen.matched == 10
    assert chosen.exclusions.do_not_disturb == 2
    assert chosen.exclusions.over_cap == 1  # wm2 counted once, as do-not-disturb
    assert sorted(chosen.senders) == [f"wm{i}" for i in (0, 4, 5, 6, 7, 8, 9)]
    assert chosen.senders["wm5"] == "s1"


def test_split_per_sender_within_wecoms_limit() -> None:
    senders = {f"wm{i:05d}": "a" for i in range(12_000)}
    senders |= {f"wn{i:05d}": "b" for i in range(10_000)}
    senders |= {f"wo{i:05d}": "c" for i in range(3)}
    chunks = split(senders, MAX_CUSTOMERS)
    assert [(c.index, c.sender, c.size) for c in chunks] == [
        (0, "a", 10_000),
        (1, "a", 2_000),
        (2, "b", 10_000),
        (3, "c", 3),
    ]
    assert chunks[0].targets[0] == "wm00000" and chunks[1].targets[0] == "wm10000"
    assert split(senders, MAX_CUSTOMERS) == chunks  # deterministic: a re-plan is the same
    assert sum(c.size for c in chunks) == len(senders)


def test_limits_by_chat_type() -> None:
    assert limit_for("single") == 10_000
    assert limit_for("group") == MAX_GROUPS == 2_000
    assert split({}, 10) == []
    with pytest.raises(ValueError, match="positive"):
        split({"a": "b"}, 0)
