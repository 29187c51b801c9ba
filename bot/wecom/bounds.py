"""WeCom's documented limits on what one call may carry, each declared here and nowhere else.

The sandbox keeps its own copy on purpose: it stands for WeCom, so a wrong number here
would fail against it instead of agreeing with itself.
"""

from __future__ import annotations

from typing import Final

MAX_ATTACHMENTS: Final = 9  # welcome and group-send attachments (docs 92599, 92135)
MAX_STATE_CHARS: Final = 30  # a contact way's state (doc 92228)
MAX_TAG_CHARS: Final = 30  # a corp tag's name (doc 92117)
MAX_TRANSFER: Final = 100  # customers per transfer_customer call (doc 92125)
MAX_CUSTOMERS: Final = 10_000  # add_msg_template external_userid (doc 92135)
MAX_GROUPS: Final = 2_000  # add_msg_template chat_id_list (doc 92135)
MAX_RECIPIENTS: Final = 1000  # message/send touser (doc 90236)
TEXT_BYTES: Final = 4000  # welcome and group-send text.content (docs 92599, 92135)
