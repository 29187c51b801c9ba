"""``siyu doctor``: check a deployment's WeCom setup and explain each failure in plain words.

Callback setup is the most reported failure of every WeCom project, so each check says what
is wrong and where in the admin console to fix it. Secrets are never printed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

import aiohttp

from bot.callbacks import verification_query
from bot.crypto import CallbackCrypto
from bot.wecom.errors import InvalidCredential, IPNotTrusted, WeComAPIError, WeComUnavailable
from bot.wecom.transport import Timeouts, Transport
from config.settings import AppSettings, Settings

_CORP_ID: Final = re.compile(r"^w[wx][0-9a-f]{16}$")
_PROBE_API: Final = "externalcontact/get_follow_user_list"  # cheap, and checks the trusted IP


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's outcome."""

    ok: bool
    check: str
    detail: str

    def line(self) -> str:
        """As printed."""
        return f"{'ok  ' if self.ok else 'FAIL'} {self.check}: {self.detail}"


def check_corp_id(settings: Settings) -> Finding:
    """The CorpID looks like one (ww + 16 hex digits; older corps wx…)."""
    corp_id = settings.wecom.corp_id
    if _CORP_ID.match(corp_id):
        return Finding(True, "corp id", corp_id)
    return Finding(
        False,
        "corp id",
        f"{corp_id!r} does not look like a CorpID (ww + 16 hex "
        "digits). Copy it from 我的企业 → 企业信息 → 企业ID.",
    )


def check_callback_keys(name: str, app: AppSettings) -> Finding:
    """Token and EncodingAESKey are usable (the AES key is checked by settings already)."""
    token = app.token.get_secret_value()
    if not token or len(token) > 32 or not token.isalnum():  # noqa: PLR2004 - WeCom's form
        return Finding(
            False,
            f"app {name}: token",
            "the callback Token must be 1-32 letters or "
            "digits, exactly as in 应用管理 → 接收消息 → 设置API接收.",
        )
    return Finding(True, f"app {name}: token and EncodingAESKey", "well-formed")


async def check_secret(name: str, app: AppSettings, transport: Transport, corp_id: str) -> Finding:
    """gettoken with the app's secret, then one call that needs a trusted IP."""
    check = f"app {name}: secret and trusted IP"
    secret = app.secret.get_secret_value()
    if not secret:
        return Finding(
            False, check, f"no secret configured (set SIYU_APPS__{name.upper()}__SECRET)."
        )
    try:
        credentials = {"corpid": corp_id, "corpsecret": secret}
        payload = await transport.request("GET", "gettoken", credentials, None)
        token = str(payload["access_token"])
        await transport.request("GET", _PROBE_API, {"access_token": token}, None)
    except InvalidCredential:
        return Finding(
            False,
            check,
            "WeCom rejected the secret (40001). Use this app's Secret "
            "from 应用管理 → (app) → Secret; customer-contact APIs need an app listed "
            "under 客户联系 → 可调用接口的应用.",
        )
    except IPNotTrusted as error:
        return Finding(False, check, error.advice)
    except WeComAPIError as error:
        return Finding(False, check, f"WeCom answered {error.errcode}: {error.errmsg}")
    except WeComUnavailable as error:
        return Finding(False, check, f"WeCom is unreachable at the api_base ({error.reason}).")
    return Finding(True, check, "gettoken works and this server's IP is trusted")


async def check_public_url(
    name: str, settings: Settings, session: aiohttp.ClientSession, public_url: str
) -> Finding:
    """WeCom's URL verification, played against the public callback URL."""
    check = f"app {name}: callback URL {public_url}"
    app = settings.apps[name]
    crypto = CallbackCrypto.create(
        app.token.get_secret_value(),
        app.encoding_aes_key.get_secret_value(),
        settings.receive_id(app),
    )
    echo = str(int(time.time() * 1000))
    query = verification_query(crypto, echo, int(time.time()))
    try:
        async with session.get(public_url, params=query) as response:
            body = await response.text()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = type(exc).__name__
        return Finding(
            False,
            check,
            f"not reachable from here ({reason}). WeCom must reach it "
            "over the internet (https, a domain registered to the corp).",
        )
    if status == HTTPStatus.OK and body == echo:
        return Finding(True, check, "answers WeCom's URL verification correctly")
    if status == HTTPStatus.FORBIDDEN:
        return Finding(
            False,
            check,
            "refused the signature: the server there has another Token/"
            "EncodingAESKey or app name in the URL than this config.",
        )
    return Finding(
        False,
        check,
        f"answered HTTP {status} with {body[:40]!r} instead of the "
        "decrypted echostr (raw, no quotes or newline).",
    )


async def diagnose(settings: Settings, public_url: str | None) -> list[Finding]:
    """Run every check; the findings in order."""
    findings = [check_corp_id(settings)]
    findings += [check_callback_keys(name, app) for name, app in settings.apps.items()]
    http = settings.wecom.http
    timeouts = Timeouts(
        http.connect_timeout_seconds, http.read_timeout_seconds, http.total_timeout_seconds
    )
    async with aiohttp.ClientSession(timeout=timeouts.client_timeout()) as session:
        transport = Transport(session, settings.wecom.api_base, timeouts, busy_tries=1)
        for name, app in settings.apps.items():
            findings.append(await check_secret(name, app, transport, settings.wecom.corp_id))
            if public_url:
                url = public_url.rstrip("/")
                target = url if url.rsplit("/", 1)[-1] == name else f"{url}/{name}"
                findings.append(await check_public_url(name, settings, session, target))
    return findings
