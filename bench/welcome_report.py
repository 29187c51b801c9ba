"""The welcome benchmark's result and its report: a table and verdicts, or one JSON object."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Result:
    """What one run of ``siyu bench welcome`` measured (milliseconds where timed)."""

    rate: float
    seconds: float
    scans: int  # scan requests sent to the sandbox
    adds: int  # scans that made an add event with a welcome code
    sent: int  # codes with a successful send_welcome_msg
    missed: int  # adds without one
    measured: int  # sent codes whose gateway receive time the observer saw
    p50: float  # gateway received → send_welcome_msg received by the sandbox
    p90: float
    p99: float
    max: float
    e2e_p50: float  # scan sent by the driver → send_welcome_msg received
    e2e_p99: float
    driver_lag_ms: float  # how far the driver fell behind its schedule, at worst
    cpu: dict[str, float]  # % of one core during the load: per process, machine, others
    drained: bool  # siyu had handled everything within the drain deadline
    outcomes: dict[str, int]  # siyu_welcome_total by outcome (warm-up included)
    target_p99_ms: float

    @property
    def met(self) -> bool:
        """p99 under target and nobody missed."""
        return self.p99 < self.target_p99_ms and self.missed == 0 and self.drained


def print_report(result: Result, *, as_json: bool) -> None:
    """Print ``result`` for a person, or as JSON."""
    if as_json:
        print(json.dumps({**asdict(result), "met": result.met}, ensure_ascii=False))
        return
    cpu = ", ".join(f"{name} {value:.0f}%" for name, value in result.cpu.items())
    print(
        f"\n{result.rate:g} adds/s for {result.seconds:g} s on {os.cpu_count()} CPUs "
        f"(driver at most {result.driver_lag_ms:.1f} ms behind schedule)\n"
    )
    print(
        f"scans {result.scans}  adds {result.adds}  welcomed {result.sent}  "
        f"missed {result.missed}  latency measured for {result.measured}"
    )
    print(
        f"callback received → send_welcome_msg received (ms): p50 {result.p50:.1f}  "
        f"p90 {result.p90:.1f}  p99 {result.p99:.1f}  max {result.max:.1f}"
    )
    print(
        f"scan → send_welcome_msg received (ms): p50 {result.e2e_p50:.1f}  p99 {result.e2e_p99:.1f}"
    )
    print(f"CPU during the load (% of one core; {os.cpu_count()} cores): {cpu}")
    print("  (machine: all processes; others: what this run does not account for, e.g. other")
    print("   work on the machine; each siyu process can use at most 100%)")
    print(f"siyu_welcome_total: {result.outcomes}")
    if not result.drained:
        print("note: siyu had not handled every event within 120 s after the load")
    print(
        f"\np99 {result.p99:.1f} ms   target < {result.target_p99_ms:.0f} ms: "
        f"{'met' if result.p99 < result.target_p99_ms else 'NOT met'}"
    )
    print(f"missed {result.missed}   target 0: {'met' if result.missed == 0 else 'NOT met'}")
