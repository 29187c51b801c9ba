"""The ingest benchmark's results and how they are printed: a table or one JSON object."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Final

from bench.cpu import CpuSample
from bench.load import WARMUP_SECONDS, LoadResult

TARGET_RATIO: Final = 2.5  # siyu's throughput over the baseline's, at least
TARGET_P99_MS: Final = 25.0  # siyu's p99, below
TARGET_CONCURRENCY: Final = 50  # the connections the targets are defined at
MAX_ERROR_RATE: Final = 0.01


@dataclass(frozen=True, slots=True)
class Target:
    """A server under test: siyu in a role, or the baseline (``role`` None)."""

    key: str
    label: str
    corp_id: str
    role: str | None


@dataclass(frozen=True, slots=True)
class RunResult:
    """One server's load run and what Redis holds afterwards."""

    target: Target
    load: LoadResult
    queued: int  # siyu: accepted per /metrics; baseline: XLEN of its stream
    dedup_keys: int
    backlog: int | None  # siyu: entries still in its stream when the load stopped
    cpu: CpuSample | None  # CPU seconds during the load run (warm-up included)
    wall_seconds: float

    def cpu_percent(self) -> dict[str, float] | None:
        """CPU used during the run, in % of one core."""
        if self.cpu is None:
            return None
        used = {
            "server": self.cpu.server,
            "redis": self.cpu.others,
            "generator": self.cpu.generator,
        }
        return {name: round(100 * value / self.wall_seconds, 1) for name, value in used.items()}


def too_many_errors(results: list[RunResult]) -> bool:
    """Whether any server answered more than 1% of requests with something other than 200."""
    return any(result.load.error_rate > MAX_ERROR_RATE for result in results)


def _by_key(results: list[RunResult]) -> dict[str, RunResult]:
    return {result.target.key: result for result in results}


def _verdicts(results: list[RunResult]) -> tuple[float, bool, bool]:
    """(siyu/baseline throughput, ratio target met, p99 target met)."""
    runs = _by_key(results)
    siyu, baseline = runs["siyu"].load, runs["baseline"].load
    ratio = siyu.throughput / baseline.throughput if baseline.throughput else float("inf")
    return ratio, ratio >= TARGET_RATIO, siyu.latency_ms(0.99) < TARGET_P99_MS


def _run_json(result: RunResult) -> dict[str, Any]:
    load = result.load
    return {
        "label": result.target.label,
        "throughput_rps": round(load.throughput, 1),
        "p50_ms": round(load.latency_ms(0.50), 2),
        "p99_ms": round(load.latency_ms(0.99), 2),
        "requests": load.requests,
        "ok": load.ok,
        "errors": dict(load.errors),
        "error_rate": round(load.error_rate, 5),
        "enqueued": result.queued,
        "dedup_keys": result.dedup_keys,
        "backlog_after_load": result.backlog,
        "pool_exhausted": load.exhausted,
        "cpu_percent_of_one_core": result.cpu_percent(),
    }


def print_json(results: list[RunResult], seconds: float, concurrency: int) -> None:
    """The whole report as one JSON object on one line."""
    ratio, ratio_met, p99_met = _verdicts(results)
    report = {
        "benchmark": "ingest",
        "seconds": seconds,
        "warmup_seconds": WARMUP_SECONDS,
        "concurrency": concurrency,
        "cpus": os.cpu_count(),
        "runs": {result.target.key: _run_json(result) for result in results},
        "throughput_ratio": round(ratio, 2),
        "targets": {
            "concurrency": TARGET_CONCURRENCY,
            "applies": concurrency == TARGET_CONCURRENCY,
            "throughput_ratio_min": TARGET_RATIO,
            "p99_ms_max": TARGET_P99_MS,
            "throughput_ratio_met": ratio_met,
            "p99_met": p99_met,
        },
    }
    print(json.dumps(report, ensure_ascii=False))


def _row(result: RunResult) -> str:
    load, cpu = result.load, result.cpu_percent()
    cpu_text = "/".join(f"{v:.0f}" for v in cpu.values()) if cpu else "n/a"
    return (
        f"{result.target.label:<20} {load.throughput:>8.1f} {load.latency_ms(0.5):>7.1f}"
        f" {load.latency_ms(0.99):>7.1f} {load.ok:>7} {load.requests - load.ok:>6}"
        f" {result.queued:>8} {result.dedup_keys:>7}  {cpu_text}"
    )


def _warnings(result: RunResult) -> list[str]:
    load, label = result.load, result.target.label
    notes = [f"{label}: non-200 outcomes {dict(load.errors)}"] if load.errors else []
    if load.exhausted:
        notes.append(f"{label}: ran out of pre-signed callbacks; its throughput is understated")
    if result.queued != load.ok:
        notes.append(f"{label}: answered 200 to {load.ok} callbacks but enqueued {result.queued}")
    return notes


def _backlog_note(result: RunResult) -> str | None:
    if result.backlog is None or result.target.role == "gateway":
        return None
    return (
        f"{result.target.label}: {result.backlog} of {result.queued} accepted events were still"
        " queued when the load stopped (its worker drains them afterwards)"
    )


def print_table(results: list[RunResult], seconds: float, concurrency: int) -> None:
    """The human-readable report."""
    print(
        f"\n{seconds:g} s timed per server after a {WARMUP_SECONDS:g} s warm-up, "
        f"{concurrency} connections, {os.cpu_count()} CPUs shared by the server, "
        "Redis and the load generator\n"
    )
    print(
        f"{'server':<20} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'200s':>7} {'errors':>6}"
        f" {'enqueued':>8} {'dedup':>7}  CPU% server/redis/generator"
    )
    for result in results:
        print(_row(result))
    for note in [note for result in results for note in _warnings(result)]:
        print(f"warning: {note}")
    for backlog in filter(None, map(_backlog_note, results)):
        print(f"note: {backlog}")
    ratio, ratio_met, p99_met = _verdicts(results)
    runs = _by_key(results)
    siyu_p99, base_p99 = runs["siyu"].load.latency_ms(0.99), runs["baseline"].load.latency_ms(0.99)
    print(
        f"\nthroughput siyu / baseline: {ratio:.2f}x"
        f"   target >= {TARGET_RATIO:g}x: {'met' if ratio_met else 'MISSED'}"
    )
    print(
        f"p99 siyu {siyu_p99:.1f} ms, baseline {base_p99:.1f} ms"
        f"   target siyu < {TARGET_P99_MS:g} ms: {'met' if p99_met else 'MISSED'}"
    )
    if concurrency != TARGET_CONCURRENCY:
        print(f"(the targets are defined at {TARGET_CONCURRENCY} connections)")
