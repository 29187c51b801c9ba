"""WeCom's client side in the sandbox: the OAuth2 authorize page and the stand-in JS-SDK.

  GET  /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state&agentid
       → 302 to redirect_uri?code=C&state=S for the signed-in staff member (doc 91022)
  POST /sandbox/jssdk/chat       {userid, entry?, external_userid?, chat_id?}: the tester signs
                                 a staff member in and opens the sidebar in that chat
  GET  /sandbox/jssdk/chat       the open chat
  GET  /sandbox/jssdk/sent       every sendChatMessage the page made, oldest first
  GET  /sandbox/jssdk/verifications   every config/agentConfig check and its outcome
  GET  /sandbox/jssdk.js         the stand-in JS-SDK (``ww`` and ``wx``)
  POST /sandbox/jssdk/verify     {kind: config|agentConfig, corpId, agentId?, timestamp,
                                 nonceStr, signature, url} → {ok, errMsg}
  POST /sandbox/jssdk/invoke     {api, url, args} → the JS-SDK's answer

The stand-in's calls come from the page's origin: they carry CORS headers and are sent as
text/plain so no preflight is needed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.sandbox.client_side import CORP, OpenChat, js_signature
from bot.sandbox.httpjson import ControlError, field_text, read_json, reply
from bot.sandbox.jssdk_script import SCRIPT
from bot.sandbox.records import Json, JsonMap
from bot.sandbox.world import WORLD, World

routes = web.RouteTableDef()
ENTRIES = frozenset(
    {
        "single_chat_tools",
        "group_chat_tools",
        "contact_profile",
        "single_kf_tools",
        "chat_attachment",
        "normal",
    }
)
_CORS = {"Access-Control-Allow-Origin": "*"}
_NEEDS_CONTACT = frozenset({"single_chat_tools", "contact_profile"})


def _world(request: web.Request) -> World:
    return request.app[WORLD]


@routes.get("/connect/oauth2/authorize")
async def authorize(request: web.Request) -> web.StreamResponse:
    """WeCom's authorize page: back to ``redirect_uri`` with a code for whoever is signed in."""
    world, query = _world(request), request.query
    if query.get("appid") != world.corp.corp_id:
        raise ControlError(400, "appid is not this corp's CorpID")
    if query.get("response_type") != "code" or query.get("scope") not in {
        "snsapi_base",
        "snsapi_privateinfo",
    }:
        raise ControlError(400, "response_type must be code and scope snsapi_base")
    redirect = query.get("redirect_uri", "")
    if urlsplit(redirect).scheme not in {"http", "https"}:
        raise ControlError(400, "redirect_uri must be an absolute http(s) URL")
    # (unverified) WeCom answers 50001 when the redirect domain is not the app's trusted
    # domain; the sandbox trusts every domain.
    userid = world.client_side.signed_in
    if userid is None:
        raise ControlError(403, "nobody is signed in: POST /sandbox/jssdk/chat first")
    code = world.client_side.new_code(userid, world.now())
    params = {"code": code, "state": query.get("state", "")}
    glue = "&" if "?" in redirect else "?"
    raise web.HTTPFound(redirect.split("#", 1)[0] + glue + urlencode(params))


@routes.post("/sandbox/jssdk/chat")
async def open_chat(request: web.Request) -> web.Response:
    """Sign a staff member in and open the sidebar in a chat (or nowhere: entry normal)."""
    world, body = _world(request), await read_json(request)
    userid = field_text(body, "userid")
    if userid not in world.corp.staff:
        raise ControlError(404, f"no staff member {userid}")
    external = field_text(body, "external_userid", "")
    chat_id = field_text(body, "chat_id", "")
    default = "group_chat_tools" if chat_id else "single_chat_tools" if external else "normal"
    entry = field_text(body, "entry", default)
    if entry not in ENTRIES:
        raise ControlError(400, f"entry must be one of {', '.join(sorted(ENTRIES))}")
    if entry in _NEEDS_CONTACT and world.corp.relation(userid, external) is None:
        raise ControlError(409, f"{userid} has no customer {external!r}")
    if entry == "group_chat_tools" and chat_id not in world.corp.groups:
        raise ControlError(404, f"no customer group {chat_id!r}")
    chat = OpenChat(userid, entry, external, chat_id)
    world.client_side.signed_in = userid
    world.client_side.chat = chat
    return reply(_chat_json(chat))


@routes.get("/sandbox/jssdk/chat")
async def show_chat(request: web.Request) -> web.Response:
    """The open chat, or null."""
    chat = _world(request).client_side.chat
    return reply(None if chat is None else _chat_json(chat))


@routes.get("/sandbox/jssdk/sent")
async def sent(request: web.Request) -> web.Response:
    """What the page put into chats with sendChatMessage."""
    return reply(_world(request).client_side.sent)


@routes.get("/sandbox/jssdk/verifications")
async def verifications(request: web.Request) -> web.Response:
    """Every signature check and its outcome."""
    return reply(_world(request).client_side.verifications)


@routes.get("/sandbox/jssdk.js")
async def script(request: web.Request) -> web.Response:
    """The stand-in JS-SDK, pointed back at this sandbox."""
    base = f"{request.scheme}://{request.host}"
    text = SCRIPT.replace("__SANDBOX__", json.dumps(base))
    return web.Response(text=text, content_type="application/javascript", headers=_CORS)


@routes.post("/sandbox/jssdk/verify")
async def verify(request: web.Request) -> web.Response:
    """Check a page's config or agentConfig signature exactly as doc 96909 says."""
    world, body = _world(request), await read_json(request)
    outcome = check_signature(world, body)
    world.client_side.verifications.append({**_shown(body), **outcome})
    return web.json_response(outcome, headers=_CORS)


@routes.post("/sandbox/jssdk/invoke")
async def invoke(request: web.Request) -> web.Response:
    """Answer one JS-SDK call (getContext, getCurExternalContact, ...) for the open chat."""
    world, body = _world(request), await read_json(request)
    return web.json_response(answer(world, body), headers=_CORS)


def check_signature(world: World, body: JsonMap) -> Json:
    """{ok, errMsg} of a config (corp ticket) or agentConfig (app ticket) request."""
    kind = body.get("kind")
    if body.get("corpId") != world.corp.corp_id:
        return {"ok": False, "errMsg": f"{kind}:fail invalid corpid"}
    scope = CORP
    if kind == "agentConfig":
        found = world.app_by_agent(_int(body.get("agentId")))
        if found is None:
            return {"ok": False, "errMsg": "agentConfig:fail invalid agentid"}
        scope = found[0]
    elif kind != "config":
        return {"ok": False, "errMsg": "kind must be config or agentConfig"}
    ticket = world.client_side.valid_ticket(scope, world.now())
    if ticket is None:
        return {"ok": False, "errMsg": f"{kind}:fail no valid ticket was issued"}
    url = str(body.get("url", "")).split("#", 1)[0]
    expected = js_signature(
        ticket, str(body.get("nonceStr", "")), str(body.get("timestamp", "")), url
    )
    if not secrets.compare_digest(expected, str(body.get("signature", ""))):
        return {"ok": False, "errMsg": f"{kind}:fail invalid signature"}
    world.client_side.verified.add((kind, url))
    return {"ok": True, "errMsg": f"{kind}:ok"}


def answer(world: World, body: JsonMap) -> Json:
    """The JS-SDK's answer to ``api`` from the page at ``url`` (doc 98419, 96995, 93863)."""
    api, url = str(body.get("api", "")), str(body.get("url", "")).split("#", 1)[0]
    side, chat = world.client_side, world.client_side.chat
    if ("config", url) not in side.verified:
        return {"err_msg": f"{api}:fail config not verified"}
    if api == "getContext":
        return {
            "err_msg": "getContext:ok",
            "entry": chat.entry if chat else "normal",
            "shareTicket": "",
        }
    if ("agentConfig", url) not in side.verified:
        return {"err_msg": f"{api}:fail no permission"}
    handler = _CHAT_APIS.get(api)
    if handler is None:
        return {"err_msg": f"{api}:fail not supported by the sandbox"}
    return handler(world, chat, body)


def _contact(world: World, chat: OpenChat | None, body: JsonMap) -> Json:
    if chat is None or chat.entry not in _NEEDS_CONTACT:
        return {"err_msg": "getCurExternalContact:fail without context of external contact"}
    return {"err_msg": "getCurExternalContact:ok", "userId": chat.external_userid}


def _group(world: World, chat: OpenChat | None, body: JsonMap) -> Json:
    if chat is None or chat.entry != "group_chat_tools":
        return {"err_msg": "getCurExternalChat:fail without context of external chat"}
    return {"err_msg": "getCurExternalChat:ok", "chatId": chat.chat_id}


def _send(world: World, chat: OpenChat | None, body: JsonMap) -> Json:
    """Record the message the page put into the chat (the staff member would send it)."""
    if chat is None or chat.entry == "normal":
        return {"err_msg": "sendChatMessage:fail without context of external contact"}
    args = body.get("args")
    message = args if isinstance(args, dict) else {}
    at = world.now().isoformat()
    world.client_side.sent.append({"chat": _chat_json(chat), "message": message, "at": at})
    return {"err_msg": "sendChatMessage:ok"}


_CHAT_APIS: dict[str, Callable[[World, OpenChat | None, JsonMap], Json]] = {
    "getCurExternalContact": _contact,
    "getCurExternalChat": _group,
    "sendChatMessage": _send,
}


def _chat_json(chat: OpenChat) -> Json:
    return {
        "userid": chat.userid,
        "entry": chat.entry,
        "external_userid": chat.external_userid,
        "chat_id": chat.chat_id,
    }


def _shown(body: JsonMap) -> Json:
    wanted = ("kind", "corpId", "agentId", "timestamp", "nonceStr", "signature", "url")
    return {name: body.get(name) for name in wanted}


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1
