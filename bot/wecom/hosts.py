"""Where WeCom shows images from: a ``pic_url`` in a message must be hosted by WeCom.

WeCom's docs say attachments take "a pic_url that WeCom hosts" (doc 92599) without listing
the hosts. The list below is what ``media/uploadimg`` answers in practice (wework.qpic.cn,
p.qpic.cn and other *.qpic.cn hosts): it is **unsure**, as the spec is; widen it here if
WeCom answers another host. Loopback hosts count too: the local sandbox (``siyu sandbox``,
which listens on 127.0.0.1 by default) serves its ``media/uploadimg`` URLs there, and WeCom
itself could never fetch a loopback URL, so allowing them admits nothing in production.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

WECOM_IMAGE_HOSTS: Final = frozenset({"wework.qpic.cn", "p.qpic.cn"})
WECOM_IMAGE_DOMAIN: Final = ".qpic.cn"  # unsure: other qpic hosts WeCom has answered
SANDBOX_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})


def is_wecom_hosted(url: str) -> bool:
    """Whether ``url`` is an http(s) URL on a WeCom image host (or the local sandbox)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not host:
        return False
    return host in WECOM_IMAGE_HOSTS or host.endswith(WECOM_IMAGE_DOMAIN) or host in SANDBOX_HOSTS


def hosted_problem(url: str) -> str | None:
    """Why WeCom would not show ``url`` as an image (None if it would)."""
    if is_wecom_hosted(url):
        return None
    return (
        f"pic_url {url!r} is not hosted by WeCom (wework.qpic.cn, p.qpic.cn, *.qpic.cn): "
        "upload the image to the media library (siyu media upload FILE, or POST /api/v1/media) "
        'and use {"library": "<id>"} instead'
    )
