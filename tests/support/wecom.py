"""Callbacks as WeCom sends them, for the tests."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

from bot.callbacks import SignedCallback, message_xml, sign_callback
from bot.crypto import CallbackCrypto
from config.settings import Settings
from tests.conftest import NOW

_msg_ids = itertools.count(7_300_000_000_000_000_001)


def crypto_of(settings: Settings, app: str = "default") -> CallbackCrypto:
    """The crypto WeCom would use for ``app``."""
    config = settings.apps[app]
    return CallbackCrypto.create(
        config.token.get_secret_value(),
        config.encoding_aes_key.get_secret_value(),
        settings.receive_id(config),
    )


def text_message(settings: Settings, content: str = "hello", msg_id: int | None = None) -> str:
    """A member's text message to the app."""
    return message_xml(
        {
            "ToUserName": settings.wecom.corp_id,
            "FromUserName": "staff01",
            "CreateTime": int(NOW.timestamp()),
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id if msg_id is not None else next(_msg_ids),
            "AgentID": 1000002,
        }
    )


def contact_added(settings: Settings, external_user_id: str, create_time: int | None = None) -> str:
    """A customer added staff01 through a live code."""
    return message_xml(
        {
            "ToUserName": settings.wecom.corp_id,
            "FromUserName": "sys",
            "CreateTime": create_time if create_time is not None else int(NOW.timestamp()),
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": "add_external_contact",
            "UserID": "staff01",
            "ExternalUserID": external_user_id,
            "State": "ch_poster_a",
            "WelcomeCode": f"WC_{external_user_id}",
        }
    )


def follow_user_deleted(settings: Settings, external_user_id: str) -> str:
    """The customer deleted staff01."""
    return message_xml(
        {
            "ToUserName": settings.wecom.corp_id,
            "FromUserName": "sys",
            "CreateTime": int(NOW.timestamp()),
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": "del_follow_user",
            "UserID": "staff01",
            "ExternalUserID": external_user_id,
        }
    )


def signed(settings: Settings, plaintext: str, timestamp: int | None = None) -> SignedCallback:
    """``plaintext`` encrypted and signed for the default app."""
    when = timestamp if timestamp is not None else int(NOW.timestamp())
    return sign_callback(crypto_of(settings), plaintext, when, to_user_name=settings.wecom.corp_id)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Poll ``check`` until it holds or ``timeout`` passes (then fail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met within the deadline")
