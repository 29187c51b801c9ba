"""Group sends (客户群发): templates staff confirm, and their progress (docs 92135, 93338)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.wecom.bounds import MAX_CUSTOMERS, MAX_GROUPS
from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.transport import JSON

ADD_MSG_TEMPLATE: Final = Endpoint("externalcontact/add_msg_template")
LIST_GROUPMSG: Final = Endpoint("externalcontact/get_groupmsg_list_v2")
GROUPMSG_TASK: Final = Endpoint("externalcontact/get_groupmsg_task")
GROUPMSG_SEND_RESULT: Final = Endpoint("externalcontact/get_groupmsg_send_result")
REMIND_GROUPMSG: Final = Endpoint("externalcontact/remind_groupmsg_send")
CANCEL_GROUPMSG: Final = Endpoint("externalcontact/cancel_groupmsg_send")


class CampaignsAPI:
    """externalcontact group-send templates and their results."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def add_msg_template(self, template: Mapping[str, Any]) -> JSON:
        """Create a group send; nothing goes out until the sender confirms it in WeCom."""
        customers = template.get("external_userid", [])
        chats = template.get("chat_id_list", [])
        if len(customers) > MAX_CUSTOMERS or len(chats) > MAX_GROUPS:
            raise ValueError("add_msg_template takes ≤10,000 customers or ≤2,000 groups")
        if template.get("chat_type") == "group" and not template.get("sender"):
            raise ValueError("a group-chat send needs a sender")
        return await self._client.call(ADD_MSG_TEMPLATE, template)

    async def created_between(
        self, start_time: int, end_time: int, cursor: str = "", limit: int = 50, **filters: Any
    ) -> JSON:
        """Group sends created in a time range, paged (``creator``, ``filter_type``...)."""
        body = {
            "start_time": start_time,
            "end_time": end_time,
            "cursor": cursor,
            "limit": limit,
            **filters,
        }
        return await self._client.call(LIST_GROUPMSG, body)

    async def task(self, msgid: str, cursor: str = "", limit: int = 500) -> JSON:
        """Which staff members sent a group send (status 0 unsent, 2 sent), paged."""
        body = {"msgid": msgid, "cursor": cursor, "limit": limit}
        return await self._client.call(GROUPMSG_TASK, body)

    async def send_result(
        self, msgid: str, userid: str, cursor: str = "", limit: int = 500
    ) -> JSON:
        """Per customer or group of one sender: 0 unsent, 1 sent, 2 not a friend, 3 capped."""
        body = {"msgid": msgid, "userid": userid, "cursor": cursor, "limit": limit}
        return await self._client.call(GROUPMSG_SEND_RESULT, body)

    async def remind(self, msgid: str) -> JSON:
        """Remind the senders who have not sent (WeCom limits how often, spec: unverified)."""
        return await self._client.call(REMIND_GROUPMSG, {"msgid": msgid})

    async def cancel(self, msgid: str) -> JSON:
        """Stop the senders who have not sent yet."""
        return await self._client.call(CANCEL_GROUPMSG, {"msgid": msgid})

    @staticmethod
    def batches(items: Sequence[str], size: int) -> list[list[str]]:
        """Split ``items`` into WeCom-sized calls."""
        return [list(items[i : i + size]) for i in range(0, len(items), size)]
