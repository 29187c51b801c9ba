"""Customers and their relations: externalcontact/get, batch/get_by_user, list, transfers."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.api import lookups
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.errcodes import INVALID_EXTERNAL_USERID, NO_RELATION, OK, ApiError, invalid
from bot.sandbox.records import Json, Transfer

FOLLOWERS_PER_PAGE = 500  # externalcontact/get pages follow_user beyond 500 (doc 92114)
TRANSFER_DELAY = timedelta(hours=24)  # the takeover happens 24 h later (doc 92125)


def get_contact(call: Call) -> Json:
    """GET externalcontact/get: the customer and every staff member who has them."""
    external_userid = call.params.text("external_userid")
    customer = lookups.customer(call.corp, external_userid)
    followers = call.corp.followers_of(external_userid)
    if not followers:  # every relation is gone: nobody in the corp may see the customer
        raise ApiError(NO_RELATION, f"not external contact: {external_userid}")
    chunk, next_cursor = lookups.page(followers, call.params.opt_text("cursor"), FOLLOWERS_PER_PAGE)
    answer: Json = {
        "external_contact": customer.as_json(),
        "follow_user": [lookups.follow_user_json(call.corp, f) for f in chunk],
    }
    if next_cursor:
        answer["next_cursor"] = next_cursor
    return answer


def batch_get_by_user(call: Call) -> Json:
    """POST externalcontact/batch/get_by_user: the customers of up to 100 staff members."""
    userids = call.params.strings("userid_list", required=True, max_items=100)
    limit = call.params.opt_int("limit", 50, low=1, high=100)
    for userid in userids:
        lookups.staff_member(call.corp, userid)
    follows = [f for userid in userids for f in call.corp.customers_of(userid)]
    chunk, next_cursor = lookups.page(follows, call.params.opt_text("cursor"), limit)
    return {
        "external_contact_list": [
            {
                "external_contact": lookups.customer(call.corp, f.external_userid).as_json(),
                "follow_info": lookups.follow_info_json(f),
            }
            for f in chunk
        ],
        "next_cursor": next_cursor,
    }


def list_contacts(call: Call) -> Json:
    """GET externalcontact/list: the external_userids of one staff member."""
    userid = call.params.text("userid")
    lookups.staff_member(call.corp, userid)
    return {"external_userid": [f.external_userid for f in call.corp.customers_of(userid)]}


def follow_user_list(call: Call) -> Json:
    """GET externalcontact/get_follow_user_list: staff with customer-contact permission."""
    return {"follow_user": [s.userid for s in call.corp.staff.values() if not s.resigned]}


def _transfer(call: Call, *, resigned: bool) -> Json:
    params = call.params
    handover = lookups.staff_member(call.corp, params.text("handover_userid"))
    takeover = lookups.staff_member(call.corp, params.text("takeover_userid"))
    customers = params.strings("external_userid", required=True, max_items=100)
    params.opt_text("transfer_success_msg", max_chars=200)
    if handover.resigned != resigned:
        raise invalid("handover_userid " + ("has not left" if resigned else "has left"))
    if takeover.resigned:
        raise invalid("takeover_userid has left")
    results: list[Json] = []
    for external_userid in customers:
        if external_userid not in call.corp.customers:
            errcode = INVALID_EXTERNAL_USERID
        elif call.corp.relation(handover.userid, external_userid) is None:
            errcode = NO_RELATION
        else:
            errcode = OK
            call.corp.transfers.append(
                Transfer(
                    handover.userid, takeover.userid, external_userid, call.now + TRANSFER_DELAY
                )
            )
        results.append({"external_userid": external_userid, "errcode": errcode})
    return {"customer": results}


def transfer_customer(call: Call) -> Json:
    """POST externalcontact/transfer_customer (on-the-job): takes effect after 24 h."""
    return _transfer(call, resigned=False)


def resigned_transfer_customer(call: Call) -> Json:
    """POST externalcontact/resigned/transfer_customer: the handover must have left."""
    return _transfer(call, resigned=True)


ENDPOINTS = (
    Endpoint("externalcontact/get", "GET", get_contact),
    Endpoint("externalcontact/batch/get_by_user", "POST", batch_get_by_user),
    Endpoint("externalcontact/list", "GET", list_contacts),
    Endpoint("externalcontact/get_follow_user_list", "GET", follow_user_list),
    Endpoint("externalcontact/transfer_customer", "POST", transfer_customer),
    Endpoint("externalcontact/resigned/transfer_customer", "POST", resigned_transfer_customer),
)
