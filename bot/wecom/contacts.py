"""Customer contacts (客户联系): profiles, tags, live codes, welcome messages, transfers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.wecom.bounds import MAX_ATTACHMENTS, MAX_STATE_CHARS, MAX_TRANSFER
from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.transport import JSON

GET_CONTACT: Final = Endpoint("externalcontact/get", "GET")
BATCH_GET_BY_USER: Final = Endpoint("externalcontact/batch/get_by_user")
LIST_CONTACTS: Final = Endpoint("externalcontact/list", "GET")
FOLLOW_USERS: Final = Endpoint("externalcontact/get_follow_user_list", "GET")
CORP_TAGS: Final = Endpoint("externalcontact/get_corp_tag_list")
ADD_CORP_TAG: Final = Endpoint("externalcontact/add_corp_tag")
EDIT_CORP_TAG: Final = Endpoint("externalcontact/edit_corp_tag")
DEL_CORP_TAG: Final = Endpoint("externalcontact/del_corp_tag")
MARK_TAG: Final = Endpoint("externalcontact/mark_tag")
ADD_CONTACT_WAY: Final = Endpoint("externalcontact/add_contact_way")
GET_CONTACT_WAY: Final = Endpoint("externalcontact/get_contact_way")
LIST_CONTACT_WAY: Final = Endpoint("externalcontact/list_contact_way")
UPDATE_CONTACT_WAY: Final = Endpoint("externalcontact/update_contact_way")
DEL_CONTACT_WAY: Final = Endpoint("externalcontact/del_contact_way")
SEND_WELCOME: Final = Endpoint("externalcontact/send_welcome_msg")
TRANSFER: Final = Endpoint("externalcontact/transfer_customer")
TRANSFER_RESIGNED: Final = Endpoint("externalcontact/resigned/transfer_customer")


class ContactsAPI:
    """externalcontact/* for customers of the corp's staff."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def get(self, external_userid: str, cursor: str = "") -> JSON:
        """A customer and the staff who follow them (``next_cursor`` past 500 followers)."""
        params = {"external_userid": external_userid}
        if cursor:
            params["cursor"] = cursor
        return await self._client.call(GET_CONTACT, params=params)

    async def batch_get_by_user(
        self, userids: Sequence[str], cursor: str = "", limit: int = 50
    ) -> JSON:
        """The customers of up to 100 staff members, paged."""
        if not 1 <= len(userids) <= 100:  # noqa: PLR2004 - WeCom's limit
            raise ValueError("batch/get_by_user takes 1 to 100 userids")
        body = {"userid_list": list(userids), "cursor": cursor, "limit": limit}
        return await self._client.call(BATCH_GET_BY_USER, body)

    async def customers_of(self, userid: str) -> list[str]:
        """The external_userids of one staff member's customers."""
        payload = await self._client.call(LIST_CONTACTS, params={"userid": userid})
        return [str(item) for item in payload.get("external_userid", [])]

    async def follow_users(self) -> list[str]:
        """Staff members with customer-contact enabled."""
        payload = await self._client.call(FOLLOW_USERS)
        return [str(item) for item in payload.get("follow_user", [])]

    async def corp_tags(self, tag_ids: Sequence[str] = (), group_ids: Sequence[str] = ()) -> JSON:
        """Corp tag groups and their tags (group_ids win over tag_ids)."""
        return await self._client.call(
            CORP_TAGS, {"tag_id": list(tag_ids), "group_id": list(group_ids)}
        )

    async def add_corp_tags(self, group_name: str, tag_names: Sequence[str]) -> JSON:
        """Create tags (and their group if new); the answer carries their ids."""
        if any(len(name) > MAX_STATE_CHARS for name in tag_names):
            raise ValueError("a tag name has at most 30 characters")
        body = {"group_name": group_name, "tag": [{"name": name} for name in tag_names]}
        return await self._client.call(ADD_CORP_TAG, body)

    async def edit_corp_tag(
        self, tag_id: str, name: str | None = None, order: int | None = None
    ) -> JSON:
        """Rename or reorder a tag or tag group."""
        body: dict[str, Any] = {"id": tag_id}
        if name is not None:
            body["name"] = name
        if order is not None:
            body["order"] = order
        return await self._client.call(EDIT_CORP_TAG, body)

    async def delete_corp_tags(
        self, tag_ids: Sequence[str] = (), group_ids: Sequence[str] = ()
    ) -> JSON:
        """Delete tags or whole tag groups."""
        return await self._client.call(
            DEL_CORP_TAG, {"tag_id": list(tag_ids), "group_id": list(group_ids)}
        )

    async def mark_tag(
        self, userid: str, external_userid: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> JSON:
        """Add and remove corp tags on one staff member's customer."""
        body = {
            "userid": userid,
            "external_userid": external_userid,
            "add_tag": list(add),
            "remove_tag": list(remove),
        }
        return await self._client.call(MARK_TAG, body)

    async def add_contact_way(self, way: Mapping[str, Any]) -> JSON:
        """Create a live code (渠道活码); the answer carries config_id and qr_code."""
        state = way.get("state")
        if isinstance(state, str) and len(state) > MAX_STATE_CHARS:
            raise ValueError("a contact way's state has at most 30 characters")
        return await self._client.call(ADD_CONTACT_WAY, way)

    async def get_contact_way(self, config_id: str) -> JSON:
        """One live code's configuration."""
        return await self._client.call(GET_CONTACT_WAY, {"config_id": config_id})

    async def list_contact_ways(self, cursor: str = "", limit: int = 100, **times: int) -> JSON:
        """Live codes created through the API, paged (``start_time``/``end_time`` optional)."""
        return await self._client.call(
            LIST_CONTACT_WAY, {"cursor": cursor, "limit": limit, **times}
        )

    async def update_contact_way(self, config_id: str, changes: Mapping[str, Any]) -> JSON:
        """Change a live code, e.g. its ``user`` list when allocation rules move staff."""
        return await self._client.call(UPDATE_CONTACT_WAY, {"config_id": config_id, **changes})

    async def delete_contact_way(self, config_id: str) -> JSON:
        """Delete a live code."""
        return await self._client.call(DEL_CONTACT_WAY, {"config_id": config_id})

    async def send_welcome(
        self, welcome_code: str, text: str | None, attachments: Sequence[Mapping[str, Any]] = ()
    ) -> JSON:
        """Send the welcome message; the code works once, within 20 s (doc 92599)."""
        if len(attachments) > MAX_ATTACHMENTS:
            raise ValueError("a welcome message has at most 9 attachments")
        body: dict[str, Any] = {"welcome_code": welcome_code}
        if text:
            body["text"] = {"content": text}
        if attachments:
            body["attachments"] = list(attachments)
        return await self._client.call(SEND_WELCOME, body)

    async def transfer(
        self,
        handover: str,
        takeover: str,
        external_userids: Sequence[str],
        message: str | None = None,
        *,
        resigned: bool = False,
    ) -> JSON:
        """Hand customers to another staff member (on the job, or after ``handover`` left)."""
        if not 1 <= len(external_userids) <= MAX_TRANSFER:
            raise ValueError("a transfer takes 1 to 100 customers")
        body: dict[str, Any] = {
            "handover_userid": handover,
            "takeover_userid": takeover,
            "external_userid": list(external_userids),
        }
        if message and not resigned:
            body["transfer_success_msg"] = message
        return await self._client.call(TRANSFER_RESIGNED if resigned else TRANSFER, body)
