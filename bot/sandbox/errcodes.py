"""The errcodes the sandbox answers, and ApiError, the one way a handler refuses a call.

Codes from wecom-spec.md §4 are WeCom's. Codes marked (unverified) are WeCom codes recalled
from its global error-code page (doc 90313) without a second source: a client should treat
them only as "this call was refused", not rely on the exact number.
"""

from __future__ import annotations

from typing import Final

OK: Final = 0
SYSTEM_BUSY: Final = -1
INVALID_SECRET: Final = 40001  # gettoken with a wrong corpsecret
INVALID_CORP_ID: Final = 40013  # (unverified) gettoken with a wrong corpid
INVALID_TOKEN: Final = 40014
MISSING_TOKEN: Final = 41001
MISSING_CORP_ID: Final = 41002  # (unverified)
MISSING_SECRET: Final = 41004  # (unverified)
EXPIRED_TOKEN: Final = 42001
INVALID_PARAMETER: Final = 40058  # (unverified) "不合法的参数": missing or malformed fields
BAD_JSON: Final = 47001  # (unverified) the body is not a JSON object
API_NOT_FOUND: Final = 48001  # (unverified) "api unauthorized": no such API in the sandbox
CONTENT_TOO_LONG: Final = 45002  # (unverified) "消息内容大小超过限制"
FREQUENCY_LIMIT: Final = 45009
CONCURRENCY_LIMIT: Final = 45033
INVALID_CHAT_ID: Final = 40050  # (unverified) no such customer group
INVALID_TAG_ID: Final = 40068  # (unverified) no such corp tag or tag group
TAG_NAME_EXISTS: Final = 40071  # (unverified) a tag of that name exists in the group
INVALID_USERID: Final = 60111  # (unverified) "UserID不存在"
INVALID_EXTERNAL_USERID: Final = 40096
WELCOME_CODE_USED: Final = 41051
ALL_RECIPIENTS_INVALID: Final = 81013
NO_RELATION: Final = 84061
KF_INVALID_ACCOUNT: Final = 95004  # (unverified) no such open_kfid
KF_REPLY_WINDOW_CLOSED: Final = 95018  # (unverified) past 48 h or past the reply count


class ApiError(Exception):
    """A refused call: the errcode and errmsg WeCom would answer."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def invalid(message: str) -> ApiError:
    """A missing or malformed request field (40058, unverified)."""
    return ApiError(INVALID_PARAMETER, f"invalid parameter: {message}")
