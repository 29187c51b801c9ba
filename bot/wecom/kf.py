"""WeChat customer service (微信客服): pull messages with a cursor, answer (doc 94670), move
sessions between the bot, the pool and servicers (doc 94669), list servicers (doc 94645)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.transport import JSON

SYNC_MSG: Final = Endpoint("kf/sync_msg")
SEND_MSG: Final = Endpoint("kf/send_msg")
SEND_ON_EVENT: Final = Endpoint("kf/send_msg_on_event")
STATE_GET: Final = Endpoint("kf/service_state/get")
STATE_TRANS: Final = Endpoint("kf/service_state/trans")
SERVICERS: Final = Endpoint("kf/servicer/list", "GET")


class KfAPI:
    """kf/* for one corp's customer-service accounts."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def sync(
        self, open_kfid: str, cursor: str = "", token: str = "", limit: int = 1000
    ) -> JSON:
        """Messages after ``cursor``; persist ``next_cursor``, loop while ``has_more``."""
        body: dict[str, Any] = {"open_kfid": open_kfid, "cursor": cursor, "limit": limit}
        if token:
            body["token"] = token  # from the callback: without it the limits are strict
        return await self._client.call(SYNC_MSG, body)

    async def send(
        self,
        open_kfid: str,
        external_userid: str,
        msgtype: str,
        content: Mapping[str, Any],
        msgid: str | None = None,
    ) -> JSON:
        """Answer a customer (within 48 h of their last message)."""
        body: dict[str, Any] = {
            "touser": external_userid,
            "open_kfid": open_kfid,
            "msgtype": msgtype,
            msgtype: dict(content),
        }
        if msgid:
            body["msgid"] = msgid  # ours, ≤32 bytes: makes a retried send idempotent
        return await self._client.call(SEND_MSG, body)

    async def send_on_event(
        self, code: str, msgtype: str, content: Mapping[str, Any], msgid: str | None = None
    ) -> JSON:
        """Welcome a customer entering a session (the event's code: 20 s, once)."""
        body: dict[str, Any] = {"code": code, "msgtype": msgtype, msgtype: dict(content)}
        if msgid:
            body["msgid"] = msgid
        return await self._client.call(SEND_ON_EVENT, body)

    async def service_state(self, open_kfid: str, external_userid: str) -> tuple[int, str]:
        """The session's state (0-4) and its servicer ("" unless 3)."""
        answer = await self._client.call(
            STATE_GET, {"open_kfid": open_kfid, "external_userid": external_userid}
        )
        return int(answer.get("service_state", 4)), str(answer.get("servicer_userid") or "")

    async def transfer(
        self, open_kfid: str, external_userid: str, state: int, servicer_userid: str = ""
    ) -> JSON:
        """Move the session to ``state`` (3 needs ``servicer_userid``); WeCom checks the change."""
        body: dict[str, Any] = {
            "open_kfid": open_kfid,
            "external_userid": external_userid,
            "service_state": state,
        }
        if servicer_userid:
            body["servicer_userid"] = servicer_userid
        return await self._client.call(STATE_TRANS, body)

    async def servicers(self, open_kfid: str) -> list[tuple[str, bool]]:
        """The account's servicers (userids; departments are skipped) and whether on duty."""
        answer = await self._client.call(SERVICERS, params={"open_kfid": open_kfid})
        listed = answer.get("servicer_list", [])
        return [
            (str(item["userid"]), int(item.get("status", 0) or 0) == 0)
            for item in listed
            if isinstance(item, Mapping) and item.get("userid")
        ]
