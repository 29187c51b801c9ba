"""The sandbox harness (sandbox over HTTP, API client, one ManualClock) for these tests too."""

from tests.bot.wecom.conftest import harness, wecom_overrides

__all__ = ["harness", "wecom_overrides"]
