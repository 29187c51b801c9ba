"""The load's record of what was sent: each event's tries and its dedup key as siyu computes it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.callbacks import message_xml
from bot.chaos.load import Planned, sent_events
from bot.events import parse_event
from bot.sandbox import plaintexts
from bot.sandbox.emitter import Delivery, Emission

NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
CORP = "wwchaos"


def _delivery(seq: int, emission: Emission, status: int | None, error: str | None) -> Delivery:
    return Delivery(seq, emission, 0, seq, "http://gateway", status, error, NOW)


def test_each_event_gets_its_tries_in_order_and_siyus_dedup_key() -> None:
    text = plaintexts.app_text(CORP, NOW, "staff-1", "你好", msg_id=42, agent_id=1000002)
    add = plaintexts.contact_change(
        CORP, NOW, "add_external_contact", "staff-1", "wmcustomer", WelcomeCode="WC1"
    )
    message, welcome = Emission("ev-1", "default", text), Emission("ev-2", "default", add)
    deliveries = [
        _delivery(1, message, None, "ClientConnectorError: Cannot connect to host"),
        _delivery(2, welcome, 200, None),
        _delivery(3, message, 503, None),
        _delivery(4, message, None, "timeout"),
    ]
    planned = [Planned("ev-1", "message"), Planned("ev-2", "welcome", "WC1"), Planned("ev-3", "x")]

    sent = sent_events(planned, deliveries)

    assert [e.tries for e in sent] == [("ClientConnectorError", "503", "timeout"), ("200",), ()]
    assert sent[0].dedup_key == parse_event(message_xml(text)).dedup_key
    assert sent[1].dedup_key == parse_event(message_xml(add)).dedup_key
    assert sent[0].dedup_key != sent[1].dedup_key
    assert (sent[0].accepted, sent[1].accepted, sent[2].accepted) == (False, True, False)
    assert sent[1].welcome_code == "WC1"
