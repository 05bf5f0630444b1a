"""Member center routes through the real DistributionFunction handler, in-process over the embedded
AWS: profile, family members and addresses, with Cognito tokens as the storefront sends them."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import date

import pytest

from insuremall.identity import make_prc_id

PASSWORD = "Secret2026x"  # noqa: S105 - a test user's password
ADDRESS = {
    "recipient": "Li Hua",
    "phone": "13800138000",
    "province": "Beijing",
    "city": "Beijing",
    "district": "Chaoyang",
    "line": "1 Jianguomen Outer Street",
    "postcode": "100020",
}
_people = iter(range(101, 999, 2))


def _person_id(birth: date = date(1990, 10, 17)) -> str:
    return make_prc_id("110105", birth, f"{next(_people):03d}")


class Member:
    """A signed-in customer calling the distribution routes the way API Gateway delivers them."""

    def __init__(self, aws, token: str | None):
        from local.template import Template

        self.aws, self.token = aws, token
        self.routes = {
            (r.method, r.path): r for r in Template().routes() if r.function == "DistributionFunction"
        }

    def call(self, method: str, path: str, body=None, token: str | None = "") -> tuple[int, dict]:
        from local.gateway import build_event

        route, params = self._route(method, path)
        headers = {"content-type": "application/json"}
        token = self.token if token == "" else token
        if token:
            headers["authorization"] = f"Bearer {token}"
        raw = json.dumps(body).encode() if body is not None else b""
        event = build_event(route, method, path, "", headers, raw, params, "localhost")
        result, error = self.aws.runtime.invoke("DistributionFunction", event)
        assert error is None, result
        return result["statusCode"], json.loads(result["body"])

    def _route(self, method: str, path: str):
        parts = path.strip("/").split("/")
        for (m, template_path), route in self.routes.items():
            names = template_path.strip("/").split("/")
            if m != method or len(names) != len(parts):
                continue
            params = {}
            for name, part in zip(names, parts, strict=True):
                if name.startswith("{"):
                    params[name.strip("{}")] = part
                elif name != part:
                    break
            else:
                return route, params
        raise AssertionError(f"no route for {method} {path}")


def _sign_in(aws, make_profile: bool = True) -> Member:
    from local import demo

    email = f"m-{uuid.uuid4().hex[:10]}@example.com"
    if make_profile:
        demo.create_user(aws, email, PASSWORD, "Li Hua")
    else:  # a user made outside sign-up: no profile yet
        idp, pool = aws.client("cognito-idp"), aws.refs["CustomerUserPool"]
        idp.admin_create_user(
            UserPoolId=pool,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )
        idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    tokens = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.refs["StorefrontUserPoolClient"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return Member(aws, tokens["IdToken"])


@pytest.fixture
def member(aws) -> Member:
    return _sign_in(aws)


def test_given_a_member_when_name_and_phone_are_changed_then_the_profile_shows_them_masked(member):
    status, body = member.call("PUT", "/members/me", {"display_name": "Hua Li", "phone": "+86 13912345678"})
    assert status == 200, body
    assert body["member"]["display_name"] == "Hua Li"
    assert body["member"]["phone"] == "139****5678"
    status, body = member.call("GET", "/members/me")
    assert (status, body["member"]["phone"], body["operator"]) == (200, "139****5678", False)
    status, body = member.call("PUT", "/members/me", {"phone": None})
    assert (status, body["member"]["phone"], body["member"]["display_name"]) == (200, None, "Hua Li")


def test_given_a_bad_phone_when_profile_changed_then_422_names_it(member):
    status, body = member.call("PUT", "/members/me", {"phone": "12345"})
    assert status == 422
    assert "mainland mobile" in body["error"]["fields"]["phone"]
    status, body = member.call("PUT", "/members/me", ["not", "an", "object"])
    assert status == 400


def test_given_a_user_without_a_profile_when_they_add_family_then_the_profile_is_made_first(aws):
    member = _sign_in(aws, make_profile=False)
    status, body = member.call(
        "POST",
        "/members/me/family",
        {"name": "Li Na", "relation": "child", "id_number": _person_id(date(2018, 5, 1))},
    )
    assert status == 201, body
    assert member.call("GET", "/members/me")[1]["member"]["display_name"].startswith("m-")


def test_given_a_family_member_when_listed_then_masked_and_read_alone_then_full(member):
    number = _person_id(date(1991, 3, 8))
    status, created = member.call(
        "POST",
        "/members/me/family",
        {"name": "Wang Fang", "relation": "spouse", "id_type": "prc_id", "id_number": number},
    )
    assert status == 201, created
    assert created["id_number"] == number[:3] + "*" * 11 + number[-4:]
    assert (created["birth_date"], created["gender"]) == ("1991-03-08", "M")

    status, listed = member.call("GET", "/members/me/family")
    assert status == 200
    assert listed["family"] == [created]

    status, full = member.call("GET", f"/members/me/family/{created['family_member_id']}")
    assert status == 200
    assert full == {**created, "id_number": number}


def test_given_another_members_family_member_then_they_get_404_for_read_and_delete(aws, member):
    status, created = member.call(
        "POST",
        "/members/me/family",
        {"name": "Li Lei", "relation": "parent", "id_number": _person_id(date(1960, 1, 2))},
    )
    assert status == 201
    stranger = _sign_in(aws)
    path = f"/members/me/family/{created['family_member_id']}"
    assert stranger.call("GET", path)[0] == 404
    assert stranger.call("DELETE", path)[0] == 404
    assert stranger.call("GET", "/members/me/family")[1] == {"family": []}
    assert member.call("GET", path)[0] == 200
    assert member.call("GET", "/members/me/family/not-an-id!")[0] == 404


def test_given_no_token_then_every_member_center_route_answers_401(member):
    for method, path in [
        ("GET", "/members/me"),
        ("PUT", "/members/me"),
        ("GET", "/members/me/family"),
        ("POST", "/members/me/family"),
        ("GET", "/members/me/family/abc"),
        ("DELETE", "/members/me/family/abc"),
        ("GET", "/members/me/addresses"),
        ("POST", "/members/me/addresses"),
        ("DELETE", "/members/me/addresses/abc"),
    ]:
        status, body = member.call(method, path, {} if method in ("PUT", "POST") else None, token=None)
        assert (status, body["error"]["code"]) == (401, "unauthorized"), (method, path)


def test_given_a_bad_prc_id_when_family_member_added_then_422(member):
    number = _person_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    status, body = member.call(
        "POST", "/members/me/family", {"name": "Li Na", "relation": "child", "id_number": wrong}
    )
    assert status == 422
    assert "check digit" in body["error"]["fields"]["id_number"]


def test_given_a_family_member_when_deleted_then_gone_and_a_slot_is_free(member):
    ids = []
    for i in range(10):
        status, body = member.call(
            "POST",
            "/members/me/family",
            {"name": f"Child {i}", "relation": "child", "id_number": _person_id(date(2010, 1, 1 + i))},
        )
        assert status == 201, body
        ids.append(body["family_member_id"])
    status, body = member.call(
        "POST",
        "/members/me/family",
        {"name": "One more", "relation": "child", "id_number": _person_id(date(2012, 1, 1))},
    )
    assert status == 409
    assert "at most 10 family members" in body["error"]["message"]

    assert member.call("DELETE", f"/members/me/family/{ids[0]}") == (200, {"deleted": True})
    assert member.call("DELETE", f"/members/me/family/{ids[0]}")[0] == 404
    assert member.call("GET", f"/members/me/family/{ids[0]}")[0] == 404
    status, _ = member.call(
        "POST",
        "/members/me/family",
        {"name": "One more", "relation": "child", "id_number": _person_id(date(2012, 1, 1))},
    )
    assert status == 201
    assert len(member.call("GET", "/members/me/family")[1]["family"]) == 10


def test_given_concurrent_adds_when_the_family_is_nearly_full_then_the_limit_still_holds(aws, member):
    for i in range(8):
        assert (
            member.call(
                "POST",
                "/members/me/family",
                {"name": f"C{i}", "relation": "child", "id_number": _person_id(date(2011, 2, 1 + i))},
            )[0]
            == 201
        )
    statuses: list[int] = []

    def add(i: int) -> None:
        body = {"name": f"Late {i}", "relation": "child", "id_number": _person_id(date(2013, 3, 1 + i))}
        statuses.append(member.call("POST", "/members/me/family", body)[0])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 201, 409, 409, 409, 409]
    assert len(member.call("GET", "/members/me/family")[1]["family"]) == 10


def test_given_addresses_when_a_new_default_is_added_then_the_old_one_is_cleared(member):
    status, first = member.call("POST", "/members/me/addresses", ADDRESS)
    assert status == 201, first
    assert first["is_default"] is True  # a member's first address is the default
    assert first["phone"] == "138****8000"
    status, second = member.call("POST", "/members/me/addresses", {**ADDRESS, "line": "2 Second Street"})
    assert (status, second["is_default"]) == (201, False)
    status, third = member.call(
        "POST", "/members/me/addresses", {**ADDRESS, "line": "3 Third Street", "is_default": True}
    )
    assert (status, third["is_default"]) == (201, True)

    listed = member.call("GET", "/members/me/addresses")[1]["addresses"]
    assert [(a["address_id"], a["is_default"]) for a in listed] == [
        (third["address_id"], True),
        (second["address_id"], False),
        (first["address_id"], False),
    ]
    assert {a["phone"] for a in listed} == {"138****8000"}

    # Removing the default makes the newest remaining address the default.
    assert member.call("DELETE", f"/members/me/addresses/{third['address_id']}") == (200, {"deleted": True})
    listed = member.call("GET", "/members/me/addresses")[1]["addresses"]
    assert [(a["address_id"], a["is_default"]) for a in listed] == [
        (second["address_id"], True),
        (first["address_id"], False),
    ]


def test_given_concurrent_new_defaults_then_exactly_one_address_is_default(member):
    member.call("POST", "/members/me/addresses", ADDRESS)

    def add(i: int) -> None:
        member.call(
            "POST", "/members/me/addresses", {**ADDRESS, "line": f"{i} Race Street", "is_default": True}
        )

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listed = member.call("GET", "/members/me/addresses")[1]["addresses"]
    assert sum(a["is_default"] for a in listed) == 1
    assert listed[0]["is_default"] is True


def test_given_ten_addresses_when_another_is_added_then_409_and_bad_fields_422(aws, member):
    for i in range(10):
        assert member.call("POST", "/members/me/addresses", {**ADDRESS, "line": f"{i} Street"})[0] == 201
    status, body = member.call("POST", "/members/me/addresses", ADDRESS)
    assert status == 409
    assert "at most 10 addresses" in body["error"]["message"]
    status, body = member.call("POST", "/members/me/addresses", {**ADDRESS, "postcode": "1000"})
    assert (status, set(body["error"]["fields"])) == (422, {"postcode"})
    stranger = _sign_in(aws)
    some_id = member.call("GET", "/members/me/addresses")[1]["addresses"][0]["address_id"]
    assert stranger.call("DELETE", f"/members/me/addresses/{some_id}")[0] == 404
