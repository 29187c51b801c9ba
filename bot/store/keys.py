"""Every Redis key siyu writes, built here and nowhere else.

Keys carry the corp id in a hash tag (``siyu:{corp}:…``) so one deployment serves several
corps and all of a corp's keys land in one Redis Cluster slot (the Lua enqueue touches two).
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "siyu"
CONSUMER_GROUP: Final = "workers"


def _corp(corp_id: str) -> str:
    return f"{PREFIX}:{{{corp_id}}}"


def events(corp_id: str, lane: str = "") -> str:
    """Stream of accepted callbacks ("": the main lane; "express": copies of the events with a
    deadline, see bot/lanes.py). No TTL: entries are deleted once acknowledged."""
    return f"{_corp(corp_id)}:events" + (f":{lane}" if lane else "")


def dead_letters(corp_id: str) -> str:
    """Stream of entries that failed too often. No TTL: kept until replayed or trimmed."""
    return f"{_corp(corp_id)}:events:dead"


def last_errors(corp_id: str, lane: str = "") -> str:
    """Hash: a lane's entry id → its last handler error. Fields removed on ack or dead-letter."""
    return f"{events(corp_id, lane)}:errors"


def dedup(corp_id: str, dedup_key: str) -> str:
    """A callback already queued. TTL: queue.dedup_ttl_seconds (a day by default)."""
    return f"{_corp(corp_id)}:dedup:{dedup_key}"


def daily_counts(corp_id: str, day: str) -> str:
    """Hash of a local day's (YYYYMMDD) counts, field ``section|label`` (bot/daily.py).
    TTL: 400 days."""
    return f"{_corp(corp_id)}:daily:{day}"


def ledger(corp_id: str, effect_key: str) -> str:
    """An effect already done (idempotency ledger). TTL: set by the caller, 7 days default."""
    return f"{_corp(corp_id)}:ledger:{effect_key}"


def access_token(corp_id: str, secret_digest: str) -> str:
    """Hash {token, expires_at, refresh_at} of one app. TTL: the token's expires_in (7200 s)."""
    return f"{_corp(corp_id)}:token:{secret_digest}"


def access_token_lock(corp_id: str, secret_digest: str) -> str:
    """Held by the one process refreshing that token. TTL: TokenPolicy.lock_seconds (10 s)."""
    return f"{_corp(corp_id)}:token:{secret_digest}:lock"


def rate_window(corp_id: str, scope: str, window_seconds: int) -> str:
    """Hash {slot, used}: a fixed window's counter (the slot is a field, so a Lua script gets
    the key in KEYS). TTL: two windows."""
    return f"{_corp(corp_id)}:rate:{scope}:{window_seconds}"


def delayed_events(corp_id: str, lane: str = "") -> str:
    """Sorted set of a lane's events waiting to be re-queued (score: due ms). No TTL: drained."""
    return f"{events(corp_id, lane)}:delayed"


def demo_effects(corp_id: str) -> str:
    """Hash: event dedup key → times the demo handler's guarded effect ran. No TTL (demo)."""
    return f"{_corp(corp_id)}:demo:effects"


# Customer intake (issue 5): rules, customers, tags, channels, churn.


def intake_rules(corp_id: str) -> str:
    """JSON of the intake rules before rules were data (issue 14): read once, to seed the
    ``intake`` rule set, then deleted. No TTL: operator data."""
    return f"{_corp(corp_id)}:intake:rules"


# Rules as data (issue 14): every operator rule set is a versioned JSON document.


def rules_document(corp_id: str, name: str) -> str:
    """JSON of one rule set (intake, moderation, keywords...). No TTL: operator data."""
    return f"{_corp(corp_id)}:rules:doc:{name}"


def rules_versions(corp_id: str) -> str:
    """Hash: rule set name → its version (1 on the first write). No TTL: operator data."""
    return f"{_corp(corp_id)}:rules:versions"


def rules_changes(corp_id: str) -> str:
    """Stream of rule set changes, fields {name, version}. No TTL: capped near 1,000 entries."""
    return f"{_corp(corp_id)}:rules:changes"


def audit(corp_id: str) -> str:
    """Stream of who changed what: one field ``entry``, JSON {"at", "actor", "action",
    "document", "diff"} (``at`` ISO 8601). No TTL: capped at about 100,000 entries (MAXLEN ~)."""
    return f"{_corp(corp_id)}:audit"


def customer(corp_id: str, external_userid: str) -> str:
    """Hash: a customer's profile and activity counters. No TTL: the customer record."""
    return f"{_corp(corp_id)}:customer:{external_userid}"


def customer_relations(corp_id: str, external_userid: str) -> str:
    """Hash: staff userid → JSON of that relation (remark, tags, state...). No TTL."""
    return f"{_corp(corp_id)}:customer:{external_userid}:relations"


def customers_by_first_add(corp_id: str) -> str:
    """Sorted set: every known customer, scored by first-added time (Unix s). No TTL: index."""
    return f"{_corp(corp_id)}:cx:all"


def customers_with_tag(corp_id: str, tag_id: str) -> str:
    """Set: customers carrying a corp tag on a live relation. No TTL: index."""
    return f"{_corp(corp_id)}:cx:tag:{tag_id}"


def customers_of_staff(corp_id: str, userid: str) -> str:
    """Set: customers a staff member has a live relation with. No TTL: index."""
    return f"{_corp(corp_id)}:cx:staff:{userid}"


def customers_of_channel(corp_id: str, state: str) -> str:
    """Set: customers a live code's state brought (on a live relation). No TTL: index."""
    return f"{_corp(corp_id)}:cx:channel:{state}"


def customer_names(corp_id: str) -> str:
    """Sorted set (all scores 0, by lex): "name\\0external_userid" for name prefixes. No TTL."""
    return f"{_corp(corp_id)}:cx:names"


def customers_by_activity(corp_id: str) -> str:
    """Sorted set: customers scored by their last message time (Unix s). No TTL: index."""
    return f"{_corp(corp_id)}:cx:active"


def customer_query(corp_id: str, digest: str) -> str:
    """Sorted set: one search's result, for paging it. TTL: QUERY_TTL_SECONDS (60 s)."""
    return f"{_corp(corp_id)}:cx:query:{digest}"


def contact_lookups_slow(corp_id: str) -> str:
    """Set when a welcome's name lookup timed out. TTL: intake.name_lookup_cooldown_seconds."""
    return f"{_corp(corp_id)}:customer-lookups:slow"


def contact_lookup(corp_id: str, external_userid: str, event_key: str) -> str:
    """Taken by the handler of one event looking the customer up (one lookup per add). TTL 30 s."""
    return f"{_corp(corp_id)}:customer:{external_userid}:lookup:{event_key}"


def not_a_contact(corp_id: str, external_userid: str) -> str:
    """String: WeCom said the customer is no staff member's contact (84061; a 微信客服-only
    customer). TTL: NOT_A_CONTACT_SECONDS (handlers/customers/profiles.py)."""
    return f"{_corp(corp_id)}:not-a-contact:{external_userid}"


def contact_snapshot(corp_id: str, external_userid: str) -> str:
    """JSON of the last externalcontact/get answer, shared by one event's handlers. TTL 60 s."""
    return f"{_corp(corp_id)}:customer:{external_userid}:snapshot"


def corp_tags(corp_id: str) -> str:
    """Hash: corp tag id → JSON {name, group_id, group_name}. No TTL: mirrors WeCom's catalogue."""
    return f"{_corp(corp_id)}:tags"


def corp_tag_names(corp_id: str) -> str:
    """Hash: "group\\x1fname" → corp tag id (the catalogue by name). No TTL: as corp_tags."""
    return f"{_corp(corp_id)}:tags:names"


def channel_codes(corp_id: str) -> str:
    """Hash: channel id → JSON {config_id, qr_code, users, created_at}. No TTL: live codes."""
    return f"{_corp(corp_id)}:channels:codes"


def channel_day(corp_id: str, channel_id: str, day: str) -> str:
    """Hash of one channel's counters on a local day (YYYYMMDD). TTL: intake.stats_ttl_days."""
    return f"{_corp(corp_id)}:channel:{channel_id}:day:{day}"


def channel_credits(corp_id: str, channel_id: str) -> str:
    """Hash: userid → weighted round-robin credit. No TTL: one bounded field per member."""
    return f"{_corp(corp_id)}:channel:{channel_id}:credits"


def channel_rebalance_lock(corp_id: str, channel_id: str) -> str:
    """Held while one process changes a channel's code. TTL 10 s (longer than one update)."""
    return f"{_corp(corp_id)}:channel:{channel_id}:rebalance"


def channel_rebalance_dirty(corp_id: str, channel_id: str) -> str:
    """Set when a rebalance was wanted while the lock was held. TTL 60 s."""
    return f"{_corp(corp_id)}:channel:{channel_id}:rebalance:dirty"


def churn_digest(corp_id: str, manager: str) -> str:
    """Sorted set of churn records (JSON) awaiting a manager's digest, scored by time.

    No TTL: drained when the digest is sent.
    """
    return f"{_corp(corp_id)}:churn:digest:{manager}"


def churn_digest_sent(corp_id: str) -> str:
    """Hash: manager → the last digest slot sent (Unix seconds). No TTL: one field per manager."""
    return f"{_corp(corp_id)}:churn:digest:sent"


def reminder(corp_id: str, reminder_id: int) -> str:
    """Hash: one reminder's fields. No TTL while active; 30 days once done/cancelled/expired."""
    return f"{reminder_prefix(corp_id)}{reminder_id}"


def reminder_prefix(corp_id: str) -> str:
    """What every reminder hash's key starts with: ``reminder(corp_id, id)`` is this + id."""
    return f"{_corp(corp_id)}:reminder:"


def reminder_ids(corp_id: str) -> str:
    """Counter of reminder ids (the numbers staff see: 取消提醒 3). No TTL."""
    return f"{_corp(corp_id)}:reminders:ids"


def reminders_due(corp_id: str) -> str:
    """Sorted set: reminders waiting to fall due (score: due ms). No TTL: drained by the leader."""
    return f"{_corp(corp_id)}:reminders:due"


def reminders_of(corp_id: str, userid: str) -> str:
    """Sorted set: a staff member's active reminders (score: due ms). No TTL: ended ones leave."""
    return f"{_corp(corp_id)}:reminders:staff:{userid}"


def reminders_expiring(corp_id: str) -> str:
    """Sorted set: sent reminders not acted on (score: when they expire, ms). No TTL: drained."""
    return f"{_corp(corp_id)}:reminders:expiring"


def reminders_of_pair(corp_id: str, userid: str, external_userid: str) -> str:
    """Set: ids of reminders about one customer of one staff member (ended ones linger).

    TTL: 400 days, renewed on each add. Lets a relationship's end cancel its reminders without
    reading every reminder of the staff member.
    """
    return f"{_corp(corp_id)}:reminders:pair:{userid}:{external_userid}"


def reminder_card(corp_id: str, task_id: str) -> str:
    """Hash: a prompt card's task id → its reminder ids and assignee. TTL: 7 days (codes: 72 h)."""
    return f"{_corp(corp_id)}:reminders:card:{task_id}"


def scheduler_lease(corp_id: str) -> str:
    """The scheduler leader's lease: ``holder|token``. TTL: reminders.lease_seconds (PX)."""
    return f"{_corp(corp_id)}:scheduler:lease"


def scheduler_fence(corp_id: str) -> str:
    """Counter: the fencing token, incremented at each lease acquisition. No TTL."""
    return f"{_corp(corp_id)}:scheduler:fence"


def corp_tags_lock(corp_id: str) -> str:
    """Held by the one process creating corp tags. TTL 10 s (longer than add_corp_tag)."""
    return f"{_corp(corp_id)}:tags:lock"


def do_not_disturb(corp_id: str) -> str:
    """Hash: external_userid → JSON {reason, since} of customers who asked for no marketing.

    No TTL: lifted only by an operator or the customer's own request. Group tasks skip them.
    """
    return f"{_corp(corp_id)}:dnd"


def churn_digest_managers(corp_id: str) -> str:
    """Set of managers with churn records waiting for their digest. No TTL: drained."""
    return f"{_corp(corp_id)}:churn:digest:managers"


def churn_digest_lock(corp_id: str) -> str:
    """Held by the one process sending churn digests. TTL 60 s."""
    return f"{_corp(corp_id)}:churn:digest:lock"


# Group tasks (issue 8): tasks, their calls, progress and results; sends per target per month.


def task_ids(corp_id: str) -> str:
    """Counter of group-task ids (the numbers operators see: siyu tasks show 3). No TTL."""
    return f"{_corp(corp_id)}:tasks:ids"


def tasks(corp_id: str) -> str:
    """Sorted set: every task id, scored by creation ms. No TTL: ids of expired tasks pruned."""
    return f"{_corp(corp_id)}:tasks"


def tasks_open(corp_id: str) -> str:
    """Set: tasks being planned, created or tracked. No TTL: a task leaves when it ends."""
    return f"{_corp(corp_id)}:tasks:open"


def task(corp_id: str, task_id: int) -> str:
    """Hash: a task's spec, state and summary. No TTL while open; tasks.keep_days once ended."""
    return f"{_corp(corp_id)}:task:{task_id}"


def task_chunks(corp_id: str, task_id: int) -> str:
    """Hash: call index → JSON of one add_msg_template call (sender, msgid, progress). As task."""
    return f"{_corp(corp_id)}:task:{task_id}:chunks"


def task_targets(corp_id: str, task_id: int) -> str:
    """Hash: call index → JSON list of that call's customers or groups. TTL as task."""
    return f"{_corp(corp_id)}:task:{task_id}:targets"


def task_staff(corp_id: str, task_id: int) -> str:
    """Hash: sender userid → JSON of their progress, prompt and reminders. TTL as task."""
    return f"{_corp(corp_id)}:task:{task_id}:staff"


def task_results(corp_id: str, task_id: int) -> str:
    """Hash: customer or chat id → send status (0 unsent, 1 sent, 2 not a friend, 3 capped).

    TTL as task.
    """
    return f"{_corp(corp_id)}:task:{task_id}:results"


def task_lock(corp_id: str, task_id: int) -> str:
    """Held while one process plans or creates a task's calls. TTL: tasks.lock_seconds."""
    return f"{_corp(corp_id)}:task:{task_id}:lock"


def task_request(corp_id: str, request_key: str) -> str:
    """A create request's idempotency key → the task it made. TTL: 1 day."""
    return f"{_corp(corp_id)}:tasks:request:{request_key}"


def groupmsg_month(corp_id: str, month: str) -> str:
    """Hash: customer or chat id → group sends received in a local month (YYYYMM).

    TTL: until 32 days after the month ends (reset each write).
    """
    return f"{_corp(corp_id)}:groupmsg:month:{month}"


# Customer groups (issue 8): the registry, join/quit counters, activity, digests, welcome.


def group_chats(corp_id: str) -> str:
    """Set: chat ids of the customer groups siyu knows (not dismissed). No TTL."""
    return f"{_corp(corp_id)}:groupchats"


def group_chat(corp_id: str, chat_id: str) -> str:
    """Hash: one group (name, owner, admins, member count...). No TTL; 30 days once dismissed."""
    return f"{_corp(corp_id)}:groupchat:{chat_id}"


def group_chat_members(corp_id: str, chat_id: str) -> str:
    """Hash: member userid → JSON {type, join_time, join_scene, invitor, name}. TTL as group."""
    return f"{_corp(corp_id)}:groupchat:{chat_id}:members"


def group_chat_day(corp_id: str, chat_id: str, day: str) -> str:
    """Hash of one group's joins/quits by scene on a local day (YYYYMMDD).

    TTL: groups.stats_ttl_days.
    """
    return f"{_corp(corp_id)}:groupchat:{chat_id}:day:{day}"


def group_chats_day(corp_id: str, day: str) -> str:
    """Hash of all groups' joins/quits by scene on a local day. TTL: groups.stats_ttl_days."""
    return f"{_corp(corp_id)}:groupchats:day:{day}"


def group_chat_quits(corp_id: str, chat_id: str) -> str:
    """Sorted set: recent quits (score: ms) for spike alerts. TTL: the spike window."""
    return f"{_corp(corp_id)}:groupchat:{chat_id}:quits"


def group_chat_alerted(corp_id: str, chat_id: str, alert: str) -> str:
    """Set when an alert went to a group's owner and admins. TTL: the alert's quiet period."""
    return f"{_corp(corp_id)}:groupchat:{chat_id}:alerted:{alert}"


def group_chat_activity(corp_id: str, chat_id: str, day: str) -> str:
    """Hash: member → messages seen on a local day (archive source). TTL: stats_ttl_days."""
    return f"{_corp(corp_id)}:groupchat:{chat_id}:active:{day}"


def group_chat_labels(corp_id: str, label: str) -> str:
    """Set: chat ids siyu's operators gave ``label`` (group tasks target them). No TTL."""
    return f"{_corp(corp_id)}:groupchats:label:{label}"


def group_digests_sent(corp_id: str) -> str:
    """Hash: chat id → the local day (YYYYMMDD) of its last digest. No TTL: one field a group."""
    return f"{_corp(corp_id)}:groupchats:digests"


def group_welcome_templates(corp_id: str) -> str:
    """Hash: template name → JSON {template_id, digest} of WeCom's group welcome templates.

    No TTL: mirrors config/groups.toml in WeCom.
    """
    return f"{_corp(corp_id)}:groupwelcome"


# Conversations and moderation (issue 6): KF cursors, violations, alerts, intent prompts.


def kf_cursor(corp_id: str, open_kfid: str) -> str:
    """The kf/sync_msg cursor of one KF account (after the last page handled). No TTL."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:cursor"


def kf_pull_lock(corp_id: str, open_kfid: str) -> str:
    """Held by the one process pulling a KF account's messages. TTL 60 s (a crash frees it)."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:pull"


def kf_pull_dirty(corp_id: str, open_kfid: str) -> str:
    """Set when news came while the account was being pulled: pull again. TTL 60 s."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:pull:dirty"


def kf_servicer(corp_id: str, open_kfid: str, external_userid: str) -> str:
    """The userid last seen serving a KF customer. TTL 7 days (sync_msg covers 3 days)."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:servicer:{external_userid}"


# The 微信客服 bot (issue 16): sessions, sending rules, handoffs, transcripts, unsent replies.


def kf_session(corp_id: str, open_kfid: str, external_userid: str) -> str:
    """Hash of the bot's view of a KF session: holder (bot|pool|human), servicer, fallbacks
    in a row, last customer message time, replies since it. TTL 3 days, renewed on each
    message (a session lasts 48 h)."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:session:{external_userid}"


def kf_answer_lock(corp_id: str, open_kfid: str, external_userid: str) -> str:
    """Held while the bot answers one of a customer's messages (one at a time per customer).
    TTL 30 s (a crash frees it)."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:answering:{external_userid}"


def kf_menu_tap(corp_id: str, msgid: str) -> str:
    """The menu_id a customer's message tapped (noted by the puller for the bot). TTL 3 days
    (sync_msg covers 3 days)."""
    return f"{_corp(corp_id)}:kf:tap:{msgid}"


def kf_turn(corp_id: str, open_kfid: str) -> str:
    """Counter of handoffs of a KF account: the round robin over servicers on duty. No TTL."""
    return f"{_corp(corp_id)}:kf:{open_kfid}:turn"


def kf_transcript(corp_id: str, external_userid: str) -> str:
    """List of a KF customer's last messages (JSON: at, who, text), newest first; capped at
    kf.transcript_max. TTL kf.transcript_days, renewed on each message."""
    return f"{_corp(corp_id)}:kf:transcript:{external_userid}"


def kf_unsent(corp_id: str) -> str:
    """List of KF replies that could not be sent (JSON: at, open_kfid, customer, reason,
    errcode), newest first; capped at kf.unsent_max. No TTL: operators read it."""
    return f"{_corp(corp_id)}:kf:unsent"


def violations(corp_id: str, role: str, who: str) -> str:
    """Hash: category → sensitive-word violations of a customer or staff member (role
    customer|staff); field ``total`` sums them. No TTL: the record reviewers read."""
    return f"{_corp(corp_id)}:violations:{role}:{who}"


def moderation_alert(corp_id: str, task_id: str) -> str:
    """Hash of one alert: card (JSON, as first sent), about (message key, role, sender,
    categories, reviewers) and resolution (the first 已处理/误报 press).

    TTL 30 days (its card's buttons answer for 72 h).
    """
    return f"{_corp(corp_id)}:moderation:alert:{task_id}"


def intent_prompted(corp_id: str, userid: str, external_userid: str, intent: str) -> str:
    """``message key|until`` of the last prompt to a member about a customer's intent.

    TTL: the intents' cooldown (config/moderation.toml), set at each prompt.
    """
    return f"{_corp(corp_id)}:intent:prompted:{userid}:{external_userid}:{intent}"


# The admin API (issue 14): operator accounts, sessions, API keys, login throttling, audit.


def admin_users(corp_id: str) -> str:
    """Hash: operator account name → JSON {role, password (scrypt), created_at}. No TTL."""
    return f"{_corp(corp_id)}:admin:users"


def admin_api_keys(corp_id: str) -> str:
    """Hash: API key id → JSON {role, digest (SHA-256 of the key), name, created_at}. No TTL:
    a key lives until revoked."""
    return f"{_corp(corp_id)}:admin:apikeys"


def admin_api_keys_used(corp_id: str) -> str:
    """Hash: API key id → when it last authenticated a request (ISO 8601). No TTL: a revoke
    removes its field."""
    return f"{_corp(corp_id)}:admin:apikeys-used"


def admin_new_key(corp_id: str, token: str) -> str:
    """JSON {actor, key}: a new API key waiting to be shown once, after the console's redirect.
    TTL: 60 s; read and deleted by the one page that shows it."""
    return f"{_corp(corp_id)}:admin:new-key:{token}"


def admin_session(corp_id: str, digest: str) -> str:
    """JSON {user, role} of one console/API session (keyed by the token's SHA-256).
    TTL: admin.session_hours (8 h by default)."""
    return f"{_corp(corp_id)}:admin:session:{digest}"


def admin_login_failures(corp_id: str, scope: str) -> str:
    """Failed logins of one account (``user:NAME``) or address (``ip:ADDR``).
    TTL: admin.login_window_minutes from the first failure (15 min by default)."""
    return f"{_corp(corp_id)}:admin:login-failures:{scope}"


# The media library (handlers/media): uploaded images and files, their WeCom media, uses.


def media_item(corp_id: str, item_id: str) -> str:
    """Hash of one library item: name, kind, content_type, size, sha256, created_at, and its
    WeCom side (pic_url, or media_id with media_created_at/media_expires_at). No TTL: kept
    until deleted (a temporary media_id inside is re-uploaded before its 3 days run out)."""
    return f"{_corp(corp_id)}:media:item:{item_id}"


def media_content(corp_id: str, item_id: str) -> str:
    """The bytes of one library item (≤20 MB, WeCom's largest upload). No TTL: deleted with
    the item; re-uploads read them."""
    return f"{_corp(corp_id)}:media:content:{item_id}"


def media_items(corp_id: str) -> str:
    """Sorted set: item id → created_at (the library's list, newest last). No TTL."""
    return f"{_corp(corp_id)}:media:items"


def media_refresh(corp_id: str) -> str:
    """Sorted set: item id → Unix time its temporary media_id is due for re-upload. No TTL:
    members leave when the item is deleted."""
    return f"{_corp(corp_id)}:media:refresh"


def media_uses(corp_id: str, item_id: str) -> str:
    """Hash: where the item was sent (``channel:poster_a``, ``task:12``) → last use, Unix
    seconds. No TTL: deleted with the item."""
    return f"{_corp(corp_id)}:media:uses:{item_id}"


def media_upload_lock(corp_id: str, item_id: str) -> str:
    """Held by the one process re-uploading an item. TTL: 60 s (an upload's worst case)."""
    return f"{_corp(corp_id)}:media:item:{item_id}:lock"


# The staff sidebar (issue 17): JS-SDK tickets, OAuth2 states, the customer timeline.


def jsapi_ticket(corp_id: str, scope: str) -> str:
    """Hash {ticket, expires_at, refresh_at} of the corp ticket (scope ``corp``) or an app's
    ticket (scope ``agent:<agentid>``). TTL: the ticket's expires_in (7200 s)."""
    return f"{_corp(corp_id)}:jsapi-ticket:{scope}"


def jsapi_ticket_lock(corp_id: str, scope: str) -> str:
    """Held by the one process fetching that ticket. TTL: TicketPolicy.lock_seconds (10 s)."""
    return f"{_corp(corp_id)}:jsapi-ticket:{scope}:lock"


def sidebar_oauth_state(corp_id: str, state: str) -> str:
    """An OAuth2 ``state`` siyu handed out, → the page to return to. TTL: 300 s, used once."""
    return f"{_corp(corp_id)}:sidebar:oauth:{state}"


def customer_timeline(corp_id: str, external_userid: str) -> str:
    """List (newest first) of JSON entries: what staff did about a customer in the sidebar.

    TTL: sidebar.timeline_days, renewed on each entry; capped at sidebar.timeline_max items.
    """
    return f"{_corp(corp_id)}:customer:{external_userid}:timeline"


def customer_flags(corp_id: str, external_userid: str) -> str:
    """Sorted set of JSON entries (label, excerpt, at, message): moderation's flags on a
    customer's messages, scored by the message's time (Unix s), for the sidebar's card.

    TTL: sidebar.timeline_days, renewed on each flag; capped at FLAGS_KEPT (50) items.
    """
    return f"{_corp(corp_id)}:customer:{external_userid}:flags"


def moderation_hits(corp_id: str) -> str:
    """Sorted set: message key → hit time (ms), the newest sensitive hits for the console's
    review list (handlers/moderation/hits.py). No TTL: trimmed on add."""
    return f"{_corp(corp_id)}:moderation:hits"


def moderation_hit_records(corp_id: str) -> str:
    """Hash: message key → the hit's JSON, for the keys of ``moderation_hits``. No TTL:
    trimmed with it."""
    return f"{_corp(corp_id)}:moderation:hits:records"
