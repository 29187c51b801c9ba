"""The chaos account: a lost and a doubled event are reported and fail the run."""

from __future__ import annotations

import argparse
import random

from bot.chaos.accounting import SentEvent, account
from bot.chaos.faults import OUTAGES_SECONDS, SANDBOX_ERRCODES, plan_faults
from bot.chaos.report import exit_status, summary_line, table
from bot.chaos.watch import spooled_count
from bot.cli import build_parser, main

ROLES = {"gateway": ["gateway-1", "gateway-2"], "worker": ["worker-1"], "scheduler": ["s-1"]}


def _seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - a reproducible plan, not a secret


def _event(event_id: str, *tries: str, code: str | None = None) -> SentEvent:
    kind = "welcome" if code else "message"
    return SentEvent(event_id, kind, f"key-{event_id}", tries, code)


def test_a_lost_and_a_doubled_event_are_reported_and_fail_the_run() -> None:
    events = [
        _event("ev-1", "200"),  # took effect once
        _event("ev-2", "503", "200"),  # accepted on the second try, never took effect: lost
        _event("ev-3", "200", "200"),  # took effect twice: doubled
        _event("ev-4", "timeout", "timeout", "timeout"),  # never accepted, no effect: owed nothing
        _event("ev-5", "ClientConnectorError", "503"),  # never accepted, took effect: fine
    ]
    effects = {"key-ev-1": 1, "key-ev-3": 2, "key-ev-5": 1, "key-other": 7}

    tally = account(events, effects, {})

    assert (tally.sent, tally.accepted, tally.losses, tally.duplicates) == (5, 3, 1, 1)
    assert tally.lost == ("ev-2",)
    assert tally.doubled == ("ev-3",)
    assert tally.effects == 1 + 2 + 1  # the sent events' keys only
    assert tally.rejected == {"timeout": 1, "503": 1}
    assert tally.failed_tries == {"503": 2, "timeout": 3, "ClientConnectorError": 1}
    lines = table(tally)
    assert lines[-1] == "chaos: sent=5 accepted=3 effects=4 duplicates=1 losses=1"
    assert "  lost: ev-2" in lines
    assert "  doubled: ev-3" in lines
    assert exit_status(tally) == 1


def test_a_welcome_code_used_twice_is_a_duplicate() -> None:
    events = [_event("ev-1", "200", code="WC1"), _event("ev-2", "200", code="WC2")]
    effects = {"key-ev-1": 1, "key-ev-2": 1}

    tally = account(events, effects, {"WC1": 2, "WC2": 1})

    assert (tally.duplicates, tally.losses, tally.welcomes_sent, tally.welcome_adds) == (1, 0, 2, 2)
    assert tally.doubled == ("WC1",)
    assert exit_status(tally) == 1


def test_a_clean_run_passes_with_the_summary_last() -> None:
    events = [_event(f"ev-{n}", "200") for n in range(3)] + [_event("ev-x", "503", "503", "503")]
    tally = account(events, {f"key-ev-{n}": 1 for n in range(3)}, {}, spooled=2)

    assert exit_status(tally) == 0
    assert table(tally)[-1] == summary_line(tally)
    assert summary_line(tally) == "chaos: sent=4 accepted=3 effects=3 duplicates=0 losses=0"


def test_the_plan_has_every_fault_and_the_long_form_outages() -> None:
    plan = plan_faults(_seeded(7), 600.0, 10.0, ROLES)
    names = {fault.name for fault in plan}

    assert {"kill gateway", "kill worker", "kill scheduler", "redis restart"} <= names
    assert {"spool full", "sandbox timeouts"} <= names
    assert {f"sandbox errcode {code}" for code in SANDBOX_ERRCODES} <= names
    assert {"duplicated deliveries", "delayed deliveries", "reordered deliveries"} <= names
    outages = sorted(f.seconds for f in plan if f.name == "redis unreachable")
    assert outages == list(OUTAGES_SECONDS)
    assert all(0 < f.at < 600 for f in plan)
    assert [f.at for f in plan] == sorted(f.at for f in plan)


def test_the_same_seed_plans_the_same_faults() -> None:
    first = plan_faults(_seeded(3), 45.0, 0.75, ROLES)
    assert first == plan_faults(_seeded(3), 45.0, 0.75, ROLES)
    assert first != plan_faults(_seeded(4), 45.0, 0.75, ROLES)


def test_spooled_count_reads_the_gateways_counter() -> None:
    page = "# HELP siyu_spooled_total x\nsiyu_spooled_total 12.0\nsiyu_spooled_created 1.7e9\n"
    assert spooled_count(page) == 12
    assert spooled_count("siyu_callbacks_total 3.0\n") == 0


def test_chaos_refuses_a_non_positive_duration() -> None:
    assert main(["chaos", "--minutes", "0"]) == 2
    assert main(["chaos", "--rate", "-1"]) == 2


def test_chaos_flags_parse() -> None:
    args = build_parser().parse_args(["chaos", "--minutes", "3", "--seed", "9", "--rate", "50"])
    assert isinstance(args, argparse.Namespace)
    assert (args.minutes, args.seed, args.rate) == (3.0, 9, 50.0)
