"""siyu settings aimed at a sandbox: its corp, its app's keys and secret, its api_base."""

from __future__ import annotations

from typing import Any

from bot.sandbox.config import SandboxConfig
from config.settings import Settings
from tests.conftest import make_settings


def siyu_settings_for(
    config: SandboxConfig, api_base: str, redis_url: str, **sections: Any
) -> Settings:
    """Settings whose corp, app credentials and api_base are the sandbox's."""
    app = config.apps["default"]
    wecom = {
        "corp_id": config.corp_id,
        "api_base": api_base,
        "http": {"backoff_seconds": 0.01},
        **sections.pop("wecom", {}),
    }
    return make_settings(
        redis_url,
        wecom=wecom,
        apps={
            "default": {
                "agent_id": app.agent_id,
                "secret": app.secret,
                "token": app.token,
                "encoding_aes_key": app.encoding_aes_key,
            }
        },
        **sections,
    )
