"""App messages to staff (message/send, doc 90236) and interactive card updates.

Every send asks WeCom to drop a repeat (``enable_duplicate_check``) so a redelivered event
cannot prompt a staff member twice; sends take a slot in each recipient's per-member bucket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.wecom.bounds import MAX_RECIPIENTS
from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.transport import JSON

SEND: Final = Endpoint("message/send", member_limited=True)
UPDATE_CARD: Final = Endpoint("message/update_template_card")


class MessagesAPI:
    """Messages from the siyu app to staff members' chat windows."""

    def __init__(self, client: WeComClient, duplicate_check_seconds: int = 1800) -> None:
        self._client = client
        self._duplicate_check_seconds = duplicate_check_seconds

    async def send(self, users: Sequence[str], msgtype: str, content: Mapping[str, Any]) -> JSON:
        """Send one message of ``msgtype`` (text, markdown, textcard, template_card...)."""
        if not 1 <= len(users) <= MAX_RECIPIENTS:
            raise ValueError("message/send takes 1 to 1000 users")
        body: dict[str, Any] = {
            "touser": "|".join(users),
            "msgtype": msgtype,
            "agentid": self._client.agent_id,
            msgtype: dict(content),
        }
        if self._duplicate_check_seconds:
            body["enable_duplicate_check"] = 1
            body["duplicate_check_interval"] = self._duplicate_check_seconds
        return await self._client.call(SEND, body, members=users)

    async def send_text(self, users: Sequence[str], text: str) -> JSON:
        """Send plain text."""
        return await self.send(users, "text", {"content": text})

    async def send_card(self, users: Sequence[str], card: Mapping[str, Any]) -> JSON:
        """Send an interactive template card; the answer's response_code updates it later."""
        return await self.send(users, "template_card", card)

    async def update_card(
        self, users: Sequence[str], response_code: str, replace_name: str
    ) -> JSON:
        """Turn a card's buttons into one label (response codes: 72 h, once)."""
        body = {
            "userids": list(users),
            "agentid": self._client.agent_id,
            "response_code": response_code,
            "button": {"replace_name": replace_name},
        }
        return await self._client.call(UPDATE_CARD, body)
