"""The baseline: Flask + wechatpy 1.8.x on gunicorn with one sync worker.

Written the way most WeCom integrations are: decrypt and parse with wechatpy, then a
durable enqueue into Redis with a synchronous client (SET NX of the MsgId, then XADD).
With ``BENCH_BASELINE_REDIS_URL`` empty it is the way most of them really run: no Redis, no
durability (verify, decrypt, parse, answer; nothing is stored).
A benchmark fixture: its configuration comes from the environment the runner sets.
"""

from __future__ import annotations

import os
from typing import Final

import redis
from flask import Flask, abort, request
from wechatpy.enterprise import WeChatCrypto, parse_message
from wechatpy.exceptions import InvalidSignatureException

DEDUP_TTL_SECONDS: Final = 86400

_corp_id = os.environ["BENCH_BASELINE_CORP_ID"]
_prefix = f"baseline:{{{_corp_id}}}"
_crypto = WeChatCrypto(
    os.environ["BENCH_BASELINE_TOKEN"], os.environ["BENCH_BASELINE_AES_KEY"], _corp_id
)
_redis_url = os.environ.get("BENCH_BASELINE_REDIS_URL", "")
_redis = redis.Redis.from_url(_redis_url) if _redis_url else None

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> str:
    """The benchmark runner polls this until the worker is up."""
    return "ok"


@app.post("/wecom/callback")
def callback() -> tuple[str, int]:
    """Verify, decrypt and parse the callback, queue it once (if durable), answer an empty 200."""
    try:
        xml = _crypto.decrypt_message(
            request.data,
            request.args["msg_signature"],
            request.args["timestamp"],
            request.args["nonce"],
        )
    except InvalidSignatureException:
        abort(403)
    message = parse_message(xml)
    if _redis is None:  # no durability: what is not handled now is lost
        return "", 200
    if _redis.set(f"{_prefix}:dedup:{message.id}", 1, nx=True, ex=DEDUP_TTL_SECONDS):
        _redis.xadd(f"{_prefix}:events", {"type": message.type, "xml": xml})
    return "", 200
