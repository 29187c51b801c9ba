"""OAuth2 identity (doc 91023): who opened a page, from the one-time code WeCom gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.wecom.client import Endpoint, WeComClient

GETUSERINFO: Final = Endpoint("auth/getuserinfo", "GET")


@dataclass(frozen=True, slots=True)
class Visitor:
    """A member (``userid``) or, for a non-member, ``openid`` and maybe ``external_userid``."""

    userid: str = ""
    openid: str = ""
    external_userid: str = ""

    @property
    def is_member(self) -> bool:
        """Whether a member of the corp opened the page."""
        return bool(self.userid)


class AuthAPI:
    """auth/getuserinfo as one app (the app whose agentid the authorize URL named)."""

    def __init__(self, client: WeComClient) -> None:
        self._client = client

    async def visitor(self, code: str) -> Visitor:
        """Who the code belongs to; a used or invalid code raises (40029, doc 91023)."""
        answer = await self._client.call(GETUSERINFO, params={"code": code})
        return Visitor(
            userid=str(answer.get("userid") or answer.get("UserId") or ""),
            openid=str(answer.get("openid") or answer.get("OpenId") or ""),
            external_userid=str(answer.get("external_userid") or ""),
        )
