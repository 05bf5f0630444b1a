"""The member center over HTTP on the local platform: family members and addresses as the storefront's
user center and order form use them."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from shop import ApiClient, sign_up

from insuremall.identity import make_prc_id

pytestmark = pytest.mark.e2e
ADDRESS = {
    "recipient": "Li Hua",
    "phone": "13800138000",
    "province": "Beijing",
    "city": "Beijing",
    "district": "Chaoyang",
    "line": "1 Jianguomen Outer Street",
    "postcode": "100020",
}
SPOUSE_ID = make_prc_id("110105", date(1990, 10, 17), "013")


def send(client: ApiClient, method: str, path: str, body=None) -> requests.Response:
    """PUT and DELETE too (shop.ApiClient has GET and POST)."""
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    return client.http.request(method, client.base + path, json=body, headers=headers, timeout=30)


def test_given_a_customer_when_they_save_a_family_member_then_lists_mask_and_the_owner_reads_it_whole(
    platform, customer
):
    response = customer.post(
        "/members/me/family",
        json={"name": "Wang Fang", "relation": "spouse", "id_type": "prc_id", "id_number": SPOUSE_ID},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["gender"], created["birth_date"]) == ("M", "1990-10-17")
    masked = SPOUSE_ID[:3] + "*" * 11 + SPOUSE_ID[-4:]

    listed = customer.get("/members/me/family").json()["family"]
    assert [(f["family_member_id"], f["id_number"]) for f in listed] == [
        (created["family_member_id"], masked)
    ]
    assert SPOUSE_ID not in customer.get("/members/me/family").text

    full = customer.get(f"/members/me/family/{created['family_member_id']}")
    assert full.status_code == 200
    assert full.json()["id_number"] == SPOUSE_ID

    other = sign_up(platform, "Another Customer")
    for method in ("GET", "DELETE"):
        response = send(other, method, f"/members/me/family/{created['family_member_id']}")
        assert response.status_code == 404, (method, response.text)
        assert response.json()["error"]["code"] == "not_found"

    assert send(customer, "DELETE", f"/members/me/family/{created['family_member_id']}").json() == {
        "deleted": True
    }
    assert customer.get("/members/me/family").json() == {"family": []}


def test_given_no_token_then_the_member_center_answers_401(anonymous):
    for method, path in [
        ("GET", "/members/me/family"),
        ("POST", "/members/me/family"),
        ("GET", "/members/me/addresses"),
        ("PUT", "/members/me"),
    ]:
        response = send(anonymous, method, path, {} if method in ("POST", "PUT") else None)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["message"] == "Sign in to continue"


def test_given_a_bad_prc_id_then_422_says_what_is_wrong(customer):
    wrong = SPOUSE_ID[:17] + ("0" if SPOUSE_ID[17] != "0" else "1")
    response = customer.post(
        "/members/me/family", json={"name": "Li Na", "relation": "child", "id_number": wrong}
    )
    assert response.status_code == 422
    assert "check digit" in response.json()["error"]["fields"]["id_number"]
    response = customer.post(
        "/members/me/family", json={"name": "Li Na", "relation": "aunt", "id_number": SPOUSE_ID}
    )
    assert set(response.json()["error"]["fields"]) == {"relation"}  # the contract: not a relation we take
    response = customer.post(
        "/members/me/family", json={"name": "Li Na", "relation": "child", "id_number": "123"}
    )
    assert response.json()["error"]["fields"] == {"id_number": "enter the 18-character ID number"}


def test_given_addresses_when_a_new_default_is_saved_then_only_it_is_default(customer):
    first = customer.post("/members/me/addresses", json=ADDRESS).json()
    second = customer.post(
        "/members/me/addresses", json={**ADDRESS, "line": "2 Second St", "is_default": True}
    )
    assert second.status_code == 201, second.text
    second = second.json()
    assert first["is_default"] is True and second["is_default"] is True

    listed = customer.get("/members/me/addresses").json()["addresses"]
    assert [(a["address_id"], a["is_default"]) for a in listed] == [
        (second["address_id"], True),
        (first["address_id"], False),
    ]
    assert all(a["phone"] == "138****8000" for a in listed)

    assert send(customer, "DELETE", f"/members/me/addresses/{second['address_id']}").status_code == 200
    listed = customer.get("/members/me/addresses").json()["addresses"]
    assert [(a["address_id"], a["is_default"]) for a in listed] == [(first["address_id"], True)]
    bad = customer.post("/members/me/addresses", json={**ADDRESS, "postcode": "ABC123"})
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (422, ["postcode"])


def test_given_a_customer_when_they_change_their_phone_then_me_shows_it_masked(customer):
    response = send(customer, "PUT", "/members/me", {"display_name": "Li Hua", "phone": "139 1234 5678"})
    assert response.status_code == 200, response.text
    me = customer.get("/members/me").json()["member"]
    assert (me["display_name"], me["phone"]) == ("Li Hua", "139****5678")
    response = send(customer, "PUT", "/members/me", {"phone": "5551234"})
    assert response.status_code == 422
