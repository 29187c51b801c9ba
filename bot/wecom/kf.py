"""WeChat customer service (微信客服): pull messages with a cursor, answer (doc 94670)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.transport import JSON

SYNC_MSG: Final = Endpoint("kf/sync_msg")
SEND_MSG: Final = Endpoint("kf/send_msg")
SEND_ON_EVENT: Final = Endpoint("kf/send_msg_on_event")


class KfAPI:
    """kf/* for one corp's customer-service accounts."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def sync(self, open_kfid: str, cursor: str = "", token: str = "",
                   limit: int = 1000) -> JSON:  # fmt: skip
        """Messages after ``cursor``; persist ``next_cursor``, loop while ``has_more``."""
        body: dict[str, Any] = {"open_kfid": open_kfid, "cursor": cursor, "limit": limit}
        if token:
            body["token"] = token  # from the callback: without it the limits are strict
        return await self._client.call(SYNC_MSG, body)

    async def send(self, open_kfid: str, external_userid: str, msgtype: str,
                   content: Mapping[str, Any], msgid: str | None = None) -> JSON:  # fmt: skip
        """Answer a customer (within 48 h of their last message)."""
        body: dict[str, Any] = {"touser": external_userid, "open_kfid": open_kfid,
                                "msgtype": msgtype, msgtype: dict(content)}  # fmt: skip
        if msgid:
            body["msgid"] = msgid  # ours, ≤32 bytes: makes a retried send idempotent
        return await self._client.call(SEND_MSG, body)

    async def send_on_event(self, code: str, msgtype: str, content: Mapping[str, Any],
                            msgid: str | None = None) -> JSON:  # fmt: skip
        """Welcome a customer entering a session (the event's code: 20 s, once)."""
        body: dict[str, Any] = {"code": code, "msgtype": msgtype, msgtype: dict(content)}
        if msgid:
            body["msgid"] = msgid
        return await self._client.call(SEND_ON_EVENT, body)
