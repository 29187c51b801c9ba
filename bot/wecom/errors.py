"""WeCom's errcodes as exceptions named by meaning (wecom-spec §4), built in one place."""

from __future__ import annotations

import re
from typing import ClassVar, Final


class WeComAPIError(Exception):
    """WeCom answered a non-zero errcode."""

    errcodes: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, errcode: int, errmsg: str, api: str) -> None:
        super().__init__(f"{api}: errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.api = api


class SystemBusy(WeComAPIError):
    """-1: WeCom is busy; retried with backoff before this is raised."""

    errcodes = frozenset({-1})


class InvalidCredential(WeComAPIError):
    """40001: the app's secret is wrong (gettoken)."""

    errcodes = frozenset({40001})


class AccessTokenInvalid(WeComAPIError):
    """40014 invalid, 42001 expired, 41001 missing: refreshed and retried once first."""

    errcodes = frozenset({40014, 42001, 41001})


class RateLimited(WeComAPIError):
    """45009 frequency or 45033 concurrency limit (or siyu's own limiter): retry later."""

    errcodes = frozenset({45009, 45033})

    def __init__(self, errcode: int, errmsg: str, api: str, retry_after: float = 60.0) -> None:
        super().__init__(errcode, errmsg, api)
        self.retry_after = retry_after


class HeldBack(RateLimited):
    """siyu's own limiter held the call back (WeCom was not asked): ``retry_after`` is when
    its window has room."""

    errcodes = frozenset()


class APIForbidden(WeComAPIError):
    """48002: the app may not call this API (permissions, 可调用接口的应用)."""

    errcodes = frozenset({48002})


class OutOfVisibleRange(WeComAPIError):
    """60011: a member, department or tag outside the app's visible range."""

    errcodes = frozenset({60011})


_IP_PATTERN: Final = re.compile(r"from ip:\s*([0-9a-fA-F:.]+)")


class IPNotTrusted(WeComAPIError):
    """60020: this server's egress IP is not in the app's trusted IP list (企业可信IP)."""

    errcodes = frozenset({60020})

    def __init__(self, errcode: int, errmsg: str, api: str) -> None:
        super().__init__(errcode, errmsg, api)
        match = _IP_PATTERN.search(errmsg)
        self.ip = match.group(1) if match else None
        where = self.ip or "this server's egress IP"
        self.advice = (
            f"WeCom refused the call because {where} is not a trusted IP of this app. "
            "Add it in the admin console: 应用管理 → (your app) → 企业可信IP → 配置, then retry."
        )

    def __str__(self) -> str:
        return f"{super().__str__()} — {self.advice}"


class AllRecipientsInvalid(WeComAPIError):
    """81013: every recipient of message/send is invalid."""

    errcodes = frozenset({81013})


class InvalidExternalUserId(WeComAPIError):
    """40096: the external_userid is not valid for this corp."""

    errcodes = frozenset({40096})


class NoExternalContactRelation(WeComAPIError):
    """84061: the staff member and the customer are not (any more) contacts."""

    errcodes = frozenset({84061})


class WelcomeCodeUsed(WeComAPIError):
    """41051: the welcome code was used, expired (20 s), or the pair already chatted."""

    errcodes = frozenset({41051})


class InvalidMediaId(WeComAPIError):
    """40007: no such media_id, or a temporary one past its 3 days (doc 90254)."""

    errcodes = frozenset({40007})


_BY_ERRCODE: Final[dict[int, type[WeComAPIError]]] = {
    code: cls
    for cls in (
        SystemBusy,
        InvalidCredential,
        AccessTokenInvalid,
        RateLimited,
        APIForbidden,
        OutOfVisibleRange,
        IPNotTrusted,
        AllRecipientsInvalid,
        InvalidExternalUserId,
        NoExternalContactRelation,
        WelcomeCodeUsed,
        InvalidMediaId,
    )
    for code in cls.errcodes
}


def error_for(errcode: int, errmsg: str, api: str) -> WeComAPIError:
    """The exception for an errcode: a named subclass, or WeComAPIError for the rest."""
    return _BY_ERRCODE.get(errcode, WeComAPIError)(errcode, errmsg, api)


class WeComUnavailable(Exception):
    """WeCom could not be reached or answered nonsense (timeouts, 5xx, not JSON)."""

    def __init__(self, api: str, reason: str) -> None:
        super().__init__(f"{api}: {reason}")
        self.api = api
        self.reason = reason
