"""The local spool: callbacks Redis could not take in time, in an append-only fsync'd file.

One active segment per process (``<host>-<pid>-<seq>.spool``), held under an exclusive
``flock`` while it is written or replayed, so a process never replays another live
process's segment and a killed process's segments are adopted by whoever replays next.
Each record is framed as ``magic | length | crc32 | payload``: a tail cut short by a crash
mid-write, or damaged, fails the check and is skipped; every record before it is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import socket
import struct
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

MAGIC: Final = b"SP"
HEADER: Final = struct.Struct(">2sII")  # magic, payload length, crc32 of the payload
MAX_RECORD_BYTES: Final = 4 * 1024 * 1024  # a longer length field is damage, not a record
SUFFIX: Final = ".spool"


class SpoolFull(Exception):
    """The spool holds ``max_bytes`` already: answer 503 so WeCom retries."""


@dataclass(frozen=True, slots=True)
class SpooledCallback:
    """What the gateway would have queued: replayed through the same dedup-checked call."""

    app: str
    kind: str
    dedup_key: str
    xml: str
    express: bool
    received_ms: int  # when the gateway accepted it (the injected clock)
    event: str = ""  # the message's fields as compact JSON (bot.events.registry.compact)

    def encode(self) -> bytes:
        """The record's payload."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, payload: bytes) -> SpooledCallback:
        """Rebuild from a payload (raises ValueError, KeyError or TypeError if damaged)."""
        fields = json.loads(payload)
        return cls(**fields)


def frame(payload: bytes) -> bytes:
    """One record as written to a segment."""
    return HEADER.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def unframe(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The intact records of a segment as (end offset, payload), and where intact data ends.

    Stops at the first record that is cut short or fails its checksum (a crash mid-write).
    """
    records: list[tuple[int, bytes]] = []
    offset = 0
    while offset + HEADER.size <= len(data):
        magic, length, crc = HEADER.unpack_from(data, offset)
        end = offset + HEADER.size + length
        if magic != MAGIC or length > MAX_RECORD_BYTES or end > len(data):
            break
        payload = data[offset + HEADER.size : end]
        if zlib.crc32(payload) != crc:
            break
        records.append((end, payload))
        offset = end
    return records, offset


def _lock(path: Path, flags: int) -> int | None:
    """An fd of ``path`` holding its exclusive flock, or None if another holds it."""
    fd = os.open(path, flags, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class Spool:
    """This process's spool: append (fsync'd), rotate, and hand segments to the replayer."""

    def __init__(self, directory: Path, max_bytes: int, owner: str | None = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.owner = owner or f"{socket.gethostname()}-{os.getpid()}"
        self._lock = asyncio.Lock()
        self._fd: int | None = None
        self._active: Path | None = None
        self._active_bytes = 0
        self._seq = 0
        self._active_oldest_ms: int | None = None
        # own segments rotated out, not yet replayed: bytes left, accept time of the next record
        self._closed: dict[Path, tuple[int, int | None]] = {}
        # segments whose flock this process keeps until its own replayer is done with them
        self._held: dict[Path, int] = {}
        self.appended = asyncio.Event()  # set on every append: wakes the replayer

    @property
    def size(self) -> int:
        """Bytes of this process's records not yet replayed (what ``max_bytes`` bounds)."""
        return self._active_bytes + sum(left for left, _ms in self._closed.values())

    @property
    def oldest_ms(self) -> int | None:
        """The accept time (ms) of the oldest record of ours not replayed yet."""
        times = [ms for _left, ms in self._closed.values() if ms is not None]
        if self._active_bytes and self._active_oldest_ms is not None:
            times.append(self._active_oldest_ms)
        return min(times, default=None)

    @property
    def pending(self) -> bool:
        """Records wait: new callbacks queue behind them to keep the order."""
        return self.size > 0

    async def append(self, record: SpooledCallback) -> None:
        """Write and fsync one record before the callback is answered 200."""
        data = frame(record.encode())
        async with self._lock:
            if self.size + len(data) > self.max_bytes:
                raise SpoolFull(f"spool holds {self.size} of {self.max_bytes} bytes")
            await asyncio.to_thread(self._write, data)
            if self._active_oldest_ms is None:
                self._active_oldest_ms = record.received_ms
        self.appended.set()

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._seq += 1
            path = self.directory / f"{self.owner}-{self._seq:06d}{SUFFIX}"
            fd = _lock(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)  # read back by the replayer
            if fd is None:  # pragma: no cover - names are unique to this process
                raise OSError(f"spool segment {path} is locked")
            self._fd, self._active, self._active_bytes = fd, path, 0
        try:
            os.write(self._fd, data)  # O_APPEND: one write, at the end
            os.fsync(self._fd)
        except OSError:  # disk full: cut the partial record so later appends stay readable
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._active_bytes)
            raise
        self._active_bytes += len(data)

    async def rotate(self) -> None:
        """Close the active segment (if it holds records) for this process's replayer.

        Its flock stays held (``take`` hands it over): another live process's replayer could
        otherwise take it in between and replay it beside this one's next segment, out of
        order. A crashed process's locks are released by the system: those are adopted.
        """
        async with self._lock:
            if self._fd is None or self._active is None or self._active_bytes == 0:
                return
            self._held[self._active] = self._fd
            self._closed[self._active] = (self._active_bytes, self._active_oldest_ms)
            self._fd, self._active, self._active_bytes = None, None, 0
            self._active_oldest_ms = None

    def segments(self) -> list[Path]:
        """Segments to replay, oldest first: other (dead) processes' first, then ours."""
        if not self.directory.is_dir():
            return []
        found = sorted(self.directory.glob(f"*{SUFFIX}"), key=_age_order)
        for gone in set(self._closed) - set(found):  # adopted and replayed by another process
            self._closed.pop(gone)
        theirs = [path for path in found if path not in self._closed and path != self._active]
        return theirs + [path for path in found if path in self._closed]

    def replayed(self, path: Path, replayed_bytes: int, next_received_ms: int | None) -> None:
        """Progress on one of our segments: ``replayed_bytes`` of it are in Redis now."""
        if path in self._closed:
            left = max(self._closed[path][0] - replayed_bytes, 0)
            self._closed[path] = (left, next_received_ms)

    def finished(self, path: Path) -> None:
        """A segment is fully in Redis: forget it (the replayer deletes the file)."""
        self._closed.pop(path, None)

    def take(self, path: Path) -> int | None:
        """A locked fd of a segment to replay: ours as held since its rotation, another's if
        no live process holds it; None if one does (or it is gone)."""
        held = self._held.pop(path, None)
        return held if held is not None else open_segment(path)

    def keep(self, path: Path, fd: int) -> None:
        """A replay stopped part way (Redis went away again): keep the segment's lock."""
        self._held[path] = fd

    def close(self) -> None:
        """Close the active segment's file and release every held lock (the records stay
        for the next replay, by any process)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        for fd in self._held.values():
            os.close(fd)
        self._held.clear()


def _age_order(path: Path) -> tuple[float, str]:
    try:
        return (path.stat().st_mtime, path.name)
    except FileNotFoundError:
        return (0.0, path.name)


def open_segment(path: Path) -> int | None:
    """Lock a segment for replay; None if its writer or another replayer holds it."""
    try:
        return _lock(path, os.O_RDWR)
    except FileNotFoundError:  # replayed and deleted by another process meanwhile
        return None
