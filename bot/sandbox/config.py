"""SandboxConfig: the sandbox corp, its apps' credentials, its limits and its callback target."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

DEFAULT_APP: Final = "default"
_ALNUM: Final = string.ascii_letters + string.digits
# The 43rd base64 character of a 32-byte key carries 4 data bits and 2 zero bits: only
# these [A-Za-z0-9] characters keep the EncodingAESKey canonical for strict decoders.
_LAST_KEY_CHARS: Final = "AEIMQUYcgkosw048"


def _random_text(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def random_encoding_aes_key() -> str:
    """A fresh EncodingAESKey: 43 characters of [A-Za-z0-9] decoding to 32 bytes."""
    return _random_text(42) + secrets.choice(_LAST_KEY_CHARS)


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """One app of the sandbox corp: what siyu needs to call the API and open callbacks."""

    agent_id: int
    secret: str
    token: str
    encoding_aes_key: str

    @classmethod
    def generate(cls, agent_id: int = 1000002) -> AppCredentials:
        """Random credentials (made up per run: no secret lives in the repo)."""
        return cls(
            agent_id=agent_id,
            secret=secrets.token_urlsafe(32),
            token=_random_text(32),
            encoding_aes_key=random_encoding_aes_key(),
        )


@dataclass(frozen=True, slots=True)
class Limits:
    """WeCom's limits as the sandbox enforces them; defaults follow wecom-spec §3-§4."""

    api_per_minute: int = 10_000  # per corp per API (doc 90454)
    api_per_hour: int = 150_000
    member_messages_per_minute: int = 30  # message/send per app per member; excess dropped
    member_messages_per_hour: int = 1000
    groupmsg_per_target_per_month: int | None = None  # None: days in the month (doc 92135)
    welcome_code_seconds: int = 20  # doc 92599
    kf_reply_window_hours: int = 48  # kf/send_msg after the customer's last message
    kf_replies_per_customer_message: int = 5  # (unverified) spec §3 kf/send_msg
    kf_event_code_seconds: int = 20  # send_msg_on_event code
    kf_sync_token_seconds: int = 600  # the Token of kf_msg_or_event (about 10 min)
    response_code_hours: int = 72  # template-card response_code


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Everything a sandbox starts from. ``generate`` makes one with random credentials."""

    corp_id: str
    apps: Mapping[str, AppCredentials]
    callback_url: str | None = None  # where the emitter posts the default app's callbacks
    limits: Limits = field(default_factory=Limits)
    token_ttl_seconds: int = 7200
    seed: str | None = None  # "demo" or None (an empty corp)
    callback_timeout_seconds: float = 5.0  # WeCom waits 5 s per try (spec §1.5)
    callback_tries: int = 3  # 3 tries in total
    callback_retry_delay_seconds: float = 1.0  # (unverified) WeCom's pause between tries
    timezone: str = "Asia/Shanghai"  # months of the group-send cap are China months

    @classmethod
    def generate(cls, *, seed: str | None = None, callback_url: str | None = None) -> SandboxConfig:
        """A corp with a random CorpID and one app, ``default``, with random credentials."""
        return cls(
            corp_id="ww" + secrets.token_hex(8),
            apps={DEFAULT_APP: AppCredentials.generate()},
            callback_url=callback_url,
            seed=seed,
        )
