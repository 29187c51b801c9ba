"""The console's plumbing through a real gateway: login and logout by cookie, CSRF on every
form, role-aware pages, the layout in Chinese, the string catalog, the vendored assets."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.app import ADMIN_RUNNER, create_app
from bot.app import Role as AppRole
from bot.clock import ManualClock
from bot.daily import DayCounts
from bot.web.catalog import zh_cn
from config.settings import Settings
from tests.bot.admin.conftest import ClientFactory
from tests.conftest import make_settings
from tests.support.console import PASSWORD, USERS, Client, add_accounts, csrf_of, log_in

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")
TEMPLATES = [*ROOT.glob("bot/web/templates/*.html"), *ROOT.glob("handlers/*/templates/*.html")]


@pytest.fixture
def console_settings(redis_url: str) -> Settings:
    return make_settings(redis_url, admin={"login_max_failures": 3})


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, console_settings: Settings, clock: ManualClock, redis: Redis
) -> Client:
    app = create_app(console_settings, role=AppRole.ADMIN, clock=clock)
    await add_accounts(redis, console_settings.wecom.corp_id, clock.now())
    return await aiohttp_client(app)


async def test_pages_send_anonymous_visitors_to_the_login_form(client: Client) -> None:
    answer = await client.get("/console/dashboard", allow_redirects=False)
    assert answer.status == 303
    assert answer.headers["Location"] == "/console/login?next=/console/dashboard"
    page = await (await client.get("/console/login")).text()
    assert "登录" in page and 'lang="zh-CN"' in page


async def test_logging_in_sets_a_session_cookie_and_shows_the_chinese_layout(
    client: Client,
) -> None:
    page = await client.get("/console/login")
    answer = await client.post(
        "/console/login?next=/console/channels",
        allow_redirects=False,
        data={"csrf": csrf_of(await page.text()), "name": "olga", "password": PASSWORD},
    )
    assert answer.status == 303
    assert answer.headers["Location"] == "/console/channels"
    cookie = answer.cookies["siyu_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    dashboard = await (await client.get("/console/dashboard")).text()
    for label in ("首页", "渠道活码", "退出登录", "今日新增", "死信"):
        assert label in dashboard
    assert "olga · 运营" in dashboard


async def test_cookies_are_secure_when_configured(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(redis_url, admin={"secure_cookies": True})
    await add_accounts(redis, settings.wecom.corp_id, clock.now())
    client = await aiohttp_client(create_app(settings, role=AppRole.ADMIN, clock=clock))
    page = await client.get("/console/login")
    assert page.cookies["siyu_csrf"]["secure"]
    csrf = csrf_of(await page.text())  # the client keeps Secure cookies for HTTPS: send it
    answer = await client.post(
        "/console/login",
        allow_redirects=False,
        headers={"Cookie": f"siyu_csrf={csrf}"},
        data={"csrf": csrf, "name": "ada", "password": PASSWORD},
    )
    assert answer.cookies["siyu_session"]["secure"]


async def test_a_wrong_password_is_refused_and_throttled(client: Client) -> None:
    csrf = csrf_of(await (await client.get("/console/login")).text())
    for _ in range(3):
        wrong = await client.post(
            "/console/login", data={"csrf": csrf, "name": "olga", "password": "nope"}
        )
        assert wrong.status == 401
        assert "账号或密码错误" in await wrong.text()
    right = await client.post(
        "/console/login", data={"csrf": csrf, "name": "olga", "password": PASSWORD}
    )
    assert right.status == 429
    assert "登录失败次数过多" in await right.text()


async def test_a_form_without_the_csrf_token_is_refused(client: Client) -> None:
    await client.get("/console/login")
    answer = await client.post("/console/login", data={"name": "olga", "password": PASSWORD})
    assert answer.status == 403
    assert "表单已过期" in await answer.text()
    csrf = await log_in(client, Role.OPERATOR)
    forged = await client.post("/console/logout", data={"csrf": csrf[::-1]})
    assert forged.status == 403
    assert (await client.get("/console/dashboard", allow_redirects=False)).status == 200


async def test_logging_out_ends_the_session(client: Client) -> None:
    csrf = await log_in(client, Role.VIEWER)
    answer = await client.post("/console/logout", data={"csrf": csrf}, allow_redirects=False)
    assert answer.status == 303
    assert answer.headers["Location"] == "/console/login?out=1"
    client.session.cookie_jar.update_cookies({"siyu_session": answer.cookies["siyu_session"].value})
    assert (await client.get("/console/dashboard", allow_redirects=False)).status == 303


async def test_the_session_cookie_reads_the_api_but_never_writes_it(client: Client) -> None:
    await log_in(client, Role.ADMIN)
    assert (await client.get("/api/v1/whoami")).status == 200
    assert (await (await client.get("/api/v1/whoami")).json())["actor"] == "user:ada"
    assert (await client.post("/api/v1/channels/rebalance")).status == 401


async def test_the_health_panel_is_a_fragment(client: Client) -> None:
    await log_in(client, Role.VIEWER)
    fragment = await (await client.get("/console/dashboard/health")).text()
    assert "<html" not in fragment and "死信" in fragment


async def test_the_welcome_numbers_are_todays_from_every_worker(
    client: Client, console_settings: Settings, clock: ManualClock, redis: Redis
) -> None:
    """The admin process sends no welcome: the numbers are the day's counts workers wrote."""
    workers = [DayCounts(redis, console_settings.wecom.corp_id, clock, SHANGHAI) for _ in "ab"]
    workers[0].add("welcomes", "sent", 2)
    workers[1].add("welcomes", "sent")
    workers[1].add("welcomes", "missed")
    for worker in workers:
        await worker.flush()
    await log_in(client, Role.VIEWER)
    fragment = await (await client.get("/console/dashboard/health")).text()
    sent = re.search(r'data-testid="welcomes-sent">(\d+)<', fragment)
    assert sent is not None and sent.group(1) == "3"


async def test_the_vendored_assets_are_served(client: Client) -> None:
    for path in (
        "vendor/htmx-2.0.11/htmx.min.js",
        "vendor/alpinejs-3.17.5/alpine.min.js",
        "vendor/echarts-6.1.0/echarts.common.min.js",
        "console.js",
        "console.css",
    ):
        assert (await client.get(f"/console/static/{path}")).status == 200, path


def test_templates_take_every_string_from_the_catalog() -> None:
    catalog, used = zh_cn(), set()
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"[\u4e00-\u9fff]", text), f"{template}: Chinese outside the catalog"
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']\s*[),]""", text))
    missing = {key for key in used if key not in catalog.strings}
    assert not missing
    assert len(used) > 50


def test_every_form_carries_a_csrf_token() -> None:
    """Every form that posts; a search form (method="get") changes nothing and must not put
    the token in its URL."""
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b.*?</form>", text, flags=re.S):
            if 'method="get"' in form.split(">", 1)[0]:
                assert 'name="csrf"' not in form, f"{template}: a CSRF token in a URL"
                continue
            assert 'name="csrf"' in form, f"{template}: a form without a CSRF token"


@pytest.mark.parametrize("role", list(USERS))
async def test_each_role_sees_the_dashboard(client: Client, role: Role) -> None:
    await log_in(client, role)
    assert (await client.get("/console/dashboard")).status == 200


async def test_with_an_admin_port_the_console_is_served_only_there(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock
) -> None:
    settings = make_settings(redis_url, admin={"port": 0})
    client = await aiohttp_client(create_app(settings, role=AppRole.ALL, clock=clock))
    assert (await client.get("/console/login")).status == 404
    host, port = client.app[ADMIN_RUNNER].addresses[0][:2]
    url = f"http://{host}:{port}/console/login"
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert answer.status == 200
        assert "登录" in await answer.text()
