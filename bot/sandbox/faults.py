"""Scripted faults: make an API (or every API, ``*``) fail, slow down, hang or drop tokens.

A fault lasts ``count`` calls, or ``seconds`` of the sandbox clock, or until cleared. The
first live fault matching a call applies to it (and uses up one of its ``count``).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.sandbox.records import Json, JsonMap

ALL_APIS = "*"


def api_path(raw: str) -> str:
    """An API as the outbox and faults name it: the path after /cgi-bin/, no slashes around."""
    path = raw.strip().strip("/")
    return path.removeprefix("cgi-bin/")


class FaultSpecError(ValueError):
    """A fault description that cannot be used."""


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do to matching calls, and for how long."""

    fault_id: str
    api: str
    errcode: int | None = None
    errmsg: str | None = None
    latency_ms: int = 0
    timeout: bool = False
    invalidate_tokens: bool = False
    count: int | None = None  # calls left; None: unlimited
    until: datetime | None = None  # sandbox-clock expiry; None: none

    def matches(self, api: str, now: datetime) -> bool:
        """Whether this fault applies to a call of ``api`` at ``now``."""
        live = (self.count is None or self.count > 0) and (self.until is None or now < self.until)
        return live and self.api in (ALL_APIS, api)

    def as_json(self) -> Json:
        """The fault as the control API shows it."""
        shown = dataclasses.asdict(self)
        shown["until"] = None if self.until is None else self.until.isoformat()
        return shown


def _optional_int(spec: JsonMap, name: str, minimum: int) -> int | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FaultSpecError(f"{name} must be an integer >= {minimum}")
    return value


def _flag(spec: JsonMap, name: str) -> bool:
    value = spec.get(name, False)
    if not isinstance(value, bool):
        raise FaultSpecError(f"{name} must be true or false")
    return value


_KNOWN = {
    "api",
    "errcode",
    "errmsg",
    "latency_ms",
    "timeout",
    "invalidate_tokens",
    "count",
    "seconds",
}


def parse_fault(fault_id: str, spec: JsonMap, now: datetime) -> Fault:
    """A Fault from the JSON of POST /sandbox/faults, or FaultSpecError."""
    unknown = set(spec) - _KNOWN
    if unknown:
        raise FaultSpecError(f"unknown fields: {', '.join(sorted(unknown))}")
    api, errmsg, seconds = spec.get("api"), spec.get("errmsg"), spec.get("seconds")
    if not isinstance(api, str) or not api:
        raise FaultSpecError('api is required: an API path like "message/send", or "*"')
    if errmsg is not None and not isinstance(errmsg, str):
        raise FaultSpecError("errmsg must be a string")
    errcode = spec.get("errcode")
    if errcode is not None and (isinstance(errcode, bool) or not isinstance(errcode, int)):
        raise FaultSpecError("errcode must be an integer")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0
    ):
        raise FaultSpecError("seconds must be a positive number")
    fault = Fault(
        fault_id=fault_id,
        api=api_path(api),
        errcode=errcode,
        errmsg=errmsg,
        latency_ms=_optional_int(spec, "latency_ms", 0) or 0,
        timeout=_flag(spec, "timeout"),
        invalidate_tokens=_flag(spec, "invalidate_tokens"),
        count=_optional_int(spec, "count", 1),
        until=None if seconds is None else now + timedelta(seconds=float(seconds)),
    )
    if not (
        fault.errcode is not None or fault.latency_ms or fault.timeout or fault.invalidate_tokens
    ):
        raise FaultSpecError("a fault needs errcode, latency_ms, timeout or invalidate_tokens")
    return fault


class FaultBook:
    """The scripted faults, in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: JsonMap, now: datetime) -> Fault:
        """Parse and add a fault (FaultSpecError if the spec is bad)."""
        fault = parse_fault(f"fault-{next(self._ids)}", spec, now)
        self._faults.append(fault)
        return fault

    def take(self, api: str, now: datetime) -> Fault | None:
        """The fault for a call of ``api`` now, using up one of its calls; None if none."""
        self._faults = [f for f in self._faults if f.matches(f.api, now)]
        for index, fault in enumerate(self._faults):
            if fault.matches(api, now):
                if fault.count is not None:
                    self._faults[index] = dataclasses.replace(fault, count=fault.count - 1)
                return fault
        return None

    def clear(self) -> int:
        """Remove every fault; return how many there were."""
        cleared = len(self._faults)
        self._faults = []
        return cleared

    def active(self, now: datetime) -> list[Fault]:
        """The faults still live at ``now``."""
        return [f for f in self._faults if f.matches(f.api, now)]
