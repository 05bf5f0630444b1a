"""Policy documents (policy.documents) over an in-memory store and a fake renderer."""

from __future__ import annotations

from dataclasses import replace
from itertools import count
from types import SimpleNamespace

import pytest
from policy_fakes import LOGGER, FakeStore, a_policy, clock

from insuremall import errors
from policy.documents import Documents

NO = "HML2026120300000011"


class DocumentStore(FakeStore):
    """The document half of policy.store: the policy's current document, versions, codes, files."""

    def __init__(self, *policies):
        super().__init__(*policies)
        self.current: dict[str, dict] = {}
        self.versions: dict[tuple[str, int], dict] = {}
        self.codes: dict[str, dict] = {}
        self.files: dict[str, list[bytes]] = {}

    def policy_for_document(self, policy_no):
        return self.policies.get(policy_no)

    def document_of(self, policy_no):
        return self.current.get(policy_no)

    def reserve_document(self, policy_no, document, policy_version=1):
        if policy_no in self.current:
            return self.current[policy_no]
        self.current[policy_no] = document
        self.codes[document["verification_code"]] = {"policy_no": policy_no, "policy_version": policy_version}
        return document

    def reserve_document_version(self, policy_no, version, key, code, new_code):
        found = self.versions.setdefault((policy_no, version), {"verification_code": code, "key": key})
        if new_code and found["verification_code"] == code:
            self.codes[code] = {"policy_no": policy_no, "policy_version": version}
        return found["verification_code"]

    def stored_document_version(self, key, policy_version):
        return None

    def put_document_file(self, key, pdf, sha256, policy_version):
        self.files.setdefault(key, []).append(pdf)
        return f"s3v{len(self.files[key])}"

    def record_document_version(self, policy_no, document):
        version = document["policy_version"]
        self.versions[(policy_no, version)] |= {
            k: document[k] for k in ("s3_version_id", "sha256", "rendered_at")
        }
        if version >= int(self.current[policy_no].get("policy_version", 0)):
            self.current[policy_no] = document
        return True

    def document_versions(self, policy_no):
        return [
            v | {"policy_version": version}
            for (no, version), v in sorted(self.versions.items())
            if no == policy_no
        ]

    def endorsements_of(self, policy_no):
        return []

    def verification(self, code):
        return self.codes.get(code)

    def document_download_url(self, key, s3_version_id, filename, seconds=300):
        return f"https://documents/{key}?versionId={s3_version_id}&name={filename}"


def _documents(store):
    codes = (f"CODE{n:016d}" for n in count(1))
    rendered = []

    def render(policy, url):
        rendered.append((policy.version, policy.product_snapshot.get("insurer_hotline"), url))
        return f"PDF v{policy.version}".encode()

    documents = Documents(
        store=store,
        render=render,
        insurer_hotline={"harmony": "95500"}.get,
        storefront_url=lambda: "https://shop.example",
        logger=LOGGER,
        now=clock,
        new_code=lambda: next(codes),
    )
    return documents, rendered


def test_the_issue_time_document_is_stored_once_with_the_insurers_current_hotline():
    store = DocumentStore(a_policy())
    documents, rendered = _documents(store)

    first = documents.publish(NO)
    again = documents.publish(NO)  # a retried saga step

    assert again == first and len(store.files[first["key"]]) == 1
    assert rendered == [(1, "95500", "https://shop.example/verify.html?code=CODE0000000000000001")]
    assert first["policy_version"] == 1 and first["verification_code"] == "CODE0000000000000001"


def test_a_new_policy_version_gets_its_own_document_and_code_and_the_old_one_is_superseded():
    store = DocumentStore(a_policy())
    documents, _ = _documents(store)
    first = documents.publish(NO)
    store.policies[NO] = replace(store.policies[NO], status="cancelled", version=2)

    second = documents.rerender(NO)
    assert documents.rerender(NO) == second  # same policy version twice: no-op

    assert second["policy_version"] == 2 and second["verification_code"] != first["verification_code"]
    assert second["verify_base"] == "https://shop.example"
    versions, current = documents.versions(store.policies[NO])
    assert current == 2 and [(v["policy_version"], v["reason"]) for v in versions] == [
        (1, "issued"),
        (2, "cancelled"),
    ]
    policy, scanned, now_current = documents.verify(first["verification_code"])
    assert (policy.policy_no, scanned, now_current["policy_version"]) == (NO, 1, 2)


def test_links_name_a_version_and_a_missing_one_is_not_found():
    store = DocumentStore(a_policy())
    documents, _ = _documents(store)
    policy = store.policies[NO]
    with pytest.raises(errors.NotFound, match="not ready"):
        documents.link(policy, None)
    documents.publish(NO)

    url, document, current = documents.link(policy, None)
    assert "versionId=s3v1" in url and document["policy_version"] == current == 1
    with pytest.raises(errors.NotFound, match="no document version 7"):
        documents.link(policy, 7)


def test_only_the_owner_or_an_operator_sees_a_policy():
    documents, _ = _documents(DocumentStore(a_policy()))
    assert documents.viewable(NO, SimpleNamespace(subject="someone", is_operator=True)).policy_no == NO
    with pytest.raises(errors.NotFound):
        documents.viewable(NO, SimpleNamespace(subject="someone", is_operator=False))
