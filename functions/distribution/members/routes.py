"""Members' routes: sign-up and sign-in, the profile, family members, addresses and notifications."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from distribution import wiring
from distribution.members import views
from insuremall import auth, errors, web

bp = Blueprint(__name__)

ITEM_ID = re.compile(r"^[0-9a-f]{1,64}$")


def _item_id(raw: str, what: str) -> str:
    # Ids are ours (hex); anything else cannot exist, and answering 404 says no more than that.
    if not ITEM_ID.match(raw or ""):
        raise errors.NotFound(f"No such {what}")
    return raw


@bp.route("/members/signup", methods=["POST"])
def sign_up():
    signed = wiring.accounts().sign_up(web.json_object(bp.current_request))
    return Response(body=views.signed_up_view(signed), status_code=201)


@bp.route("/members/signin", methods=["POST"])
def sign_in():
    return {"tokens": wiring.accounts().sign_in(web.json_object(bp.current_request))}


@bp.route("/members/me", methods=["GET"])
def me():
    caller = auth.customer(bp.current_request)
    return views.me_view(wiring.profiles().own(caller), caller.is_operator)


@bp.route("/members/me", methods=["PUT"])
def update_me():
    caller = auth.customer(bp.current_request)
    profile = wiring.profiles().update(caller, web.json_object(bp.current_request))
    return views.me_view(profile, caller.is_operator)


@bp.route("/members/me/family", methods=["GET"])
def list_family():
    caller = auth.customer(bp.current_request)
    return {"family": [views.family_view(f) for f in wiring.family().list(caller.subject)]}


@bp.route("/members/me/family", methods=["POST"])
def add_family_member():
    caller = auth.customer(bp.current_request)
    saved = wiring.family().add(caller, web.json_object(bp.current_request))
    return Response(body=views.family_view(saved), status_code=201)


@bp.route("/members/me/family/{family_member_id}", methods=["GET"])
def get_family_member(family_member_id: str):
    caller = auth.customer(bp.current_request)
    person = wiring.family().get(caller.subject, _item_id(family_member_id, "family member"))
    return views.family_view(person, full_id=True)


@bp.route("/members/me/family/{family_member_id}", methods=["DELETE"])
def remove_family_member(family_member_id: str):
    caller = auth.customer(bp.current_request)
    wiring.family().remove(caller.subject, _item_id(family_member_id, "family member"))
    return {"deleted": True}


@bp.route("/members/me/addresses", methods=["GET"])
def list_addresses():
    caller = auth.customer(bp.current_request)
    return {"addresses": [views.address_view(a) for a in wiring.addresses().list(caller.subject)]}


@bp.route("/members/me/addresses", methods=["POST"])
def add_address():
    caller = auth.customer(bp.current_request)
    saved = wiring.addresses().add(caller, web.json_object(bp.current_request))
    return Response(body=views.address_view(saved), status_code=201)


@bp.route("/members/me/addresses/{address_id}", methods=["DELETE"])
def remove_address(address_id: str):
    caller = auth.customer(bp.current_request)
    wiring.addresses().remove(caller.subject, _item_id(address_id, "address"))
    return {"deleted": True}


@bp.route("/members/me/notifications", methods=["GET"])
def list_notifications():
    caller = auth.customer(bp.current_request)
    return {"notifications": wiring.notifications().list(caller.subject)}
