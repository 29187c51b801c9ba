"""``siyu channels``: live codes, their allocation and statistics, and the live rules.

Each action returns its exit status and the lines to print (the CLI prints them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import timedelta
from pathlib import Path

from bot.clock import SystemClock
from bot.deps import Deps
from bot.metrics import Metrics
from bot.runtime import running
from config.settings import Settings
from handlers import build_components
from handlers.intake.backfill import import_customers
from handlers.intake.components import CHANNEL_CODES
from handlers.intake.live import day_of, local_time, rules_of, rules_store
from handlers.intake.live_codes import create_code, rebalance_all, stats_of
from handlers.intake.rules import load_rules_file

Result = tuple[int, list[str]]


def run_channels(settings: Settings, args: argparse.Namespace) -> Result:
    """Run one ``siyu channels`` action."""
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> Result:
    async with running(
        settings, SystemClock(), None, Metrics(), components=build_components
    ) as runtime:
        deps = runtime.deps
        action = args.channels_command
        if action == "list":
            return await list_channels(deps)
        if action == "create":
            return await create_channels(deps, args.channels)
        if action == "stats":
            return await channel_stats(deps, args.days, as_json=args.json)
        if action == "rebalance":
            plans = await rebalance_all(deps)
            return 0, [
                f"{channel}: {','.join(p.users) if p else 'busy or no code'}"
                for channel, p in plans.items()
            ]
        if action == "import-customers":
            count = await import_customers(deps, args.staff)
            return 0, [f"imported {count} customers"]
        return await live_rules(deps, args.load, reset=args.reset)


async def list_channels(deps: Deps) -> Result:
    """Every channel of the rules with its live code (or the lack of one)."""
    rules = await rules_of(deps)
    codes = await deps.get(CHANNEL_CODES).all()
    lines = []
    for channel_id, channel in rules.channels.items():
        code = codes.get(channel_id)
        where = (
            f"code {code.config_id} lists {','.join(code.users)}  {code.qr_code}"
            if code
            else "no live code yet (siyu channels create)"
        )
        lines.append(f"{channel_id}  {channel.name}  state={channel.state}  {where}")
    return 0, lines or ["no channels in the rules"]


async def create_channels(deps: Deps, wanted: list[str]) -> Result:
    """Make the live codes of ``wanted`` channels (default: all) that have none."""
    rules = await rules_of(deps)
    unknown = [channel for channel in wanted if channel not in rules.channels]
    if unknown:
        return 1, [f"no such channel: {', '.join(unknown)}"]
    lines = []
    for channel_id in wanted or list(rules.channels):
        code = await create_code(deps, channel_id)
        lines.append(f"{channel_id}: {code.config_id} {code.qr_code} ({','.join(code.users)})")
    return 0, lines


async def channel_stats(deps: Deps, days: int, *, as_json: bool) -> Result:
    """Each channel's counters for the last ``days`` local days."""
    rules = await rules_of(deps)
    today = local_time(deps)
    stats = stats_of(deps)
    lines = [] if as_json else ["channel      day        adds  by_customer  by_staff  net"]
    for channel_id in rules.channels:
        for back in range(max(days, 1)):
            day = await stats.day(channel_id, day_of(today - timedelta(days=back)))
            if as_json:
                lines.append(
                    json.dumps(
                        {
                            "channel": channel_id,
                            "day": day.day,
                            "adds": day.adds,
                            "net": day.net,
                            "deleted_by_customer": day.deleted_by_customer,
                            "deleted_by_staff": day.deleted_by_staff,
                            "adds_by_staff": dict(day.adds_by_staff),
                        }
                    )
                )
            else:
                lines.append(
                    f"{channel_id:<12} {day.day}  {day.adds:>4}  "
                    f"{day.deleted_by_customer:>11}  {day.deleted_by_staff:>8}  "
                    f"{day.net:>3}"
                )
    return 0, lines


async def live_rules(deps: Deps, load: str | None, *, reset: bool) -> Result:
    """The live rules as JSON, after replacing them from a file or the defaults if asked."""
    store = rules_store(deps)
    if reset:
        await store.reset()
    elif load:
        await store.put(load_rules_file(Path(load)))
    rules = await store.get()
    return 0, [json.dumps(rules.model_dump(mode="json"), ensure_ascii=False, indent=2)]
