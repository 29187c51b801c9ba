"""``siyu tasks``: create, list, show, cancel. Each returns its exit status and its lines.

``create`` stores the task, queues its first step for the workers and also runs that step
itself, so the calls are made even when no ``siyu serve`` is running; if WeCom rate-limits
it mid-way, the queued step carries on in the workers (nothing is made twice).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from datetime import time as clock_time
from typing import Final
from zoneinfo import ZoneInfo

from bot.cli.task_display import listing_lines, show_lines
from bot.clock import SystemClock
from bot.deps import Deps
from bot.metrics import Metrics
from bot.runtime import running
from bot.wecom.errors import RateLimited, WeComAPIError, WeComUnavailable
from config.settings import Settings
from handlers import build_components
from handlers.customers.components import TAG_CATALOGUE
from handlers.tasks import service
from handlers.tasks.model import (
    Content,
    CustomerFilter,
    GroupFilter,
    Source,
    TaskSpec,
    TaskSpecError,
)
from handlers.tasks.tag_names import resolve_tags

Result = tuple[int, list[str]]
WAIT_SECONDS: Final = 120.0  # for a worker already making the calls


def run_tasks(settings: Settings, args: argparse.Namespace) -> Result:
    """Run one ``siyu tasks`` action."""
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> Result:
    async with running(
        settings, SystemClock(), None, Metrics(), components=build_components
    ) as runtime:
        deps = runtime.deps
        tz = ZoneInfo(settings.timezone)
        action = args.tasks_command
        if action == "create":
            return await create_task(deps, args)
        if action == "list":
            tasks = await service.listing(deps, args.limit)
            if args.json:
                return 0, [json.dumps(t, ensure_ascii=False) for t in tasks]
            return 0, listing_lines(tasks, tz)
        if action == "show":
            if args.refresh:
                await service.refresh(deps, args.id)
            state = await service.state(deps, args.id)
            if state is None:
                return 1, [f"no task {args.id}"]
            return 0, [json.dumps(state, ensure_ascii=False, indent=2)] if args.json else (
                show_lines(state, tz)
            )
        outcome = await service.cancel(deps, args.id)
        return (1 if outcome == "unknown task" else 0), [f"task {args.id}: {outcome}"]


def parse_moment(text: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """ISO 8601; without a zone it is local; a date alone is its start (or its end)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TaskSpecError(f"{text!r} is not an ISO 8601 time (2026-11-26T18:00)") from exc
    if "T" not in text and " " not in text and end_of_day:
        moment = datetime.combine(moment.date(), clock_time(23, 59, 59))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _attachments(args: argparse.Namespace) -> tuple[dict[str, object], ...]:
    images: list[dict[str, object]] = [
        {"msgtype": "image", "image": {"pic_url": url}} for url in args.image_url
    ]
    links: list[dict[str, object]] = []
    for item in args.link:
        title, _, url = item.partition("=")
        if not url:
            raise TaskSpecError(f"--link {item!r}: say TITLE=URL")
        links.append({"msgtype": "link", "link": {"title": title, "url": url}})
    return (*images, *links)


async def spec_from_args(deps: Deps, args: argparse.Namespace) -> TaskSpec:
    """The task the options describe (tags resolved to ids)."""
    tz = ZoneInfo(deps.settings.timezone)
    content = Content(args.text, _attachments(args))
    groups, customers = None, None
    if args.groups_of or args.group_label:
        groups = GroupFilter(owners=tuple(args.groups_of), labels=tuple(args.group_label))
    else:
        catalogue = deps.get(TAG_CATALOGUE)
        api = deps.api(deps.settings.tasks.app)
        customers = CustomerFilter(
            everyone=args.all_customers,
            all_tags=await resolve_tags(args.tag, catalogue, api),
            any_tags=await resolve_tags(args.any_tag, catalogue, api),
            no_tags=await resolve_tags(args.exclude_tag, catalogue, api),
            channels=tuple(args.channel),
            staff=tuple(args.staff),
            added_from=parse_moment(args.added_after, tz) if args.added_after else None,
            added_until=parse_moment(args.added_before, tz) if args.added_before else None,
        )
    return TaskSpec(
        title=args.title or content.preview(20),
        content=content,
        deadline=parse_moment(args.deadline, tz, end_of_day=True),
        customers=customers,
        groups=groups,
        operator=args.operator,
        source=Source(args.source or deps.settings.tasks.customer_source),
    )


async def create_task(deps: Deps, args: argparse.Namespace) -> Result:
    """Create the task and make its calls now; the last line is the task's id."""
    try:
        spec = await spec_from_args(deps, args)
        task_id, _ = await service.create(deps, spec, created_by="cli")
    except TaskSpecError as exc:
        return 2, [f"siyu tasks create: {exc}"]
    lines = await _make_calls(deps, task_id)
    state = await service.state(deps, task_id)
    if state is not None:
        lines = [*show_lines(state, ZoneInfo(deps.settings.timezone)), *lines]
    return 0, [*lines, str(task_id)]


async def _make_calls(deps: Deps, task_id: int) -> list[str]:
    try:
        outcome = await service.make_calls(deps, task_id, WAIT_SECONDS)
    except (RateLimited, WeComUnavailable, WeComAPIError) as exc:
        await service.queue_step(deps, task_id)
        return [f"WeCom: {exc}; the calls not made yet are queued for siyu's workers"]
    return [] if outcome != "busy" else ["a worker is still making the calls"]
