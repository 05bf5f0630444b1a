"""Policy documents over the embedded AWS: stored once per policy version, fetched by a presigned URL,
verified by the code printed under the QR."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
import requests
from pypdf import PdfReader


def _versions(aws, key: str) -> list[dict]:
    bucket = aws.template.physical_name("PolicyDocumentsBucket")
    return aws.client("s3").list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])


def _route(aws, method: str, path: str, params: dict):
    from local.gateway import build_event
    from local.template import Template

    template_path = path
    for name, value in params.items():
        template_path = template_path.replace(value, "{" + name + "}")
    route = next(r for r in Template().routes() if r.path == template_path and r.method == method)
    result, error = aws.runtime.invoke(
        route.function, build_event(route, method, path, "", {}, b"", params, "x")
    )
    assert error is None, error
    return result["statusCode"], json.loads(result["body"])


def test_given_an_issue_then_the_pdf_is_stored_once_with_its_hash_and_a_retry_adds_no_version(
    aws, new_application
):
    from policy import store, tasks

    application = new_application()
    event = {"order_id": application["order_id"], "application": application, "payment": {}}
    policy_no = tasks.issue(event)["policy_no"]
    tasks.publish_document(policy_no)
    tasks.issue(event)  # a retried issue
    tasks.publish_document(policy_no)  # and a retried publish

    document = store.document_of(policy_no)
    assert document["key"].startswith(f"policies/{policy_no}/") and len(document["key"]) > 60
    versions = _versions(aws, document["key"])
    assert len(versions) == 1 and versions[0]["VersionId"] == document["s3_version_id"]
    body = (
        aws.client("s3")
        .get_object(Bucket=aws.template.physical_name("PolicyDocumentsBucket"), Key=document["key"])["Body"]
        .read()
    )
    assert hashlib.sha256(body).hexdigest() == document["sha256"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert policy_no in text and application["insured"][0]["id_number"] not in text
    assert f"verify.html?code={document['verification_code']}" in text


def test_given_a_presigned_url_then_requests_fetches_the_same_bytes(aws, new_application):
    from policy import store, tasks

    application = new_application()
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    tasks.publish_document(policy_no)  # the saga's PublishPolicyDocument step
    document = store.document_of(policy_no)
    url = store.document_download_url(document["key"], document["s3_version_id"], "p.pdf")
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == document["sha256"]


def test_given_a_new_policy_version_when_rerendered_then_a_new_s3_version_and_the_old_one_stays(
    aws, new_application
):
    from insuremall.models.policy import PolicyRecord
    from policy import store, tasks

    application = new_application()
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    tasks.publish_document(policy_no)  # the saga's PublishPolicyDocument step
    first = store.document_of(policy_no)
    assert tasks.rerender_document(policy_no)["s3_version_id"] == first["s3_version_id"]  # same version
    PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY").update(
        actions=[PolicyRecord.version.add(1), PolicyRecord.status.set("cancelled")]
    )
    second = tasks.rerender_document(policy_no)
    tasks.rerender_document(policy_no)
    assert second["key"] == first["key"] and second["s3_version_id"] != first["s3_version_id"]
    # Each version prints its own code, so a superseded printout can be told from the current one.
    assert second["policy_version"] == 2 and second["verification_code"] != first["verification_code"]
    assert [(v["policy_version"], v["verification_code"]) for v in store.document_versions(policy_no)] == [
        (1, first["verification_code"]),
        (2, second["verification_code"]),
    ]
    assert {v["VersionId"] for v in _versions(aws, first["key"])} == {
        first["s3_version_id"],
        second["s3_version_id"],
    }


def test_given_the_printed_code_then_verify_says_genuine_without_personal_data(aws, new_application):
    from policy import store, tasks

    application = new_application()
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    tasks.publish_document(policy_no)  # the saga's PublishPolicyDocument step
    code = store.document_of(policy_no)["verification_code"]

    status, body = _route(aws, "GET", f"/verify/{code}", {"code": code})
    assert status == 200
    assert body["genuine"] is True and body["status"] == "in_force" and body["in_force"] is True
    assert body["policy_no"] != policy_no and body["policy_no"][-4:] == policy_no[-4:]
    assert "Zhang" not in json.dumps(body)

    status, body = _route(aws, "GET", "/verify/ABCDEFGHJKLMNPQRSTUV", {"code": "ABCDEFGHJKLMNPQRSTUV"})
    assert status == 404 and "No policy" in body["error"]["message"]
    status, body = _route(aws, "GET", "/verify/x", {"code": "x"})
    assert status == 400


def test_given_the_document_upload_fails_then_the_policy_stands_and_a_retried_step_stores_it(
    aws, new_application, monkeypatch
):
    from policy import store, tasks

    application = new_application()
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    step = {"task": "publish_document", "order_id": application["order_id"], "policy_no": policy_no}
    real_put = store.put_document_file

    def failing_put(*args, **kwargs):
        raise RuntimeError("S3 is down")

    monkeypatch.setattr(store, "put_document_file", failing_put)
    with pytest.raises(RuntimeError):
        tasks.handler(step, None)
    assert store.get_policy(policy_no)["status"] == "in_force"
    assert not store.document_of(policy_no).get("s3_version_id")

    monkeypatch.setattr(store, "put_document_file", real_put)
    assert tasks.handler(step, None)["policy_no"] == policy_no
    document = store.document_of(policy_no)
    assert len(_versions(aws, document["key"])) == 1 and document["sha256"]


def _stored_text(aws, policy_no: str) -> str:
    from policy import store

    document = store.document_of(policy_no)
    body = (
        aws.client("s3")
        .get_object(
            Bucket=aws.template.physical_name("PolicyDocumentsBucket"),
            Key=document["key"],
            VersionId=document["s3_version_id"],
        )["Body"]
        .read()
    )
    return " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())


def test_given_a_travel_sale_when_its_document_is_published_then_it_prints_words_the_hotline_and_exclusions(
    aws, new_application
):
    from catalog import store as catalog
    from policy import store, tasks

    application = new_application("travel-asia-explorer", plan="essential")
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    tasks.publish_document(policy_no)

    product = catalog.get_product("travel-asia-explorer")
    hotline = catalog.get_insurer(product["insurer_id"])["hotline"]
    assert store.get_policy(policy_no)["product_snapshot"]["insurer_hotline"] == hotline  # kept at issue
    text = _stored_text(aws, policy_no)
    for words in (
        "7天 / 7 days",
        "有效 / In force",
        "居民身份证 / PRC resident ID card",
        "本人 / Self",
        "男 / Male",
    ):
        assert words in text, words
    assert "in_force" not in text and "prc_id" not in text and " 7D " not in f" {text} "
    assert f"Claims and service hotline: {hotline}" in text
    for exclusion in product["exclusions"]:
        assert " ".join(exclusion.split()) in text, exclusion


def test_given_a_policy_sold_before_hotlines_were_kept_when_rendered_then_it_prints_the_insurer_s_hotline(
    aws, new_application
):
    from catalog import store as catalog
    from insuremall.models.policy import PolicyRecord
    from policy import store, tasks

    application = new_application()
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    old_snapshot = dict(store.get_policy(policy_no)["product_snapshot"])
    del old_snapshot["insurer_hotline"]
    PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY").update(
        actions=[PolicyRecord.product_snapshot.set(old_snapshot)]
    )
    tasks.publish_document(policy_no)

    hotline = catalog.get_insurer(application["product"]["insurer_id"])["hotline"]
    assert f"Claims and service hotline: {hotline}" in _stored_text(aws, policy_no)
    assert "insurer_hotline" not in store.get_policy(policy_no)["product_snapshot"]  # the sale's record stays


def test_given_a_superseded_version_then_its_link_and_its_code_say_so_and_the_versions_are_listed(
    aws, new_application
):
    from test_catalog_admin import _signed_in
    from test_policy_cancellation import _subject

    from insuremall.models.policy import PolicyRecord
    from policy import store, tasks

    owner = _signed_in(aws)
    application = new_application()
    application["customer_id"] = _subject(owner)
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    tasks.publish_document(policy_no)
    first = store.document_of(policy_no)
    PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY").update(actions=[PolicyRecord.version.add(1)])
    second = tasks.rerender_document(policy_no)

    status, link = owner.get(f"/policies/{policy_no}/document")
    assert status == 200, link
    assert (link["version"], link["current"], link["superseded_by"]) == (2, True, None)
    status, old = owner.get(f"/policies/{policy_no}/document", "version=1")
    assert status == 200, old
    assert (old["version"], old["current"], old["superseded_by"]) == (1, False, 2)
    assert old["sha256"] == first["sha256"] != link["sha256"]
    pdf = requests.get(old["url"], timeout=10).content
    assert hashlib.sha256(pdf).hexdigest() == first["sha256"]  # the old file, as it was
    assert owner.get(f"/policies/{policy_no}/document", "version=7")[0] == 404
    assert owner.get(f"/policies/{policy_no}/document", "version=x")[0] == 422

    status, listed = owner.get(f"/policies/{policy_no}/documents")
    assert status == 200, listed
    assert listed["current_version"] == 2
    assert [(d["version"], d["current"], d["superseded_by"]) for d in listed["documents"]] == [
        (2, True, None),
        (1, False, 2),
    ]
    assert listed["documents"][1]["reason"] == "issued"
    assert _signed_in(aws).get(f"/policies/{policy_no}/documents")[0] == 404

    code = first["verification_code"]
    status, body = _route(aws, "GET", f"/verify/{code}", {"code": code})
    assert status == 200 and body["genuine"] is True
    assert (body["document_version"], body["current"], body["superseded_by"]) == (1, False, 2)
    assert body["superseded_on"] == second["rendered_at"][:10]
    code = second["verification_code"]
    status, body = _route(aws, "GET", f"/verify/{code}", {"code": code})
    assert (body["document_version"], body["current"], body["superseded_by"]) == (2, True, None)
    # The current PDF prints the current code.
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(requests.get(link["url"], timeout=10).content)).pages
    )
    assert f"verify.html?code={code}" in text


def test_given_an_older_version_rendered_late_then_it_never_replaces_the_current_one(aws, new_application):
    from policy import store, tasks

    application = new_application()
    policy_no = tasks.issue({"order_id": application["order_id"], "application": application})["policy_no"]
    tasks.publish_document(policy_no)
    current = store.document_of(policy_no)
    code = store.reserve_document_version(policy_no, 3, current["key"], "ABCDEFGHJKLMNPQRSTU3", new_code=True)
    newer = current | {
        "policy_version": 3,
        "verification_code": code,
        "rendered_at": "2030-01-01T00:00:00+00:00",
    }
    assert store.record_document_version(policy_no, newer) is True

    late = store.document_versions(policy_no)[0] | {"rendered_at": "2030-01-02T00:00:00+00:00"}
    assert store.record_document_version(policy_no, late) is False

    assert store.document_of(policy_no)["policy_version"] == 3
