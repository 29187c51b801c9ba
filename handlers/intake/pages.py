"""渠道活码 in the console: the channels with today's numbers, the channel form (the rules'
own models validate it; a stale edit is refused, not merged), the live code's QR as PNG."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Final

import segno
from aiohttp import web
from pydantic import ValidationError

from bot.deps import Deps
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.intake.components import CHANNEL_CODES
from handlers.intake.forms import channel_data, form_values, posted_values, problems, with_channel
from handlers.intake.live import day_of, local_time, rules_of, rules_store
from handlers.intake.live_codes import create_code, rebalance, stats_of

pages = Pages("intake", Path(__file__).with_name("templates"))
ROOT: Final = "/console/channels"
_CHANNEL_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
QR_SCALE: Final = 10


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.get(ROOT)
async def channel_list(request: web.Request) -> web.StreamResponse:
    """Every channel with its members, code and today's adds, losses and net growth."""
    deps = _deps(request)
    rules = await rules_of(deps)
    codes = await deps.get(CHANNEL_CODES).all()
    today = day_of(local_time(deps))
    stats = await stats_of(deps).days(list(rules.channels), [today])
    rows = [
        {
            "id": channel_id,
            "channel": channel,
            "code": codes.get(channel_id),
            "today": stats[channel_id][0],
        }
        for channel_id, channel in rules.channels.items()
    ]
    return render(request, "intake/channels.html", {"nav": "channels", "rows": rows})


@pages.get(f"{ROOT}/new")
async def new_channel(request: web.Request) -> web.StreamResponse:
    """The form for a new channel."""
    _, version = await rules_store(_deps(request)).versioned()
    return await _form(request, None, form_values(None), version)


@pages.get(ROOT + "/{channel_id}")
async def channel_page(request: web.Request) -> web.StreamResponse:
    """A channel: its form, QR code and 30-day chart."""
    channel_id = request.match_info["channel_id"]
    deps = _deps(request)
    rules, version = await rules_store(deps).versioned()
    channel = rules.channels.get(channel_id)
    if channel is None:
        return _not_found(request)
    notice = {"saved": "channels.saved", "code": "channels.code_made"}.get(
        request.query.get("done", "")
    )
    return await _page(request, channel_id, form_values(channel), version, notice=notice)


async def _page(
    request: web.Request,
    channel_id: str | None,
    values: dict[str, Any],
    version: str,
    *,
    status: int = 200,
    **shown: Any,
) -> web.Response:
    deps = _deps(request)
    code = await deps.get(CHANNEL_CODES).get(channel_id or "")
    return render(
        request,
        "intake/channel.html",
        {
            "nav": "channels",
            "channel_id": channel_id,
            "values": values,
            "version": version,
            "code": code,
            "errors": [],
            "conflict": False,
            "notice": None,
            **shown,
        },
        status=status,
    )


async def _form(
    request: web.Request,
    channel_id: str | None,
    values: dict[str, Any],
    version: str,
    *,
    status: int = 200,
    **shown: Any,
) -> web.Response:
    return render(
        request,
        "intake/channel.html",
        {
            "nav": "channels",
            "channel_id": channel_id,
            "values": values,
            "version": version,
            "code": None,
            "errors": [],
            "conflict": False,
            "notice": None,
            **shown,
        },
        status=status,
    )


@pages.post(f"{ROOT}/new")
async def create_channel(request: web.Request) -> web.StreamResponse:
    """Add a channel to the rules (its code is made with 生成活码)."""
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    channel_id, values = form.get("channel_id", "").strip(), posted_values(form)
    values["channel_id"] = channel_id
    deps = _deps(request)
    rules, _ = await rules_store(deps).versioned()
    if channel_id in rules.channels:
        return await _form(
            request,
            None,
            values,
            form.get("version", ""),
            status=409,
            errors=[zh_cn()("channels.exists")],
        )
    if not _CHANNEL_ID.fullmatch(channel_id):
        return await _form(
            request,
            None,
            values,
            form.get("version", ""),
            status=422,
            errors=[f"{zh_cn()('channels.id')}: {zh_cn()('channels.id_help')}"],
        )
    return await _save(request, channel_id, None, values, form.get("version", ""), new=True)


@pages.post(ROOT + "/{channel_id}")
async def update_channel(request: web.Request) -> web.StreamResponse:
    """Replace a channel of the rules, unless the rules changed since the form was shown."""
    channel_id = request.match_info["channel_id"]
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    rules, _ = await rules_store(_deps(request)).versioned()
    before = rules.channels.get(channel_id)
    if before is None:
        return _not_found(request)
    return await _save(request, channel_id, before, posted_values(form), form.get("version", ""))


async def _save(
    request: web.Request,
    channel_id: str,
    before: Any,
    values: dict[str, Any],
    version: str,
    *,
    new: bool = False,
) -> web.StreamResponse:
    deps = _deps(request)
    store = rules_store(deps)
    rules, current = await store.versioned()
    show = _form if new else _page
    if version != current:
        return await show(
            request, None if new else channel_id, values, version, status=409, conflict=True
        )
    try:
        changed = with_channel(rules, channel_id, channel_data(values, before))
    except ValidationError as exc:
        return await show(
            request, None if new else channel_id, values, version, status=422, errors=problems(exc)
        )
    if not await store.put_if(changed, version):
        return await show(
            request, None if new else channel_id, values, version, status=409, conflict=True
        )
    await rebalance(deps, channel_id, changed)  # the code's users follow at once (if it has one)
    raise web.HTTPSeeOther(f"{ROOT}/{channel_id}?done=saved")


@pages.post(ROOT + "/{channel_id}/code")
async def make_code(request: web.Request) -> web.StreamResponse:
    """Create the channel's live code (add_contact_way) unless it has one."""
    channel_id = request.match_info["channel_id"]
    deps = _deps(request)
    if channel_id not in (await rules_of(deps)).channels:
        return _not_found(request)
    try:
        await create_code(deps, channel_id)
    except (WeComAPIError, WeComUnavailable):
        t = zh_cn()
        return refusal(request, t("channels.code"), t("channels.upstream"), 502)
    raise web.HTTPSeeOther(f"{ROOT}/{channel_id}?done=code")


@pages.get(ROOT + "/{channel_id}/qr.png")
async def qr_png(request: web.Request) -> web.StreamResponse:
    """The live code's QR as PNG (``?download=1``: as a file named after the channel)."""
    channel_id = request.match_info["channel_id"]
    deps = _deps(request)
    code = await deps.get(CHANNEL_CODES).get(channel_id)
    if code is None or not code.qr_code:
        return _not_found(request)
    buffer = io.BytesIO()
    segno.make(code.qr_code, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    headers = {"Cache-Control": "no-store"}
    if request.query.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="channel-{channel_id}.png"'
    return web.Response(body=buffer.getvalue(), content_type="image/png", headers=headers)
