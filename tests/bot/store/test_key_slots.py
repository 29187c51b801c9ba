"""Every key siyu builds carries its corp's hash tag, so one corp's keys share one Cluster slot
and every multi-key script or MULTI of a corp stays on one shard."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from redis.crc import key_slot

from bot.store import keys

CORP = "ww0123456789abcdef"


def key_builders() -> list[Callable[..., str]]:
    """The public functions of bot.store.keys that take a corp id."""
    functions = inspect.getmembers(keys, inspect.isfunction)
    return [
        function
        for name, function in functions
        if not name.startswith("_") and "corp_id" in inspect.signature(function).parameters
    ]


def sample_key(function: Callable[..., str]) -> str:
    """The function's key for CORP and made-up values of its other parameters."""
    values: dict[str, object] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name == "corp_id":
            values[name] = CORP
        elif parameter.default is not inspect.Parameter.empty:
            continue
        else:
            values[name] = 7 if parameter.annotation in {"int", int} else f"{name}-x"
    return function(**values)


def test_there_are_key_builders() -> None:
    assert len(key_builders()) > 40


@pytest.mark.parametrize("function", key_builders(), ids=lambda f: f.__name__)
def test_every_key_is_in_its_corps_slot(function: Callable[..., str]) -> None:
    key = sample_key(function)
    assert key.startswith(f"{keys.PREFIX}:{{{CORP}}}:"), key
    assert key_slot(key.encode()) == key_slot(CORP.encode())
