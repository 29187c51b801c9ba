"""Customer groups (客户群): listing, details and group welcome templates (doc 92366)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.transport import JSON

LIST_GROUPS: Final = Endpoint("externalcontact/groupchat/list")
GET_GROUP: Final = Endpoint("externalcontact/groupchat/get")
ADD_WELCOME_TEMPLATE: Final = Endpoint("externalcontact/group_welcome_template/add")
EDIT_WELCOME_TEMPLATE: Final = Endpoint("externalcontact/group_welcome_template/edit")
GET_WELCOME_TEMPLATE: Final = Endpoint("externalcontact/group_welcome_template/get")
DEL_WELCOME_TEMPLATE: Final = Endpoint("externalcontact/group_welcome_template/del")


class GroupsAPI:
    """externalcontact/groupchat/* and group welcome templates."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def list_groups(
        self, owners: Sequence[str] = (), status: int = 0, cursor: str = "", limit: int = 100
    ) -> JSON:
        """Customer groups, optionally of some owners (≤100), paged."""
        body: dict[str, Any] = {"status_filter": status, "cursor": cursor, "limit": limit}
        if owners:
            body["owner_filter"] = {"userid_list": list(owners)}
        return await self._client.call(LIST_GROUPS, body)

    async def get(self, chat_id: str, *, need_name: bool = True) -> JSON:
        """One group: owner, admins, members with join time and scene."""
        body = {"chat_id": chat_id, "need_name": int(need_name)}
        return await self._client.call(GET_GROUP, body)

    async def add_welcome_template(self, template: Mapping[str, Any]) -> JSON:
        """Create a group welcome template (``%NICKNAME%`` allowed); answers template_id."""
        return await self._client.call(ADD_WELCOME_TEMPLATE, template)

    async def edit_welcome_template(self, template_id: str, template: Mapping[str, Any]) -> JSON:
        """Replace a group welcome template's content."""
        body = {"template_id": template_id, **template}
        return await self._client.call(EDIT_WELCOME_TEMPLATE, body)

    async def get_welcome_template(self, template_id: str) -> JSON:
        """One group welcome template."""
        return await self._client.call(GET_WELCOME_TEMPLATE, {"template_id": template_id})

    async def delete_welcome_template(self, template_id: str) -> JSON:
        """Delete a group welcome template."""
        return await self._client.call(DEL_WELCOME_TEMPLATE, {"template_id": template_id})
