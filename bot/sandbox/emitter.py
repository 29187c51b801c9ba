"""The callback emitter: encrypts, signs and POSTs events to siyu the way WeCom does.

WeCom's delivery (spec §1.5): a 5 s timeout per try, 3 tries in total, any non-200 answer or
timeout counts as a failure. Each try is encrypted afresh (new random16 and nonce) around the
same plaintext. On purpose, the emitter can also send an event N extra times (duplicates),
delay it, or send a batch shuffled; every try is logged for GET /sandbox/deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import secrets
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from bot.callbacks import message_xml, sign_callback
from bot.clock import Clock
from bot.crypto import CallbackCrypto
from bot.sandbox.config import AppCredentials
from bot.sandbox.records import Json

logger = logging.getLogger(__name__)

Fields = Mapping[str, str | int | list[str]]
MAX_LOG = 100_000
_XML = {"Content-Type": "text/xml; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class EmitOptions:
    """How to deliver: extra copies of the same plaintext, and a delay before sending."""

    duplicates: int = 0
    delay_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Emission:
    """One event to deliver: its plaintext fields, for one app."""

    event_id: str
    app: str
    fields: Fields

    @property
    def label(self) -> str:
        """``Event/ChangeType`` for events, else the MsgType (e.g. ``text``)."""
        if self.fields.get("MsgType") != "event":
            return str(self.fields.get("MsgType", ""))
        change = self.fields.get("ChangeType")
        event = str(self.fields.get("Event", ""))
        return f"{event}/{change}" if change else event


@dataclass(frozen=True, slots=True)
class Delivery:
    """One try to deliver one copy of an emission."""

    seq: int
    emission: Emission
    copy: int  # 0 the original, 1.. deliberate duplicates
    attempt: int  # 1..tries
    url: str | None
    status: int | None  # the HTTP status; None when there was no answer
    error: str | None  # "timeout", a connection error, "no callback url"
    at: datetime

    def as_json(self) -> Json:
        """The delivery as GET /sandbox/deliveries shows it."""
        return {
            "seq": self.seq,
            "event_id": self.emission.event_id,
            "event": self.emission.label,
            "app": self.emission.app,
            "copy": self.copy,
            "attempt": self.attempt,
            "url": self.url,
            "status": self.status,
            "ok": self.status == 200,  # noqa: PLR2004 - WeCom's only success
            "error": self.error,
            "at": self.at.isoformat(),
            "fields": dict(self.emission.fields),
        }


class Emitter:
    """Delivers emissions in background tasks; ``running`` owns its HTTP session."""

    def __init__(
        self,
        corp_id: str,
        apps: Mapping[str, AppCredentials],
        clock: Clock,
        *,
        timeout_seconds: float = 5.0,
        tries: int = 3,
        retry_delay_seconds: float = 1.0,
    ) -> None:
        self._cryptos = {
            name: CallbackCrypto.create(app.token, app.encoding_aes_key, corp_id)
            for name, app in apps.items()
        }
        self._corp_id = corp_id
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._tries = tries
        self._retry_delay = retry_delay_seconds
        self._urls: dict[str, str] = {}
        self._log: deque[Delivery] = deque(maxlen=MAX_LOG)
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self.defaults = EmitOptions()

    def point(self, app: str, url: str | None) -> None:
        """Send ``app``'s callbacks to ``url`` (None: nowhere; tries are logged as failed)."""
        if app not in self._cryptos:
            raise KeyError(app)
        if url is None:
            self._urls.pop(app, None)
        else:
            self._urls[app] = url

    def url_of(self, app: str) -> str | None:
        """Where ``app``'s callbacks go."""
        return self._urls.get(app)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Own an HTTP session while open; on exit, cancel deliveries still in flight."""
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            self._session = session
            try:
                yield
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                self._session = None

    def emit(self, app: str, fields: Fields, options: EmitOptions | None = None) -> Emission:
        """Deliver one event in the background; return what will be delivered."""
        return self.emit_batch(app, [fields], options)[0]

    def emit_batch(
        self,
        app: str,
        batch: Sequence[Fields],
        options: EmitOptions | None = None,
        *,
        shuffle: bool = False,
    ) -> list[Emission]:
        """Deliver events one after another (shuffled if asked) in the background."""
        if app not in self._cryptos:
            raise KeyError(app)
        emissions = [Emission(f"ev-{next(self._ids)}", app, dict(f)) for f in batch]
        order = list(emissions)
        if shuffle:
            random.shuffle(order)
        task = asyncio.get_running_loop().create_task(self._run(order, options or self.defaults))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return emissions

    def deliveries(self, since: int = 0) -> list[Delivery]:
        """The logged tries with a seq above ``since``."""
        return [d for d in self._log if d.seq > since]

    def in_flight(self) -> int:
        """How many background deliveries are still running."""
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until every delivery started so far has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, emissions: Sequence[Emission], options: EmitOptions) -> None:
        for emission in emissions:
            for copy in range(options.duplicates + 1):
                if options.delay_seconds > 0:
                    await asyncio.sleep(options.delay_seconds)
                await self._deliver(emission, copy)

    async def _deliver(self, emission: Emission, copy: int) -> None:
        for attempt in range(1, self._tries + 1):
            url = self._urls.get(emission.app)
            if url is None:
                self._note(emission, copy, attempt, url=None, status=None, error="no callback url")
                return
            status, error = await self._post(url, emission)
            self._note(emission, copy, attempt, url=url, status=status, error=error)
            if status == 200:  # noqa: PLR2004 - WeCom's only success
                return
            if attempt < self._tries and self._retry_delay > 0:
                await asyncio.sleep(self._retry_delay)

    async def _post(self, url: str, emission: Emission) -> tuple[int | None, str | None]:
        if self._session is None:
            return None, "emitter not running"
        crypto = self._cryptos[emission.app]
        agent = emission.fields.get("AgentID")
        signed = sign_callback(
            crypto,
            message_xml(emission.fields),
            int(self._clock.now().timestamp()),
            nonce=str(secrets.randbelow(10**10)),
            to_user_name=self._corp_id,
            agent_id=int(agent) if isinstance(agent, int | str) and str(agent).isdigit() else None,
        )
        try:
            async with self._session.post(
                url, params=signed.query, data=signed.body, headers=_XML
            ) as answer:
                await answer.read()
                return answer.status, None
        except TimeoutError:
            return None, "timeout"
        except aiohttp.ClientError as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def _note(
        self,
        emission: Emission,
        copy: int,
        attempt: int,
        *,
        url: str | None,
        status: int | None,
        error: str | None,
    ) -> None:
        delivery = Delivery(
            next(self._seq), emission, copy, attempt, url, status, error, self._clock.now()
        )
        self._log.append(delivery)
        logger.info("callback %s try %d: %s", emission.label, attempt, status or error)
