"""The local WeCom sandbox: WeCom's API, a callback emitter, actors, outbox and faults.

``create_sandbox_app(SandboxConfig, clock)`` (server.py) serves:

WeCom's API, ``/cgi-bin/{api}`` (api/): the same paths, methods, JSON and errcodes as
WeCom for everything siyu calls; ``?access_token=`` on every call but gettoken.

Control and actor routes, ``/sandbox/...`` (control_routes.py, actor_routes.py). JSON in,
JSON out; a refused request answers 400/404/409 with ``{"error": reason}``. Routes marked
* are an interface used by tools outside siyu: keep them as they are.

* GET    /sandbox/state                          corp, apps' credentials, staff, customers,
                                                 kf_accounts (also groups, contact_ways, now)
* GET    /sandbox/outbox?api=PATH&since=SEQ|ISO  every API call: seq, api, method, body,
                                                 response, at, app (+ dropped, delivered,
                                                 duplicate_of, fault_id where they apply)
* POST   /sandbox/faults                         {api, errcode?, errmsg?, latency_ms?,
                                                 timeout?, invalidate_tokens?, count?,
                                                 seconds?} → {fault_id, fault}
* DELETE /sandbox/faults                         → {cleared}
  GET    /sandbox/faults                         the live faults
  GET    /sandbox/deliveries?since=SEQ           every callback try: seq, event_id, event,
                                                 app, copy, attempt, url, status, ok, error,
                                                 at, fields
  GET    /sandbox/emitter                        {duplicates, delay_ms, in_flight}
  POST   /sandbox/emitter                        {duplicates?, delay_ms?}: defaults for later
                                                 callbacks
  POST   /sandbox/emit                           {app?, events: [{XML field: value}],
                                                 shuffle?, duplicates?, delay_ms?}
                                                 → {event_ids}
  POST   /sandbox/callback_url                   {app?, url|null} → {app, url}
  POST   /sandbox/clock                          {advance_seconds} → {now} (ManualClock only)
* POST   /sandbox/customers/{external_userid}/add     {staff, state?} → {external_userid,
                                                 staff, state, welcome_code, customer,
                                                 event_id}
* POST   /sandbox/customers/{external_userid}/delete  {staff} → {external_userid, staff,
                                                 event_id}
* POST   /sandbox/staff/{userid}/message         {text, app?} → {msg_id, staff, event_id}
  POST   /sandbox/staff/{userid}/card_click      {task_id, event_key} → {response_code,
                                                 task_id, event_id}
  POST   /sandbox/staff/{userid}/resign          → {staff, customers}
  POST   /sandbox/staff                          {userid, name?} → {userid, name}
  POST   /sandbox/kf_accounts                    {open_kfid?, name} → {open_kfid, name}
  POST   /sandbox/groups                         {chat_id?, name, owner} → {chat_id, name,
                                                 owner, event_id} (change_external_chat
                                                 create)
* POST   /sandbox/kf/{open_kfid}/customers/{external_userid}/message  {text}
                                                 → {msgid, token, event_id}
  POST   /sandbox/kf/{open_kfid}/customers/{external_userid}/enter    {scene?}
                                                 → {msgid, token, welcome_code, event_id}
  POST   /sandbox/kf/{open_kfid}/servicers, .../customers/{external_userid}/tap|take|
         servicer_message|end, GET .../session: KF sessions (bot/sandbox/kf_routes.py)
  POST   /sandbox/groups/{chat_id}/join          {members, scene: 0|1|3} → {chat_id,
                                                 members, member_count, event_id}
  POST   /sandbox/groups/{chat_id}/quit          {members, scene: 0|1} → (same)
  POST   /sandbox/contact_ways/{config_id}/scan  {customer} → as customers/add + config_id
  POST   /sandbox/groupmsg/{msgid}/confirm       {staff} → {msgid, staff, sent,
                                                 not_friends, capped}

  GET    /sandbox/media/{name}                   a permanent image from media/uploadimg (the
                                                 ``url`` it answered points here)
WeCom's client side (client_routes.py): GET /connect/oauth2/authorize (one-time codes for
the staff member the tester signed in), the stand-in JS-SDK at GET /sandbox/jssdk.js and its
/sandbox/jssdk/{chat,sent,verifications,verify,invoke} routes.

Every route that emits a callback also takes ``duplicates`` and ``delay_ms``. Emission is
in the background: the answer comes before the delivery; poll /sandbox/deliveries.
"""
