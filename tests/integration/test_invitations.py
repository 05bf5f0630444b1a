"""Invitations, the referral tree and sale attribution through the real handlers in-process over the
embedded AWS: sign-up with a code, binding once, the MemberInvited event, attribution snapshotted on
orders, and the operators' member lookup."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from test_catalog_admin import Api

from insuremall.clock import china_today
from insuremall.identity import make_prc_id

PASSWORD = "Secret2026x"  # noqa: S105 - a test user's password
_people = iter(range(301, 999, 2))


def _sign_up(aws, invite_code=None, name="Li Hua") -> tuple[Api, dict]:
    """A new member through POST /members/signup (with an invitation code when given)."""
    email = f"i-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": name}
    if invite_code is not None:
        body["invite_code"] = invite_code
    status, answer = Api(aws).post("/members/signup", body)
    assert status == 201, answer
    api = Api(aws, answer["tokens"]["id_token"])
    api.member_id, api.email = answer["member"]["member_id"], email
    return api, answer


def _code(member: Api) -> str:
    status, invitation = member.get("/members/me/invitation")
    assert status == 200, invitation
    return invitation["invite_code"]


@pytest.fixture(scope="module")
def operator(aws) -> Api:
    from local import demo

    email = f"op-{uuid.uuid4().hex[:8]}@example.com"
    demo.create_user(aws, email, PASSWORD, "Ops", groups=("operators",))
    tokens = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.refs["StorefrontUserPoolClient"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return Api(aws, tokens["IdToken"])


@pytest.fixture
def chain(aws):
    """A invited B, B invited C (each signed up with the other's code)."""
    a, _ = _sign_up(aws, name="Alice")
    b, b_answer = _sign_up(aws, _code(a), name="Bob")
    c, c_answer = _sign_up(aws, _code(b), name="Carol")
    assert b_answer["invitation"]["bound"] and c_answer["invitation"]["bound"]
    return a, b, c


def _events(member_id: str) -> list:
    from insuremall.models.events import DomainEventRecord

    return list(DomainEventRecord.query(f"MEMBER#{member_id}", consistent_read=True))


def _order_body(customer: Api, **extra) -> dict:
    status, quote = customer.post(
        "/quotes",
        {
            "product_id": "accident-guardian",
            "plan": "standard",
            "age": 36,
            "gender": "M",
            "term": "1Y",
            "occupation_class": 1,
        },
    )
    assert status == 201, quote
    start = date.fromisoformat(quote["inputs"]["start_date"])
    birth = (start - timedelta(days=40)).replace(year=start.year - 36)
    person = {
        "name": "Wang Fang",
        "id_type": "prc_id",
        "id_number": make_prc_id("110105", birth, f"{next(_people):03d}"),
    }
    body = {
        "quote_id": quote["quote_id"],
        "channel": "h5",
        "policyholder": {**person, "phone": "13912345678"},
        "insured": [{**person, "relation": "self"}],
        "health_answers": {"hq_disability": False},
        "accept_terms": True,
        **extra,
    }
    return body


def _order(customer: Api, **extra) -> dict:
    body = _order_body(customer, **extra)
    status, order = customer.post("/orders", body, headers={"idempotency-key": uuid.uuid4().hex})
    assert status == 201, order
    from checkout import store

    return store.get_order(order["order_id"])


# ---------- binding ----------


def test_given_a_code_at_sign_up_then_the_member_is_bound_once_and_the_inviter_sees_them_masked(aws, chain):
    a, b, c = chain
    status, mine = b.get("/members/me/invitation")
    assert status == 200
    assert mine["inviter"] == {"display_name": "A**"}
    assert mine["invitees_count"] == 1 and mine["share_url"] == f"/?ref={mine['invite_code']}"
    status, page = a.get("/members/me/invitees")
    assert status == 200
    assert page["next"] is None
    assert [(i["display_name"], i["level"]) for i in page["invitees"]] == [("B**", 1)]
    assert page["invitees"][0]["email"].startswith("i***@")

    from distribution.referrals.repository import referral_tree as store

    state = store.invitation_state(c.member_id)
    assert (state["inviter_id"], state["inviter2_id"]) == (b.member_id, a.member_id)


def test_given_a_bound_member_when_a_later_code_is_used_then_409_and_the_inviter_is_unchanged(aws, chain):
    a, b, c = chain
    other, _ = _sign_up(aws)
    status, answer = c.post("/members/me/inviter", {"invite_code": _code(other)})
    assert status == 409, answer
    assert answer["error"]["fields"] == {"invite_code": "already bound"}
    assert c.get("/members/me/invitation")[1]["inviter"] == {"display_name": "B**"}
    assert other.get("/members/me/invitation")[1]["invitees_count"] == 0


def test_given_a_binding_then_one_member_invited_event_names_both_members(aws, chain):
    a, b, _ = chain
    events = _events(b.member_id)
    assert [e.event_type for e in events] == ["MemberInvited"]
    assert events[0].payload["invitee_id"] == b.member_id
    assert events[0].payload["inviter_id"] == a.member_id
    assert events[0].gsi1pk.startswith("MemberInvited#")


def test_given_a_bad_code_at_sign_up_then_the_sign_up_succeeds_and_says_why_it_did_not_bind(aws):
    _, answer = _sign_up(aws, "K7M2Q9XA")
    assert answer["invitation"]["bound"] is False
    assert answer["invitation"]["reason"] in {"unknown_code"}
    _, answer = _sign_up(aws, "not a code!")
    assert answer["invitation"]["reason"] == "invalid_code"


def test_given_own_code_then_422_and_nothing_is_bound(aws):
    member, _ = _sign_up(aws)
    status, answer = member.post("/members/me/inviter", {"invite_code": _code(member).lower()})
    assert status == 422, answer
    assert "own invitation code" in answer["error"]["fields"]["invite_code"]
    assert member.get("/members/me/invitation")[1]["inviter"] is None
    assert _events(member.member_id) == []


def test_given_a_to_b_to_c_when_a_uses_cs_code_then_the_cycle_is_refused(aws, chain):
    a, _, c = chain
    status, answer = a.post("/members/me/inviter", {"invite_code": _code(c)})
    assert status == 422, answer
    assert "invited by you" in answer["error"]["fields"]["invite_code"]
    assert a.get("/members/me/invitation")[1]["inviter"] is None


def test_given_no_code_in_the_body_then_422_and_without_a_token_401(aws):
    member, _ = _sign_up(aws)
    assert member.post("/members/me/inviter", {})[0] == 422
    assert Api(aws).get("/members/me/invitation")[0] == 401
    assert member.get("/members/me/invitees", "limit=0")[0] == 422


def test_given_a_code_when_checked_publicly_then_valid_with_the_masked_owner(aws, chain):
    a, _, _ = chain
    assert Api(aws).get(f"/invitations/{_code(a)}") == (200, {"valid": True, "inviter_display_name": "A**"})
    assert Api(aws).get("/invitations/ZZZZZZZZ") == (200, {"valid": False, "inviter_display_name": None})


def test_given_two_first_uses_then_the_member_keeps_one_code(aws):
    member, _ = _sign_up(aws)
    assert _code(member) == _code(member)


# ---------- attribution ----------


def test_given_a_bound_buyer_then_the_order_is_attributed_to_the_inviter_and_theirs(aws, chain):
    a, b, c = chain
    other, _ = _sign_up(aws)
    order = _order(c, ref=_code(other))  # a link never overrides the binding
    assert order["application"]["attribution"] == {
        "level1": b.member_id,
        "level2": a.member_id,
        "source": "bound",
    }


def test_given_a_link_visitor_then_the_link_owner_and_their_inviter(aws, chain):
    a, b, _ = chain
    visitor, _ = _sign_up(aws)
    order = _order(visitor, ref=_code(b))
    assert order["application"]["attribution"] == {
        "level1": b.member_id,
        "level2": a.member_id,
        "source": "link",
    }


def test_given_a_buyer_on_their_own_link_or_none_then_nothing_is_attributed(aws):
    buyer, _ = _sign_up(aws)
    none = {"level1": None, "level2": None, "source": "none"}
    assert _order(buyer, ref=_code(buyer))["application"]["attribution"] == none
    assert _order(buyer)["application"]["attribution"] == none
    assert _order(buyer, ref="ZZZZZZZZ")["application"]["attribution"] == none


def test_given_a_ref_that_is_not_text_then_422_names_it(aws):
    buyer, _ = _sign_up(aws)
    status, answer = buyer.post(
        "/orders", _order_body(buyer, ref=42), headers={"idempotency-key": uuid.uuid4().hex}
    )
    assert status == 422, answer
    assert set(answer["error"]["fields"]) == {"ref"}


def test_given_an_attributed_order_when_the_tree_changes_later_then_the_snapshot_stays(aws, chain):
    a, b, _ = chain
    visitor, _ = _sign_up(aws)
    order = _order(visitor, ref=_code(b))
    root, _ = _sign_up(aws)
    assert a.post("/members/me/inviter", {"invite_code": _code(root)})[0] == 200  # A gains an inviter
    assert visitor.post("/members/me/inviter", {"invite_code": _code(root)})[0] == 200

    from checkout import store

    again = store.get_order(order["order_id"])
    assert again["application"]["attribution"] == {
        "level1": b.member_id,
        "level2": a.member_id,
        "source": "link",
    }
    assert _order(visitor)["application"]["attribution"]["level1"] == root.member_id


def test_given_an_attributed_application_then_policy_issued_carries_attribution_and_category(new_application):
    from datetime import UTC, datetime

    from policy.domain.issuance import issue_policy_record

    application = new_application()
    application["attribution"] = {"level1": "m-b", "level2": "m-a", "source": "bound"}
    _, event = issue_policy_record(application, {}, datetime.now(UTC), china_today(), 1)
    assert event["attribution"] == application["attribution"]
    assert event["category_id"] == application["product"]["category_id"]
    del application["attribution"]
    _, event = issue_policy_record(application, {}, datetime.now(UTC), china_today(), 2)
    assert event["attribution"]["source"] == "none"


# ---------- operators ----------


def test_given_a_customer_when_calling_operator_member_routes_then_403(aws, chain):
    _, b, _ = chain
    assert b.get("/admin/members", "q=x@example.com")[0] == 403
    assert b.get(f"/admin/members/{b.member_id}")[0] == 403
    assert b.get(f"/admin/members/{b.member_id}/orders")[0] == 403
    assert (
        b.post(f"/admin/members/{b.member_id}/licence", {"licence_no": "LIC-123456", "verified": True})[0]
        == 403
    )


def test_given_an_operator_then_members_are_found_by_email_code_or_id_masked(aws, chain, operator):
    a, b, _ = chain
    for q in (b.email.upper(), _code(b).lower(), b.member_id):
        status, found = operator.get("/admin/members", f"q={q}")
        assert status == 200, found
        assert [m["member_id"] for m in found["members"]] == [b.member_id], q
    member = found["members"][0]
    assert member["email"].startswith("i***@") and member["inviter_id"] == a.member_id
    assert operator.get("/admin/members", "q=nobody@example.com") == (200, {"members": []})
    assert operator.get("/admin/members")[0] == 422


def test_given_an_operator_when_viewing_a_member_then_inviter_invitees_orders_and_balance(
    aws, chain, operator
):
    a, b, c = chain
    order = _order(c)
    status, view = operator.get(f"/admin/members/{b.member_id}")
    assert status == 200, view
    assert view["inviter"]["member_id"] == a.member_id
    assert view["invitees_count"] == 1 and view["invitees"][0]["member_id"] == c.member_id
    assert view["balance"]["pending_cents"] == 0 and view["points"] == 0
    status, buyer = operator.get(f"/admin/members/{c.member_id}/orders")
    assert [o["order_id"] for o in buyer["orders"]] == [order["order_id"]]
    assert buyer["orders"][0]["attribution"]["level1"] == b.member_id
    assert "application" not in buyer["orders"][0]
    assert operator.get("/admin/members/nobody-here")[0] == 404


def test_given_an_operator_when_a_licence_is_verified_then_it_is_masked_and_audited(aws, chain, operator):
    _, b, _ = chain
    status, answer = operator.post(
        f"/admin/members/{b.member_id}/licence", {"licence_no": "lic-2026-000123", "verified": True}
    )
    assert status == 200, answer
    assert answer["agent_licence"]["licence_no"] == "LIC********0123"
    assert answer["agent_licence"]["verified"] is True

    from distribution.referrals.repository import referral_tree as store

    assert store.agent_licence(b.member_id)["licence_no"] == "LIC-2026-000123"
    view = operator.get(f"/admin/members/{b.member_id}")[1]
    assert view["member"]["agent_licence"]["licence_no"] == "LIC********0123"
    status, entries = operator.get("/admin/audit", f"entity=member:{b.member_id}")
    assert status == 200, entries
    assert [e["action"] for e in entries["entries"]] == ["member.licence_set"]
    assert "000123" not in json.dumps(entries)
    status, answer = operator.post(
        f"/admin/members/{b.member_id}/licence", {"licence_no": "x", "verified": "yes"}
    )
    assert status == 422 and set(answer["error"]["fields"]) == {"licence_no", "verified"}


def test_given_two_members_binding_to_each_other_at_once_then_at_most_one_binding_holds(aws):
    import threading

    for _ in range(3):
        x, _ = _sign_up(aws)
        y, _ = _sign_up(aws)
        codes = {x: _code(y), y: _code(x)}
        results, start = {}, threading.Barrier(2)

        def bind(member, code, results, start):
            start.wait()
            results[member] = member.post("/members/me/inviter", {"invite_code": code})[0]

        threads = [threading.Thread(target=bind, args=(m, codes[m], results, start)) for m in (x, y)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results.values()) == [200, 422], results  # the second one sees the cycle

        from distribution.referrals.repository import referral_tree as store

        bound = [m for m in (x, y) if store.inviter_of(m.member_id)]
        assert len(bound) == 1
