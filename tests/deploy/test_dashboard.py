"""The Grafana dashboard in deploy/ loads and every panel's query names a metric siyu has."""

from __future__ import annotations

import json
import re
from typing import Any

from prometheus_client import Metric

from bot.metrics import Metrics
from tests.support.processes import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "siyu.json"
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gauge": ("",),
}


def exposed_names() -> set[str]:
    """Every series name siyu's /metrics can show (labelled families without samples too)."""
    names: set[str] = set()
    family: Metric
    for family in Metrics().registry.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return names


def queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expr) of every target, rows' nested panels included."""
    found: list[tuple[str, str]] = []
    for panel in dashboard["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            found += [(inner["title"], t["expr"]) for t in inner.get("targets", [])]
    return found


def test_the_dashboard_is_json_with_panels() -> None:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    assert len(queries(dashboard)) >= 10
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_every_query_names_an_existing_metric() -> None:
    names = exposed_names()
    for title, expr in queries(json.loads(DASHBOARD.read_text("utf-8"))):
        used = set(re.findall(r"\bsiyu_\w+", expr))
        assert used, f"{title}: {expr} names no siyu metric"
        assert used <= names, f"{title}: {sorted(used - names)} is not a siyu metric"


def test_the_check_knows_a_missing_metric() -> None:
    assert "siyu_callbacks_total" in exposed_names()
    assert "siyu_callbacks_seconds_bucket" not in exposed_names()
