"""The demo's campaign, step by step, for ``make demo`` (bot/demo narrates; this does the work).

On the demo corp (zhangwei, lina, wangfang and their 5 customers):

    task_id = await story.launch(deps)                  # 3 group sends, 3 prompt cards
    for staff in ("zhangwei", "lina"):                  # two staff confirm in WeCom
        POST /sandbox/groupmsg/{(await story.msgids(deps, task_id))[staff]}/confirm
    later = await story.reminder_time(deps, task_id)    # when the laggard is due a reminder
    await story.check(deps, task_id, later)             # → "reminded wangfang"
    POST /sandbox/groupmsg/{msgid of wangfang}/confirm
    await story.check(deps, task_id, later + timedelta(minutes=10))   # → "completed"
    story.progress_lines(await service.state(deps, task_id), deps)    # bars to print

``check`` runs the scheduler's work on the task as if it were ``at`` (the demo cannot wait
hours for the first reminder), asking WeCom for progress first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cli.task_display import show_lines
from bot.deps import Deps
from bot.quiet_hours import quiet_hours_of
from handlers.tasks import jobs, service
from handlers.tasks.context import Campaigns
from handlers.tasks.model import Content, CustomerFilter, TaskSpec

DEMO_TEXT = "双十一会员日：全场满300减50，回复「预约」锁定名额"
DEMO_LINK = {"msgtype": "link", "link": {"title": "会员日预约", "url": "https://example.com/1111"}}


def demo_spec(now: datetime, operator: str = "manager") -> TaskSpec:
    """The demo's task: every customer, a text and a link, due in 3 days, summary to manager."""
    return TaskSpec(
        title="双十一会员日",
        content=Content(DEMO_TEXT, (DEMO_LINK,)),
        deadline=now + timedelta(days=3),
        customers=CustomerFilter(everyone=True),
        operator=operator,
    )


async def launch(deps: Deps, spec: TaskSpec | None = None) -> int:
    """Create the task and make its calls now (or wait for the worker making them); its id."""
    task_id, _ = await service.create(deps, spec or demo_spec(deps.clock.now()), created_by="demo")
    await service.make_calls(deps, task_id)
    return task_id


async def msgids(deps: Deps, task_id: int) -> dict[str, str]:
    """Each sender's (first) msgid: what a staff member confirms in the sandbox."""
    found: dict[str, str] = {}
    for call in await Campaigns.of(deps).store.calls(task_id):
        if call.msgid:
            found.setdefault(call.sender, call.msgid)
    return found


async def reminder_time(deps: Deps, task_id: int) -> datetime:
    """The first moment every unsent sender is due a reminder outside their quiet hours."""
    campaigns = Campaigns.of(deps)
    settings, tz = deps.settings, ZoneInfo(deps.settings.timezone)
    moments = []
    for staff in (await campaigns.store.staff(task_id)).values():
        if staff.status == "sent" or not staff.prompted_at:
            continue
        due = datetime.fromtimestamp(staff.prompted_at, tz=tz) + timedelta(
            hours=settings.tasks.first_reminder_after_hours, minutes=1
        )
        quiet = quiet_hours_of(settings.reminders, staff.userid)
        release = quiet.release(due) if quiet is not None else None
        moments.append(release + timedelta(minutes=1) if release is not None else due)
    return max(moments, default=deps.clock.now())


async def check(deps: Deps, task_id: int, at: datetime) -> str:
    """Poll WeCom and do what is due on the task as of ``at``: remind, complete, close."""
    return await jobs.step(Campaigns.of(deps, at), task_id, force_poll=True)


def progress_lines(state: dict[str, object] | None, deps: Deps) -> list[str]:
    """The task as ``siyu tasks show`` prints it."""
    return [] if state is None else show_lines(state, ZoneInfo(deps.settings.timezone))
