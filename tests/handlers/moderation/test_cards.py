"""The alert card: one per message, the parts WeCom needs, within its limits."""

from __future__ import annotations

from handlers.moderation.cards import (
    TASK_PREFIX,
    AlertView,
    alert_card,
    task_id_for,
    violations_text,
)

VIEW = AlertView(
    categories=("引流", "辱骂"),
    excerpt="好的，【加我v.x详聊】吧",
    sender="客户 刘洋",
    recipient="员工 张伟",
    source="微信客服",
    channel="",
    violations="第2次（引流 2 次、辱骂 1 次）",
    when="11-24 18:00",
)


def test_the_card_names_what_who_and_how_often() -> None:
    card = alert_card(VIEW, "siyu-mabc")
    assert card["card_type"] == "button_interaction"
    assert card["task_id"] == "siyu-mabc"
    assert card["main_title"] == {"title": "敏感内容：引流、辱骂", "desc": VIEW.excerpt}
    assert card["sub_title_text"] == "客户 刘洋 → 员工 张伟"
    assert [row["keyname"] for row in card["horizontal_content_list"]] == [
        "发送人",
        "接收人",
        "来源",
        "违规次数",
        "时间",
    ]
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        ("已处理", "mod_done"),
        ("误报", "mod_false"),
    ]


def test_long_values_are_cut() -> None:
    card = alert_card(
        AlertView(
            ("引流",), "x" * 200, "客户 " + "名" * 40, "-", "会话存档", "", "第1次", "11-24 18:00"
        ),
        "siyu-m1",
    )
    assert len(card["main_title"]["desc"]) == 80
    assert all(len(row["value"]) <= 26 for row in card["horizontal_content_list"])


def test_task_ids_are_stable_per_message_and_valid_for_wecom() -> None:
    task_id = task_id_for("kf:msgid-1")
    assert task_id == task_id_for("kf:msgid-1") != task_id_for("kf:msgid-2")
    assert task_id.startswith(TASK_PREFIX)
    assert len(task_id) <= 128 and task_id.replace("-", "").isalnum()


def test_violations_read_as_a_count() -> None:
    assert violations_text(3, {"diversion": 2}, {"diversion": "引流"}) == "第3次（引流 2 次）"
    assert violations_text(1, {}, {}) == "第1次"
