"""Conversations: one message model for every source siyu reads chat messages from.

- the siyu app: a staff member writes to the app (``TextMessage``, role staff);
- 微信客服 (KF): ``kf_msg_or_event`` says there is news; ``kf/sync_msg`` pulls it from the
  persisted cursor (kf.py), and each text becomes a ``ChatMessageEvent`` on the stream;
- archived chats (会话内容存档): an external archive puller POSTs them to
  ``/api/v1/archive/messages`` (handlers/conversations/admin.py); ``msgaudit_notify`` is only
  a hook, the finance SDK that pulls archives is not part of siyu.

Every concern that reads messages (moderation, intents) handles ``ChatMessageEvent``, so a
message is read once from its source and then travels the stream like any callback: with
its msgid as dedup key, retries and dead letters.

The 微信客服 bot (issue 16) answers KF customers: bot.py (welcome, answers, silence while a
human serves), faq.py and faq_rules.py (the answers: the rules store's ``faq`` set, read
live, seeded from config/faq.toml), handoff.py
(servicer choice and the servicer's note), sending.py (WeCom's sending rules, unsent replies),
sessions.py (who holds each session, reply windows), transcripts.py, stats.py (counters);
needs.py declares what it needs of other concerns (FAQ answers, verdicts, media).
"""

from bot.events.conversation import ChatMessage, Conversation, Role, Source

__all__ = ["ChatMessage", "Conversation", "Role", "Source"]
