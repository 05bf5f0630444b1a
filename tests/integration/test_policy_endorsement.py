"""Simple endorsements through the policy routes in-process: contact and beneficiaries, versions,
the history, the document re-rendered, and concurrent changes that cannot lose one."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from test_catalog_admin import Api, _signed_in
from test_policy_cancellation import paid_policy


@pytest.fixture(scope="module")
def customer(aws):
    return _signed_in(aws)


@pytest.fixture(scope="module")
def stranger(aws):
    return _signed_in(aws)


def _beneficiary(name="Li Na", share=100, relation="spouse", seq="123") -> dict:
    from insuremall import identity

    number = identity.make_prc_id("110101", date(1990, 1, 1), seq)
    return {"name": name, "id_type": "prc_id", "id_number": number, "relation": relation, "share": share}


def test_given_an_in_force_policy_when_the_phone_changes_then_version_2_history_and_document(
    aws, customer, new_application
):
    from policy import store

    no = paid_policy(customer, new_application)["policy_no"]
    status, result = customer.post(f"/policies/{no}/endorsements", {"contact": {"phone": "13912345678"}})
    assert status == 200, result
    assert result["version"] == 2
    assert result["changes"]["policyholder.phone"]["to"] == "139****5678"

    stored = store.get_policy(no, consistent=True)
    assert stored["version"] == 2 and stored["parties"]["policyholder"]["phone"] == "13912345678"
    assert store.document_of(no)["policy_version"] == 2

    status, detail = customer.get(f"/policies/{no}")
    assert status == 200 and detail["version"] == 2
    [entry] = detail["endorsements"]
    assert entry["version"] == 2 and entry["effective_date"] == result["effective_date"]
    assert entry["changes"]["policyholder.phone"]["to"] == "139****5678"
    assert "13912345678" not in str(detail)


def test_given_a_product_with_beneficiaries_when_named_then_stored_and_masked(aws, customer, new_application):
    no = paid_policy(customer, new_application, product={"has_beneficiaries": True})["policy_no"]
    person = _beneficiary()
    status, result = customer.post(f"/policies/{no}/endorsements", {"beneficiaries": [person]})
    assert status == 200, result
    [shown] = result["changes"]["beneficiaries"]["to"]
    assert shown["name"] == "Li Na" and shown["id_number"] != person["id_number"]
    detail = customer.get(f"/policies/{no}")[1]
    assert detail["beneficiary_designation"] == "named" and detail["version"] == 2


def test_given_a_product_without_beneficiaries_when_named_then_422(aws, customer, new_application):
    no = paid_policy(customer, new_application)["policy_no"]
    status, body = customer.post(f"/policies/{no}/endorsements", {"beneficiaries": [_beneficiary()]})
    assert status == 422 and "beneficiaries" in body["error"]["fields"], body


def test_given_bad_input_when_endorsing_then_422_by_field(aws, customer, new_application):
    no = paid_policy(customer, new_application, product={"has_beneficiaries": True})["policy_no"]
    # The contract's fields first (pattern, required, type) ...
    body = {"contact": {"phone": "12345"}, "beneficiaries": [_beneficiary(share=60), {"name": ""}]}
    status, answer = customer.post(f"/policies/{no}/endorsements", body)
    assert status == 422, answer
    assert {"contact.phone", "beneficiaries[1].id_number", "beneficiaries[1].share"} <= set(
        answer["error"]["fields"]
    )
    # ... then the endorsement rules (e-mail, ID checksum, a name).
    body = {
        "contact": {"phone": "13912345678", "email": "not-mail"},
        "beneficiaries": [
            _beneficiary(share=60) | {"id_number": "110101199001011230"},
            _beneficiary(share=40) | {"name": ""},
        ],
    }
    status, answer = customer.post(f"/policies/{no}/endorsements", body)
    assert status == 422, answer
    assert {"contact.email", "beneficiaries[0].id_number", "beneficiaries[1].name"} <= set(
        answer["error"]["fields"]
    )
    assert customer.post(f"/policies/{no}/endorsements", {})[0] == 422
    assert customer.get(f"/policies/{no}")[1]["version"] == 1


def test_given_a_cancelled_policy_when_endorsing_then_409(aws, customer, new_application):
    policy = paid_policy(customer, new_application)
    no = policy["policy_no"]
    cancel = {"reason": "other", "refund_cents": policy["premium_cents"]}
    assert customer.post(f"/policies/{no}/cancellation", cancel)[0] == 200
    status, body = customer.post(f"/policies/{no}/endorsements", {"contact": {"phone": "13912345678"}})
    assert status == 409, body


def test_given_another_customer_or_no_token_when_endorsing_then_404_or_401(
    aws, customer, stranger, new_application
):
    no = paid_policy(customer, new_application)["policy_no"]
    change = {"contact": {"email": "new@example.com"}}
    assert stranger.post(f"/policies/{no}/endorsements", change)[0] == 404
    assert Api(aws, None).post(f"/policies/{no}/endorsements", change)[0] == 401


def test_given_concurrent_endorsements_when_written_then_no_change_is_lost(aws, customer, new_application):
    from policy import store

    no = paid_policy(customer, new_application)["policy_no"]
    results = []
    phones = ["13900000001", "13900000002", "13900000003"]

    def endorse(phone):
        results.append(customer.post(f"/policies/{no}/endorsements", {"contact": {"phone": phone}}))

    threads = [threading.Thread(target=endorse, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [r for s, r in results if s == 200]
    assert all(s in (200, 409) for s, _ in results) and accepted, results
    stored = store.get_policy(no, consistent=True)
    history = store.endorsements_of(no)
    # every accepted change is one version in the history; none overwrote another unseen
    assert stored["version"] == 1 + len(accepted) == 1 + len(history)
    assert history[-1]["changes"]["policyholder.phone"]["to"] == stored["parties"]["policyholder"]["phone"]
