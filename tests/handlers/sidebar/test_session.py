"""The session cookie: signed, expiring, refused when forged or keyed differently."""

from __future__ import annotations

import pytest

from handlers.sidebar.session import Session, seal, unseal

KEY = b"k" * 32


def test_a_sealed_session_opens_until_it_expires() -> None:
    value = seal(Session("zhangwei", 1000), KEY)
    assert unseal(value, KEY, 999) == Session("zhangwei", 1000)
    assert unseal(value, KEY, 1000) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v.replace(v.split(".")[0], seal(Session("boss", 1000), b"x" * 32).split(".")[0]),
        lambda v: v[:-1] + ("0" if v[-1] != "0" else "1"),
        lambda v: v.split(".")[0],
        lambda v: "",
        lambda v: "!!!." + v.split(".")[1],
    ],
)
def test_a_forged_cookie_is_refused(tamper: object) -> None:
    value = seal(Session("zhangwei", 1000), KEY)
    assert callable(tamper)
    assert unseal(tamper(value), KEY, 1) is None


def test_another_key_or_no_key_refuses() -> None:
    value = seal(Session("zhangwei", 1000), KEY)
    assert unseal(value, b"other" * 8, 1) is None
    assert unseal(value, b"", 1) is None
