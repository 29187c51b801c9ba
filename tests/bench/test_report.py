"""bench.report: CPU per accepted callback, the no-Redis row, the CPU target's verdict."""

from __future__ import annotations

import json

import pytest

from bench.cpu import CpuSample
from bench.ingest import TARGETS
from bench.load import LoadResult
from bench.report import RunResult, print_json, print_table

_TARGETS = {target.key: target for target in TARGETS}


def _run(key: str, ok: int, server_s: float, redis_s: float, queued: int | None) -> RunResult:
    load = LoadResult(seconds=10.0, concurrency=50, latencies=[0.01] * ok, requests=ok, ok=ok)
    sample = CpuSample(server=server_s, redis=redis_s, generator=1.0, others=0.0)
    return RunResult(_TARGETS[key], load, queued, queued, None, sample, 11.0)


def _results(gateway_server_s: float) -> list[RunResult]:
    return [
        _run("siyu", 10_000, 2.5, 0.2, 10_000),
        _run("siyu_gateway", 10_000, gateway_server_s, 0.2, 10_000),
        _run("baseline", 5_000, 3.0, 0.25, 5_000),
        _run("baseline_no_redis", 5_000, 2.0, 0.0, None),
    ]


def test_cpu_per_callback_is_server_and_redis_microseconds_per_200() -> None:
    per = _run("siyu_gateway", 10_000, 2.3, 0.2, 10_000).cpu_per_callback()
    assert per == pytest.approx({"server": 230.0, "redis": 20.0, "total": 250.0})


@pytest.mark.parametrize(
    ("gateway_server_s", "ratio", "met"), [(2.3, 0.625, False), (1.8, 0.5, True)]
)
def test_the_json_has_the_cpu_ratio_against_the_no_redis_peer(
    capsys: pytest.CaptureFixture[str], gateway_server_s: float, ratio: float, met: bool
) -> None:
    print_json(_results(gateway_server_s), 10.0, 50)
    report = json.loads(capsys.readouterr().out)
    assert report["cpu_per_callback_ratio"] == pytest.approx(ratio)
    assert report["targets"]["cpu_per_callback_ratio_met"] is met
    assert report["runs"]["baseline_no_redis"]["enqueued"] is None


def test_the_table_shows_the_no_redis_row_without_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_table(_results(2.3), 10.0, 50)
    out = capsys.readouterr().out
    assert "flask+wechatpy, no Redis" in out
    assert "warning" not in out
    assert "CPU per callback siyu (role gateway) / flask+wechatpy, no Redis: 0.62x" in out
    assert "throughput siyu / baseline: 2.00x" in out
