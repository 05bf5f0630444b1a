"""Policy documents: the issue-time PDF, a new version after an endorsement or a cancellation, links
to download a version, the list of versions and the public check of a printed code. Collaborators
come in (policy.wiring builds the real ones: the store, the renderer, the insurer's hotline)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from insuremall import errors
from insuremall.clock import Clock, utc_now
from policy.domain import policy_document
from policy.domain.records import Policy

LINK_SECONDS = 300


@dataclass(frozen=True)
class Documents:
    store: Any  # policy.store
    render: Callable[[Policy, str], bytes]  # the PDF of a policy with its verification link
    insurer_hotline: Callable[[str], str | None]  # an insurer's current hotline
    storefront_url: Callable[[], str]  # the site the QR code opens
    logger: logging.Logger
    now: Clock = utc_now
    new_code: Callable[[], str] = policy_document.new_verification_code

    # ---------- rendering ----------
    def publish(self, policy_no: str) -> dict[str, Any]:
        """The issue-time PDF, once: the key and verification code are reserved on the policy first, so
        a retried issue writes to the same key, and a file already stored for this policy version is
        reused rather than uploaded again (one S3 version per policy version)."""
        policy = self.store.policy_for_document(policy_no)
        reserved = self.store.reserve_document(
            policy_no,
            {
                "key": f"policies/{policy_no}/{secrets.token_hex(16)}.pdf",
                "verification_code": self.new_code(),
                "policy_version": 0,
            },
            policy.version,
        )
        if reserved.get("s3_version_id"):
            return reserved
        return self._store(policy, reserved)

    def rerender(self, policy_no: str) -> dict[str, Any]:
        """A new S3 version of the policy's document under the same key, with its own verification
        code; older versions stay in the versioned bucket and verify as superseded. Same policy version
        twice: no-op."""
        policy = self.store.policy_for_document(policy_no)
        document = self.store.document_of(policy_no)
        if policy is None or document is None:
            return self.publish(policy_no) if policy else {}
        if document.get("s3_version_id") and int(document.get("policy_version", 0)) >= policy.version:
            return document
        return self._store(policy, document)

    def _verify_base(self, document: dict[str, Any]) -> str:
        """The storefront the QR opens: fixed at the first render and kept, so a re-render from another
        function (without STOREFRONT_URL) prints the same site."""
        if document.get("verify_base"):
            return document["verify_base"]
        if document.get("verify_url"):
            return document["verify_url"].split("/verify.html", 1)[0]
        return self.storefront_url()

    def _store(self, policy: Policy, document: dict[str, Any]) -> dict[str, Any]:
        version = policy.version
        # The first render prints the code reserved at issue; each later version gets its own.
        first = int(document.get("policy_version", 0)) in (0, version)
        code = self.store.reserve_document_version(
            policy.policy_no,
            version,
            document["key"],
            document["verification_code"] if first else self.new_code(),
            new_code=not first,
        )
        base = self._verify_base(document)
        url = policy_document.verification_url(base, code)
        stored = self.store.stored_document_version(document["key"], version)
        if stored is None:
            pdf = self.render(self._with_insurer_hotline(policy), url)
            sha256 = hashlib.sha256(pdf).hexdigest()
            stored = {
                "sha256": sha256,
                "s3_version_id": self.store.put_document_file(document["key"], pdf, sha256, version),
            }
        recorded = (
            document
            | stored
            | {
                "policy_version": version,
                "verification_code": code,
                "verify_url": url,
                "verify_base": base,
                "rendered_at": self.now().isoformat(),
            }
        )
        self.store.record_document_version(policy.policy_no, recorded)
        self.logger.info("policy document stored", extra={"policy_no": policy.policy_no, "version": version})
        return recorded

    def _with_insurer_hotline(self, policy: Policy) -> Policy:
        """Policies sold before the snapshot kept the insurer's hotline print the insurer's current one."""
        snapshot = policy.product_snapshot
        if snapshot.get("insurer_hotline") or not snapshot.get("insurer_id"):
            return policy
        hotline = self.insurer_hotline(snapshot["insurer_id"])
        return (
            replace(policy, product_snapshot=snapshot | {"insurer_hotline": hotline}) if hotline else policy
        )

    # ---------- reading ----------
    def viewable(self, policy_no: str, caller: Any) -> Policy:
        """The caller's own policy, or any policy for an operator."""
        policy = self.store.get_policy(policy_no)
        if policy is None or not (policy.owned_by(caller.subject) or caller.is_operator):
            raise errors.NotFound("No such policy")
        return policy

    def versions(self, policy: Policy) -> tuple[list[dict[str, Any]], int | None]:
        """The rendered versions, oldest first, each with why it was rendered, and the current version."""
        current = self.store.document_of(policy.policy_no)
        if not current or not current.get("s3_version_id"):
            return [], None
        current_version = int(current["policy_version"])
        versions = [v for v in self.store.document_versions(policy.policy_no) if v.get("s3_version_id")]
        if not any(v["policy_version"] == current_version for v in versions):
            versions.append(current | {"policy_version": current_version})  # older than versions
        endorsed = {e["policy_version"] for e in self.store.endorsements_of(policy.policy_no)}
        return [
            v | {"reason": _reason(policy, v["policy_version"], endorsed)}
            for v in sorted(versions, key=lambda v: v["policy_version"])
        ], current_version

    def link(self, policy: Policy, version: int | None) -> tuple[str, dict[str, Any], int]:
        """A presigned link to one version (the current one when None): (url, version, current)."""
        versions, current_version = self.versions(policy)
        if current_version is None:
            raise errors.NotFound("The policy document is not ready yet; try again in a moment")
        wanted = current_version if version is None else version
        document = next((v for v in versions if v["policy_version"] == wanted), None)
        if document is None:
            raise errors.NotFound(f"This policy has no document version {wanted}")
        url = self.store.document_download_url(
            document["key"],
            document["s3_version_id"],
            f"policy-{policy.policy_no}-v{wanted}.pdf",
            seconds=LINK_SECONDS,
        )
        return url, document, current_version

    def verify(self, code: str) -> tuple[Policy, int | None, dict[str, Any]]:
        """The policy a printed code verifies, the version the code was printed on, its current document."""
        found = self.store.verification(code)
        policy = self.store.get_policy(found["policy_no"]) if found else None
        if policy is None:
            raise errors.NotFound("No policy matches this code")
        current = self.store.document_of(policy.policy_no) or {}
        current_version = int(current.get("policy_version") or 0) or None
        # A code reserved before versions had codes (no policy_version) was printed on the first one.
        scanned = (
            current_version if current.get("verification_code") == code else found["policy_version"] or 1
        )
        return policy, scanned, current


def _reason(policy: Policy, version: int, endorsed: set[int]) -> str:
    """Why a document version was rendered, in words."""
    if version in endorsed:
        return "changed details"
    if policy.status == "cancelled" and version == policy.version:
        return "cancelled"
    return "issued" if version == 1 else "updated"
