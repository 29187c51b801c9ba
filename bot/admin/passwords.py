"""Password hashes with scrypt (a slow, memory-hard KDF): ``scrypt$n$r$p$salt$digest``."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Final

_N: Final = 2**14  # 16 MiB and some tens of ms a check: slow for guessing, fine for logins
_R: Final = 8
_P: Final = 1
_LENGTH: Final = 32
_MAX_MEMORY: Final = 64 * 1024 * 1024
MIN_LENGTH: Final = 8


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=_LENGTH
    )


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` with its parameters."""
    salt = secrets.token_bytes(16)
    digest = _kdf(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _kdf(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return secrets.compare_digest(found, base64.b64decode(digest))


# A hash of a password nobody has: checked when an account does not exist, so an unknown name
# takes as long to refuse as a wrong password.
DUMMY_HASH: Final = hash_password(secrets.token_urlsafe(16))
