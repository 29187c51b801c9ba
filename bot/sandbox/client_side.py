"""What WeCom's client side keeps in the sandbox: JS-SDK tickets, OAuth2 codes, the open chat.

Tickets (doc 90506/94313): one corp ticket and one app ticket per app, each reused while
valid (7200 s) like access tokens. OAuth2 codes (doc 91023): valid 5 minutes, once. The open
chat is the one the tester picked (``POST /sandbox/jssdk/chat``): what the stand-in JS-SDK
answers to getContext, getCurExternalContact and getCurExternalChat; what the page put into
it with sendChatMessage is recorded.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from bot.sandbox.records import JsonMap

TICKET_SECONDS: Final = 7200
CODE_SECONDS: Final = 300  # an OAuth2 code lives 5 minutes and works once (doc 91023)
CORP: Final = ""  # the ticket scope of the corp ticket (app tickets are scoped by app name)


def js_signature(ticket: str, noncestr: str, timestamp: str, url: str) -> str:
    """WeCom's own check (doc 96909), kept apart from siyu's on purpose: the sandbox stands
    for WeCom, so a mistake in siyu's signer fails here instead of agreeing with itself."""
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()  # noqa: S324 - WeCom's scheme


@dataclass(frozen=True, slots=True)
class Ticket:
    """An issued ticket and when it stops working."""

    value: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class OAuthCode:
    """A code from the authorize page: whose it is, until when, used or not."""

    userid: str
    expires_at: datetime
    used: bool = False


@dataclass(frozen=True, slots=True)
class OpenChat:
    """The chat the staff member has the sidebar open in (the tester's pick)."""

    userid: str
    entry: str  # single_chat_tools | group_chat_tools | contact_profile | single_kf_tools | normal
    external_userid: str = ""
    chat_id: str = ""


@dataclass
class ClientSide:
    """The sandbox's client-side state (one per World)."""

    tickets: dict[str, Ticket] = field(default_factory=dict)  # scope → current ticket
    codes: dict[str, OAuthCode] = field(default_factory=dict)
    signed_in: str | None = None  # the staff member the WeCom client is logged in as
    chat: OpenChat | None = None
    verified: set[tuple[str, str]] = field(default_factory=set)  # (config|agentConfig, url)
    verifications: list[JsonMap] = field(default_factory=list)
    sent: list[JsonMap] = field(default_factory=list)  # sendChatMessage calls

    def ticket(self, scope: str, now: datetime) -> Ticket:
        """The scope's valid ticket, or a new one."""
        current = self.tickets.get(scope)
        if current is None or now >= current.expires_at:
            current = Ticket(secrets.token_urlsafe(48), now + timedelta(seconds=TICKET_SECONDS))
            self.tickets[scope] = current
        return current

    def valid_ticket(self, scope: str, now: datetime) -> str | None:
        """The scope's ticket if one was issued and still works (signatures need it)."""
        current = self.tickets.get(scope)
        return current.value if current is not None and now < current.expires_at else None

    def new_code(self, userid: str, now: datetime) -> str:
        """A one-time OAuth2 code for ``userid``."""
        code = secrets.token_urlsafe(24)
        self.codes[code] = OAuthCode(userid, now + timedelta(seconds=CODE_SECONDS))
        return code

    def redeem(self, code: str, now: datetime) -> str | None:
        """The code's userid, once; None if unknown, used or expired (WeCom: 40029)."""
        found = self.codes.get(code)
        if found is None or found.used or now >= found.expires_at:
            return None
        self.codes[code] = OAuthCode(found.userid, found.expires_at, used=True)
        return found.userid
