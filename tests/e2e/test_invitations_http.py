"""Invitations over HTTP: A invites B, B invites C; C's purchase is attributed to B (level 1) and A
(level 2), snapshotted on the order and shown to operators."""

from __future__ import annotations

import uuid

import requests
from shop import ApiClient, pay, place_order, quote, wait_for_order


def _sign_up(platform, name: str, invite_code: str | None = None) -> tuple[ApiClient, dict]:
    email = f"inv-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "Secret2026x", "name": name}
    if invite_code:
        body["invite_code"] = invite_code
    response = requests.post(platform.api_url + "/members/signup", json=body, timeout=30)
    assert response.status_code == 201, response.text
    answer = response.json()
    client = ApiClient(platform.api_url, answer["tokens"]["id_token"])
    client.member_id = answer["member"]["member_id"]
    return client, answer


def _code(client: ApiClient) -> str:
    response = client.get("/members/me/invitation")
    assert response.status_code == 200, response.text
    return response.json()["invite_code"]


def test_given_a_invites_b_and_b_invites_c_when_c_buys_then_b_and_a_are_attributed(platform, operator):
    a, _ = _sign_up(platform, "Anna")
    b, answer = _sign_up(platform, "Ben", _code(a))
    assert answer["invitation"]["bound"] is True
    c, answer = _sign_up(platform, "Cai", _code(b))
    assert answer["invitation"]["bound"] is True

    # A later link never rebinds C.
    later = c.post("/members/me/inviter", json={"invite_code": _code(a)})
    assert later.status_code == 409, later.text
    assert c.get("/members/me/invitation").json()["inviter"] == {"display_name": "B**"}
    invitees = b.get("/members/me/invitees").json()["invitees"]
    assert [(i["display_name"], i["level"]) for i in invitees] == [("C**", 1)]

    order = place_order(c, quote(c))  # no ref: C is bound to B
    pay(c, order)
    issued = wait_for_order(c, order["order_id"], {"issued"})
    assert issued["policy_no"]

    view = operator.get(f"/admin/members/{c.member_id}")
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["inviter"]["member_id"] == b.member_id
    orders = operator.get(f"/admin/members/{c.member_id}/orders").json()["orders"]
    sold = next(o for o in orders if o["order_id"] == order["order_id"])
    assert sold["attribution"] == {"level1": b.member_id, "level2": a.member_id, "source": "bound"}
    assert sold["status"] == "issued"

    found = operator.get("/admin/members", params={"q": _code(b)}).json()["members"]
    assert [m["member_id"] for m in found] == [b.member_id]
    assert found[0]["invitees_count"] == 1 and found[0]["inviter_id"] == a.member_id


def test_given_a_visitor_through_a_shared_link_when_they_buy_then_the_link_owner_is_attributed(
    platform, operator
):
    sharer, _ = _sign_up(platform, "Sha")
    visitor, _ = _sign_up(platform, "Vic")
    order = place_order(visitor, quote(visitor), ref=_code(sharer))
    orders = operator.get(f"/admin/members/{visitor.member_id}/orders").json()["orders"]
    sold = next(o for o in orders if o["order_id"] == order["order_id"])
    assert sold["attribution"] == {"level1": sharer.member_id, "level2": None, "source": "link"}


def test_given_a_customer_when_calling_the_operator_member_routes_then_403(platform, customer):
    assert customer.get("/admin/members", params={"q": "someone@example.com"}).status_code == 403
    assert (
        customer.post(
            "/admin/members/x/licence", json={"licence_no": "LIC-1234", "verified": True}
        ).status_code
        == 403
    )
