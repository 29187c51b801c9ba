"""Browser tests: headless Chromium driven by Playwright through the real sandbox.

They need a Chromium (Debian's ``chromium``: .ci/run installs it with the CJK font
fonts-wqy-microhei); without one they are skipped with the reason shown. Playwright's own
browser download is not used: the tests launch the system's Chromium.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import Browser, async_playwright
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.console import add_accounts
from tests.support.stack import ClientFactory


def find_chromium() -> str | None:
    """SIYU_CHROMIUM, else chromium or chromium-browser on PATH."""
    named = os.environ.get("SIYU_CHROMIUM")
    if named:
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM: Final = find_chromium()
ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# SIYU_SCREENSHOTS=1 writes the screenshots into docs/console/ (the README shows them); by
# default they go to a temporary folder, so `make test` leaves the work tree clean.
DOCS: Final = Path(__file__).resolve().parents[2] / "docs" / "console"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the tests save their screenshots."""
    return DOCS if os.environ.get("SIYU_SCREENSHOTS") == "1" else tmp_path


# Every browser test module carries this mark (a conftest's pytestmark marks nothing).
NEEDS_CHROMIUM: Final = pytest.mark.skipif(
    CHROMIUM is None,
    reason="browser tests skipped: no Chromium found (apt-get install chromium "
    "fonts-wqy-microhei, or set SIYU_CHROMIUM)",
)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium; Playwright gives each launch a fresh profile (its own
    --user-data-dir in a temporary folder, which it refuses to take as an argument)."""
    assert CHROMIUM is not None
    async with async_playwright() as driver:
        found = await driver.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
        )
        yield found
        await found.close()


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    """The sandbox and siyu, with one console account per role."""
    started = await start_stack(aiohttp_client, clock, redis_url, redis)
    await add_accounts(redis, started.settings.wecom.corp_id, clock.now())
    return started
