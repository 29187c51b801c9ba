"""``siyu bench outage``: the real command on a short outage, and its welcome accounting."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bench.outage import run_outage_bench
from bench.outage_report import AddRecord, classify_welcomes
from bot.chaos.watch import metric_total
from bot.cli import build_parser
from tests.support.processes import PROJECT_ROOT

SUMMARY = re.compile(
    r"outage: sent=(?P<sent>\d+) answered_200=(?P<answered_200>\d+) "
    r"answered_5xx=(?P<answered_5xx>\d+) spooled=(?P<spooled>\d+) replayed=(?P<replayed>\d+) "
    r"losses=(?P<losses>\d+) duplicates=(?P<duplicates>\d+) "
    r"adds_in_outage=(?P<adds_in_outage>\d+) valid_on_replay=(?P<valid_on_replay>\d+) "
    r"welcomes_sent=(?P<welcomes_sent>\d+) too_late_to_send=(?P<too_late>\d+) "
    r"expired_while_spooled=(?P<expired>\d+)"
)
OUTAGE = ("bench", "outage", "--seconds", "5", "--rate", "20", "--warmup", "3", "--after", "8")
SIYU = (sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())")
T0 = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def test_a_short_outage_answers_no_5xx_loses_nothing_and_sends_every_valid_welcome() -> None:
    run = subprocess.run(
        [*SIYU, *OUTAGE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = run.stdout.strip().splitlines()

    assert lines, run.stderr
    found = SUMMARY.fullmatch(lines[-1])
    assert found is not None, run.stdout + run.stderr
    counts = {name: int(value) for name, value in found.groupdict().items()}
    assert run.returncode == 0, run.stdout + run.stderr
    assert counts["answered_5xx"] == 0
    assert counts["losses"] == counts["duplicates"] == 0
    assert counts["answered_200"] == counts["sent"] > 0
    assert counts["spooled"] > 0, "Redis was paused: the gateways must have spooled"
    assert counts["replayed"] == counts["spooled"]
    assert counts["adds_in_outage"] > 0
    assert counts["welcomes_sent"] + counts["too_late"] == counts["valid_on_replay"] > 0


def test_the_flags_are_read() -> None:
    args = build_parser().parse_args(["bench", "outage", "--seconds", "5", "--rate", "20"])
    assert (args.bench_command, args.seconds, args.rate) == ("outage", 5.0, 20.0)


def test_a_run_longer_than_the_emitter_can_record_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = build_parser().parse_args(["bench", "outage", "--seconds", "600", "--rate", "200"])
    assert run_outage_bench(args) == 2
    assert "at most 100000 callbacks" in capsys.readouterr().err


def _add(code: str, issued_s: float, queued_s: float | None, *, sent: bool) -> AddRecord:
    queued = None if queued_s is None else T0 + timedelta(seconds=queued_s)
    return AddRecord(code, T0 + timedelta(seconds=issued_s), queued, sent)


def test_welcomes_are_judged_by_the_code_age_when_the_add_reached_redis() -> None:
    adds = [
        _add("before", -5, -4, sent=True),  # before the outage: not counted in it
        _add("valid", 10, 29.9, sent=True),  # 19.9 s old when queued: valid
        _add("edge", 10, 29.5, sent=False),  # valid, 0.5 s left: too late to send
        _add("expired", 5, 25, sent=False),  # exactly 20 s: expired while spooled
        _add("late", 12, 40, sent=True),  # expired, yet sent: a failure
    ]
    welcomes = classify_welcomes(adds, T0, T0 + timedelta(seconds=60))

    assert (welcomes.in_outage, welcomes.valid_on_replay, welcomes.sent) == (4, 2, 1)
    assert (welcomes.too_late, welcomes.sendable_unsent) == (1, 0)
    assert (welcomes.expired_while_spooled, welcomes.sent_late) == (2, 1)
    assert welcomes.replay_seconds == 0.0  # the last add of the outage was queued at 40 s
    assert not welcomes.ok


@pytest.mark.parametrize(
    ("queued_s", "ok"),
    [(18.9, False), (19.5, True), (None, True)],  # 1.1 s left, 0.5 s left, never queued
)
def test_an_unsent_code_fails_the_run_only_with_time_left_to_send(
    queued_s: float | None, *, ok: bool
) -> None:
    outage_end = T0 + timedelta(seconds=60)
    welcomes = classify_welcomes([_add("c", 0, queued_s, sent=False)], T0, outage_end)
    assert welcomes.ok is ok
    assert len(welcomes.valid_unsent) == (0 if queued_s is None else 1)


def test_metric_totals_sum_the_samples_with_the_labels_asked_for() -> None:
    page = "\n".join(
        [
            "# HELP siyu_spool_replayed_total Replayed",
            'siyu_spool_replayed_total{result="queued"} 7.0',
            'siyu_spool_replayed_total{result="duplicate"} 2.0',
            "siyu_spool_replayed_created 1.7e9",
            "siyu_spooled_total 9.0",
        ]
    )
    assert metric_total(page, "siyu_spool_replayed_total") == 9
    assert metric_total(page, "siyu_spool_replayed_total", 'result="duplicate"') == 2
    assert metric_total(page, "siyu_spooled_total") == 9
    assert metric_total(page, "siyu_absent_total") == 0
