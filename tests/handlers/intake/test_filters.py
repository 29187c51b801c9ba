"""The intake handlers' filters, each on its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.events import ExternalContactAdded, ExternalContactDeleted
from handlers.intake.filters import has_welcome_code, not_a_transfer, through_a_live_code

WHEN = datetime(2026, 11, 24, tzinfo=UTC)


def added(state: str | None = None, code: str | None = None) -> ExternalContactAdded:
    return ExternalContactAdded(
        corp_id="ww",
        from_user="sys",
        create_time=WHEN,
        user_id="u",
        external_user_id="wm",
        state=state,
        welcome_code=code,
    )


@pytest.mark.parametrize(("code", "expected"), [("WC1", True), (None, False)])
def test_has_welcome_code(code: str | None, expected: bool) -> None:
    assert has_welcome_code(added(code=code)) is expected


@pytest.mark.parametrize(("state", "expected"), [("ch_a", True), (None, False)])
def test_through_a_live_code(state: str | None, expected: bool) -> None:
    assert through_a_live_code(added(state=state)) is expected


@pytest.mark.parametrize(("source", "expected"), [(None, True), ("DELETE_BY_TRANSFER", False)])
def test_not_a_transfer(source: str | None, expected: bool) -> None:
    deleted = ExternalContactDeleted(
        corp_id="ww",
        from_user="sys",
        create_time=WHEN,
        user_id="u",
        external_user_id="wm",
        source=source,
    )
    assert not_a_transfer(deleted) is expected
