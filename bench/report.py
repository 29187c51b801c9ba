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
TARGET_CPU_RATIO: Final = 0.5  # siyu gateway's CPU per callback over the no-Redis peer's, at most
CPU_SIYU: Final = "siyu_gateway"  # the rows the CPU target compares
CPU_PEER: Final = "baseline_no_redis"
MAX_ERROR_RATE: Final = 0.01


@dataclass(frozen=True, slots=True)
class Target:
    """A server under test: siyu in a role, or the baseline (``role`` None).

    ``durable`` False: the baseline without Redis (it stores nothing, so nothing is counted).
    """

    key: str
    label: str
    corp_id: str
    role: str | None
    durable: bool = True


@dataclass(frozen=True, slots=True)
class RunResult:
    """One server's load run and what Redis holds afterwards."""

    target: Target
    load: LoadResult
    queued: int | None  # siyu: accepted per /metrics; baseline: XLEN; None: not durable
    dedup_keys: int | None
    backlog: int | None  # siyu: entries still in its stream when the load stopped
    cpu: CpuSample | None  # CPU seconds during the load run (warm-up included)
    wall_seconds: float

    def cpu_percent(self) -> dict[str, float] | None:
        """CPU used during the run, in % of one core."""
        if self.cpu is None:
            return None
        used = {
            "server": self.cpu.server,
            "redis": self.cpu.redis,
            "generator": self.cpu.generator,
        }
        return {name: round(100 * value / self.wall_seconds, 1) for name, value in used.items()}

    def cpu_per_callback(self) -> dict[str, float] | None:
        """µs of server and Redis CPU per 200: the run's CPU (warm-up included) over its 200s."""
        if self.cpu is None or not self.load.ok:
            return None
        server, redis = 1e6 * self.cpu.server / self.load.ok, 1e6 * self.cpu.redis / self.load.ok
        return {"server": server, "redis": redis, "total": server + redis}


def too_many_errors(results: list[RunResult]) -> bool:
    """Whether any server answered more than 1% of requests with something other than 200."""
    return any(result.load.error_rate > MAX_ERROR_RATE for result in results)


def _by_key(results: list[RunResult]) -> dict[str, RunResult]:
    return {result.target.key: result for result in results}


def _cpu_ratio(results: list[RunResult]) -> float | None:
    """siyu gateway's CPU per callback (server + Redis) over the no-Redis peer's."""
    runs = _by_key(results)
    if CPU_SIYU not in runs or CPU_PEER not in runs:
        return None
    siyu, peer = runs[CPU_SIYU].cpu_per_callback(), runs[CPU_PEER].cpu_per_callback()
    if siyu is None or peer is None or not peer["total"]:
        return None
    return siyu["total"] / peer["total"]


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
        "cpu_us_per_callback": _rounded(result.cpu_per_callback()),
    }


def _rounded(values: dict[str, float] | None) -> dict[str, float] | None:
    return None if values is None else {name: round(value, 1) for name, value in values.items()}


def print_json(results: list[RunResult], seconds: float, concurrency: int) -> None:
    """The whole report as one JSON object on one line."""
    ratio, ratio_met, p99_met = _verdicts(results)
    cpu_ratio = _cpu_ratio(results)
    cpu_met = None if cpu_ratio is None else cpu_ratio <= TARGET_CPU_RATIO
    report = {
        "benchmark": "ingest",
        "seconds": seconds,
        "warmup_seconds": WARMUP_SECONDS,
        "concurrency": concurrency,
        "cpus": os.cpu_count(),
        "runs": {result.target.key: _run_json(result) for result in results},
        "throughput_ratio": round(ratio, 2),
        "cpu_per_callback_ratio": None if cpu_ratio is None else round(cpu_ratio, 3),
        "targets": {
            "concurrency": TARGET_CONCURRENCY,
            "applies": concurrency == TARGET_CONCURRENCY,
            "throughput_ratio_min": TARGET_RATIO,
            "p99_ms_max": TARGET_P99_MS,
            "throughput_ratio_met": ratio_met,
            "p99_met": p99_met,
            "cpu_per_callback_ratio_max": TARGET_CPU_RATIO,
            "cpu_per_callback_ratio_met": cpu_met,
        },
    }
    print(json.dumps(report, ensure_ascii=False))


_LABEL: Final = 24  # the widest label: "flask+wechatpy, no Redis"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _row(result: RunResult) -> str:
    load, cpu = result.load, result.cpu_percent()
    cpu_text = "/".join(f"{v:.0f}" for v in cpu.values()) if cpu else "n/a"
    return (
        f"{result.target.label:<{_LABEL}} {load.throughput:>8.1f} {load.latency_ms(0.5):>7.1f}"
        f" {load.latency_ms(0.99):>7.1f} {load.ok:>7} {load.requests - load.ok:>6}"
        f" {_count(result.queued):>8} {_count(result.dedup_keys):>7}  {cpu_text}"
    )


def _cpu_row(result: RunResult) -> str:
    per = result.cpu_per_callback()
    if per is None:
        return f"{result.target.label:<{_LABEL}} {'n/a':>8}"
    return (
        f"{result.target.label:<{_LABEL}} {per['server']:>8.1f} {per['redis']:>8.1f}"
        f" {per['total']:>8.1f}"
    )


def _warnings(result: RunResult) -> list[str]:
    load, label = result.load, result.target.label
    notes = [f"{label}: non-200 outcomes {dict(load.errors)}"] if load.errors else []
    if load.exhausted:
        notes.append(f"{label}: ran out of pre-signed callbacks; its throughput is understated")
    if result.queued is not None and result.queued != load.ok:
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
        f"{'server':<{_LABEL}} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'200s':>7} {'errors':>6}"
        f" {'enqueued':>8} {'dedup':>7}  CPU% server/redis/generator"
    )
    for result in results:
        print(_row(result))
    for note in [note for result in results for note in _warnings(result)]:
        print(f"warning: {note}")
    for backlog in filter(None, map(_backlog_note, results)):
        print(f"note: {backlog}")
    print(
        "\nCPU per accepted callback, µs (utime+stime from /proc over the run, warm-up included,"
        " / its 200s)"
    )
    print(f"{'server':<{_LABEL}} {'server':>8} {'redis':>8} {'total':>8}")
    for result in results:
        print(_cpu_row(result))
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
    _print_cpu_verdict(results)
    if concurrency != TARGET_CONCURRENCY:
        print(f"(the targets are defined at {TARGET_CONCURRENCY} connections)")


def _print_cpu_verdict(results: list[RunResult]) -> None:
    ratio, runs = _cpu_ratio(results), _by_key(results)
    if ratio is None:
        print("CPU per callback: n/a (no /proc)")
        return
    siyu, peer = runs[CPU_SIYU], runs[CPU_PEER]
    print(
        f"CPU per callback {siyu.target.label} / {peer.target.label}: {ratio:.2f}x"
        f"   target <= {TARGET_CPU_RATIO:g}x: {'met' if ratio <= TARGET_CPU_RATIO else 'MISSED'}"
    )
