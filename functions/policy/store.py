"""Policy store: the only code that touches PolicyTable, and that writes the PolicyIssued and
PolicyCancelled events (in the transaction that makes the change, so each happens exactly once)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from insuremall.clock import now_iso
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.events import DomainEventRecord, index_key
from insuremall.models.policy import (
    CounterRecord,
    ExposureRecord,
    PendingRefundRecord,
    PolicyRecord,
    PolicyReference,
    ReferralRecord,
    UnderwritingRecord,
)
from insuremall.sharding import SHARDS, every_shard, shard_of, sharded
from policy.domain.issuance import sequence_number
from policy.domain.records import Policy, Referral, RenewalOffer


# ---------- underwriting ----------
def get_underwriting(order_id: str) -> dict[str, Any] | None:
    try:
        return UnderwritingRecord.get(f"ORDER#{order_id}", "UNDERWRITING", consistent_read=True).decision
    except UnderwritingRecord.DoesNotExist:
        return None


def save_underwriting(order_id: str, decision: dict[str, Any], decided_by: str) -> dict[str, Any]:
    """The first decision for an order wins; a retry gets the same decision back."""
    try:
        UnderwritingRecord(
            pk=f"ORDER#{order_id}", decision=decision, decided_at=now_iso(), decided_by=decided_by
        ).save(condition=UnderwritingRecord.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        return get_underwriting(order_id)  # type: ignore[return-value]
    return decision


def in_force_sum_insured(insured_key: str, product_kind: str, excluding: str | None = None) -> int:
    """Sum insured in force for one person; `excluding` leaves out the policy a renewal replaces
    (their periods do not overlap)."""
    return sum(
        int(r.sum_insured)
        for r in ExposureRecord.query(
            f"INSURED#{insured_key}",
            ExposureRecord.sk.startswith("POLICY#"),
            filter_condition=(ExposureRecord.status == "in_force")
            & (ExposureRecord.product_kind == product_kind),
        )
        if r.sk != f"POLICY#{excluding}"
    )


# ---------- referrals ----------
def open_referral(order_id: str, task_token: str, reasons: list[str], summary: dict[str, Any]) -> None:
    created = now_iso()
    ReferralRecord(
        pk=f"REFERRAL#{order_id}",
        order_id=order_id,
        task_token=task_token,
        status="pending",
        reasons=reasons,
        summary=summary,
        created_at=created,
        gsi1pk="REFERRAL#PENDING",
        gsi1sk=f"{created}#{order_id}",
    ).save(condition=ReferralRecord.pk.does_not_exist() | (ReferralRecord.status == "pending"))


def referrals(status: str = "pending", limit: int = 100) -> list[Referral]:
    """One status's referrals from the index: pending oldest first (the queue), decided newest first."""
    return [
        _referral(r)
        for r in ReferralRecord.by_customer.query(
            f"REFERRAL#{status.upper()}", scan_index_forward=status == "pending", limit=limit
        )
    ]


def get_referral(order_id: str) -> Referral | None:
    try:
        return _referral(ReferralRecord.get(f"REFERRAL#{order_id}", "REFERRAL", consistent_read=True))
    except ReferralRecord.DoesNotExist:
        return None


def _referral(r: ReferralRecord) -> Referral:
    return Referral(
        order_id=r.order_id,
        status=r.status,
        reasons=list(r.reasons or []),
        summary=r.summary,
        created_at=r.created_at,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        note=r.note,
        task_token=r.task_token,
    )


def decide_referral(order_id: str, outcome: str, operator_id: str, note: str, audit_entry) -> bool:
    """Close a pending referral once, with its audit entry in the same transaction; it moves to its
    decision's index partition (REFERRAL#ACCEPTED / REFERRAL#DECLINED, newest first). False if
    someone already decided it."""
    at = audit_entry.at
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                ReferralRecord(pk=f"REFERRAL#{order_id}", sk="REFERRAL"),
                actions=[
                    ReferralRecord.status.set(outcome),
                    ReferralRecord.decided_by.set(operator_id),
                    ReferralRecord.decided_at.set(at),
                    ReferralRecord.note.set(note),
                    ReferralRecord.gsi1pk.set(f"REFERRAL#{outcome.upper()}"),
                    ReferralRecord.gsi1sk.set(f"{at}#{order_id}"),
                ],
                condition=ReferralRecord.status == "pending",
            )
            transaction.save(audit_entry, condition=type(audit_entry).pk.does_not_exist())
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


# ---------- issuing ----------
def policy_for_order(order_id: str) -> str | None:
    try:
        return PolicyReference.get(f"ORDER#{order_id}", "POLICY", consistent_read=True).policy_no
    except PolicyReference.DoesNotExist:
        return None


def next_policy_sequence(day: str, order_id: str) -> int:
    """The day's next policy sequence number, from one of SHARDS counter items a day (one item would take
    every sale)."""
    shard = shard_of(order_id)
    counter = CounterRecord(pk=f"COUNTER#POLICYNO#{shard:02d}", sk=day)
    counter.update(actions=[CounterRecord.value.add(1)])
    return sequence_number(int(counter.value), shard, SHARDS)


def issue(policy: dict[str, Any], event: dict[str, Any]) -> str:
    """Write the policy, its order reference, exposures and the PolicyIssued event in one transaction
    (the reports count the sale off the events stream, never in it). If the order already has a
    policy, return that policy's number instead."""
    no = policy["policy_no"]
    record = PolicyRecord(
        pk=f"POLICY#{no}",
        **{
            k: policy[k]
            for k in (
                "policy_no",
                "order_id",
                "customer_id",
                "status",
                "product_id",
                "product_snapshot",
                "plan",
                "term",
                "sum_insured",
                "premium_cents",
                "premium",
                "parties",
                "start_date",
                "end_date",
                "issued_at",
                "channel",
                "cooling_off_until",
            )
        },
        renewal_of=policy.get("renewal_of"),
        gsi1pk=f"CUSTOMER#{policy['customer_id']}",
        gsi1sk=f"POLICY#{policy['issued_at']}#{no}",
        gsi2pk=end_date_key(policy["end_date"], no),
        gsi2sk=no,
    )
    reference = PolicyReference(pk=f"ORDER#{policy['order_id']}", policy_no=no)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(reference, condition=PolicyReference.pk.does_not_exist())
            transaction.save(record, condition=PolicyRecord.pk.does_not_exist())
            for insured in policy["parties"]["insured"]:
                transaction.save(
                    ExposureRecord(
                        pk=f"INSURED#{insured['insured_key']}",
                        sk=f"POLICY#{no}",
                        product_kind=policy["product_snapshot"]["kind"],
                        sum_insured=policy["sum_insured"],
                        status="in_force",
                        end_date=policy["end_date"],
                    )
                )
            transaction.save(
                DomainEventRecord(
                    pk=f"POLICY#{no}",
                    sk="PolicyIssued",
                    event_type="PolicyIssued",
                    occurred_at=policy["issued_at"],
                    payload=event,
                    gsi1pk=index_key("PolicyIssued", policy["issued_at"][:10], no),
                    gsi1sk=f"{policy['issued_at']}#{no}",
                ),
                condition=DomainEventRecord.pk.does_not_exist(),
            )
            if policy.get("renewal_of"):
                _link_renewal(transaction, policy["renewal_of"], no)
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        existing = policy_for_order(policy["order_id"])
        if existing is None:
            raise
        return existing
    return no


def _link_renewal(transaction: TransactWrite, old_no: str, new_no: str) -> None:
    """With the renewal's issue: the old policy names its successor and the offer is closed."""
    from insuremall.models.policy import RenewalOfferRecord

    transaction.update(
        PolicyRecord(pk=f"POLICY#{old_no}", sk="POLICY"),
        actions=[PolicyRecord.renewed_by.set(new_no)],
        condition=PolicyRecord.pk.exists(),
    )
    transaction.update(
        RenewalOfferRecord(pk=f"RENEWAL#{old_no}", sk="OFFER"),
        actions=[RenewalOfferRecord.status.set("renewed"), RenewalOfferRecord.renewed_by.set(new_no)],
        condition=RenewalOfferRecord.pk.exists(),
    )


# ---------- reading ----------
def _policy(r: PolicyRecord) -> Policy:
    """The one place a stored policy becomes a record."""
    return Policy(
        **{
            k: getattr(r, k)
            for k in (
                "policy_no",
                "order_id",
                "customer_id",
                "status",
                "product_id",
                "product_snapshot",
                "plan",
                "term",
                "premium",
                "parties",
                "start_date",
                "end_date",
                "issued_at",
                "channel",
                "cooling_off_until",
                "cancellation",
                "renewal_of",
                "renewed_by",
            )
        },
        sum_insured=int(r.sum_insured),
        premium_cents=int(r.premium_cents),
        version=int(r.version),
    )


def get_policy(policy_no: str, consistent: bool = False) -> Policy | None:
    try:
        return _policy(PolicyRecord.get(f"POLICY#{policy_no}", "POLICY", consistent_read=consistent))
    except PolicyRecord.DoesNotExist:
        return None


def list_policies(customer_id: str, limit: int = 100) -> list[Policy]:
    return [
        _policy(r)
        for r in PolicyRecord.by_customer.query(
            f"CUSTOMER#{customer_id}",
            PolicyRecord.gsi1sk.startswith("POLICY#"),
            scan_index_forward=False,
            limit=limit,
        )
    ]


def policy_states(policy_nos: list[str]) -> dict[str, dict[str, Any]]:
    """Status and cancellation of each named policy that exists, in one batch read (no query, no scan)."""
    keys = [(f"POLICY#{no}", "POLICY") for no in dict.fromkeys(policy_nos)]
    if not keys:
        return {}
    return {
        r.policy_no: {"status": r.status, "cancellation": r.cancellation}
        for r in PolicyRecord.batch_get(
            keys, attributes_to_get=["pk", "sk", "policy_no", "status", "cancellation"]
        )
    }


def end_date_key(day: str, policy_no: str) -> str:
    """The byEndDate partition: annual policies sold on one day all end on one day, so it is sharded."""
    return sharded(f"END#{day}", policy_no)


def policy_numbers_ending_on(day: str) -> list[str]:
    return [r.gsi2sk for key in every_shard(f"END#{day}") for r in PolicyRecord.by_end_date.query(key)]


def expire_policy(policy_no: str) -> bool:
    try:
        PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY").update(
            actions=[PolicyRecord.status.set("expired")], condition=PolicyRecord.status == "in_force"
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def expire_exposure(insured_key: str, policy_no: str) -> None:
    try:
        ExposureRecord(pk=f"INSURED#{insured_key}", sk=f"POLICY#{policy_no}").update(
            actions=[ExposureRecord.status.set("expired")], condition=ExposureRecord.status == "in_force"
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def create_renewal_offer(policy: Policy, status: str, offer: dict[str, Any]) -> bool:
    """One offer per policy, only while it is in force: running the job twice for the same day
    creates nothing new, and a policy cancelled since it was read gets none."""
    from insuremall.models.policy import RenewalOfferRecord

    no, customer_id = policy.policy_no, policy.customer_id
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.condition_check(
                PolicyRecord, f"POLICY#{no}", "POLICY", condition=PolicyRecord.status == "in_force"
            )
            transaction.save(
                RenewalOfferRecord(
                    pk=f"RENEWAL#{no}",
                    policy_no=no,
                    customer_id=customer_id,
                    status=status,
                    offer=offer,
                    created_at=now_iso(),
                    gsi1pk=f"CUSTOMER#{customer_id}",
                    gsi1sk=f"RENEWAL#{offer['start_date']}#{no}",
                ),
                condition=RenewalOfferRecord.pk.does_not_exist(),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def withdraw_renewal_offer(policy_no: str, reason: str) -> bool:
    """A cancelled policy's open offer is withdrawn (offered -> withdrawn), once; False when there is
    none open (none made, not renewable, renewed, or withdrawn before)."""
    from insuremall.models.policy import RenewalOfferRecord

    try:
        RenewalOfferRecord(pk=f"RENEWAL#{policy_no}", sk="OFFER").update(
            actions=[
                RenewalOfferRecord.status.set("withdrawn"),
                RenewalOfferRecord.withdrawn_reason.set(reason),
                RenewalOfferRecord.withdrawn_at.set(now_iso()),
            ],
            condition=RenewalOfferRecord.status == "offered",
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _offer(r: Any) -> RenewalOffer:
    return RenewalOffer(
        policy_no=r.policy_no,
        customer_id=r.customer_id,
        status=r.status,
        offer=r.offer,
        created_at=r.created_at,
        order_id=r.order_id,
        renewed_by=r.renewed_by,
        withdrawn_reason=r.withdrawn_reason,
    )


def get_renewal_offer(policy_no: str) -> RenewalOffer | None:
    from insuremall.models.policy import RenewalOfferRecord

    try:
        return _offer(RenewalOfferRecord.get(f"RENEWAL#{policy_no}", "OFFER", consistent_read=True))
    except RenewalOfferRecord.DoesNotExist:
        return None


def renewal_offers_of(customer_id: str, limit: int = 50) -> list[RenewalOffer]:
    from insuremall.models.policy import RenewalOfferRecord

    return [
        _offer(r)
        for r in RenewalOfferRecord.by_customer.query(
            f"CUSTOMER#{customer_id}",
            RenewalOfferRecord.gsi1sk.startswith("RENEWAL#"),
            scan_index_forward=False,
            limit=limit,
        )
    ]


def claim_renewal_order(policy_no: str, order_id: str, replacing: str | None) -> bool:
    """Name the offer's renewal order once: concurrent requests get one order. A failed earlier order
    (`replacing`) may be replaced; False when someone else claimed it first."""
    from insuremall.models.policy import RenewalOfferRecord

    offer = RenewalOfferRecord(pk=f"RENEWAL#{policy_no}", sk="OFFER")
    claimable = (
        RenewalOfferRecord.order_id.does_not_exist()
        if replacing is None
        else RenewalOfferRecord.order_id == replacing
    )
    try:
        offer.update(
            actions=[RenewalOfferRecord.order_id.set(order_id)],
            condition=(RenewalOfferRecord.status == "offered") & claimable,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


# ---------- cancelling ----------
def cancel(policy: Policy, cancellation: dict[str, Any], event: dict[str, Any], audit_entry=None) -> bool:
    """in_force -> cancelled with its PolicyCancelled event, cancelled exposures and (for operators
    and customers alike) the audit entry, in one transaction. False if it was no longer in force.
    Sales counters stay as they are: cancellation reports read the PolicyCancelled events."""
    no = policy.policy_no
    at = cancellation["cancelled_at"]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                PolicyRecord(pk=f"POLICY#{no}", sk="POLICY"),
                actions=[
                    PolicyRecord.status.set("cancelled"),
                    PolicyRecord.cancellation.set(cancellation),
                    PolicyRecord.version.add(1),
                ],
                condition=PolicyRecord.status == "in_force",
            )
            for insured in policy.parties["insured"]:
                transaction.update(
                    ExposureRecord(pk=f"INSURED#{insured['insured_key']}", sk=f"POLICY#{no}"),
                    actions=[ExposureRecord.status.set("cancelled")],
                )
            transaction.save(
                DomainEventRecord(
                    pk=f"POLICY#{no}",
                    sk="PolicyCancelled",
                    event_type="PolicyCancelled",
                    occurred_at=at,
                    payload=event,
                    gsi1pk=index_key("PolicyCancelled", at[:10], no),
                    gsi1sk=f"{at}#{no}",
                ),
                condition=DomainEventRecord.pk.does_not_exist(),
            )
            if audit_entry is not None:
                transaction.save(audit_entry, condition=type(audit_entry).pk.does_not_exist())
            if cancellation["refund"]["status"] == "pending":
                transaction.save(PendingRefundRecord(sk=no, cancelled_at=at))
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def record_refund(policy_no: str, cancellation: dict[str, Any]) -> None:
    """Write the cancellation with its refund done and drop it from the pending refunds; writing it
    again changes nothing."""
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.update(
            PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY"),
            actions=[PolicyRecord.cancellation.set(cancellation)],
            condition=PolicyRecord.status == "cancelled",
        )
        transaction.delete(PendingRefundRecord(sk=policy_no))


def pending_refunds(limit: int = 100) -> list[str]:
    """Policies cancelled with a refund not yet paid, oldest first (one partition, no scan)."""
    return [r.sk for r in PendingRefundRecord.query("REFUND#PENDING", limit=limit)]


# ---------- policy documents ----------
def policy_for_document(policy_no: str) -> Policy | None:
    """Read after our own write (the issue transaction, a cancellation): consistent."""
    try:
        return _policy(PolicyRecord.get(f"POLICY#{policy_no}", "POLICY", consistent_read=True))
    except PolicyRecord.DoesNotExist:
        return None


def document_of(policy_no: str) -> dict[str, Any] | None:
    try:
        return PolicyRecord.get(f"POLICY#{policy_no}", "POLICY", consistent_read=True).document
    except PolicyRecord.DoesNotExist:
        return None


def reserve_document(policy_no: str, document: dict[str, Any], policy_version: int = 1) -> dict[str, Any]:
    """Set the policy's document key and first verification code once (with its VERIFY# reference,
    for `policy_version`, the version it will print); a retry gets the first reservation back, so it
    writes to the same key."""
    from insuremall.models.policy import VerificationReference

    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY"),
                actions=[PolicyRecord.document.set(document)],
                condition=PolicyRecord.pk.exists() & PolicyRecord.document.does_not_exist(),
            )
            transaction.save(
                VerificationReference(
                    pk=f"VERIFY#{document['verification_code']}",
                    policy_no=policy_no,
                    policy_version=policy_version,
                ),
                condition=VerificationReference.pk.does_not_exist(),
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        existing = document_of(policy_no)
        if existing is None:
            raise
        return existing
    return document


def reserve_document_version(policy_no: str, version: int, key: str, code: str, new_code: bool) -> str:
    """The verification code printed on `version` of the document, fixed the first time it is asked
    for (with its VERIFY# reference when `new_code`), so a retried render prints the same one."""
    from insuremall.models.policy import DocumentVersionRecord, VerificationReference, document_sk

    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(
                DocumentVersionRecord(
                    pk=f"POLICY#{policy_no}",
                    sk=document_sk(version),
                    policy_version=version,
                    verification_code=code,
                    key=key,
                    reserved_at=now_iso(),
                ),
                condition=DocumentVersionRecord.sk.does_not_exist(),
            )
            if new_code:
                transaction.save(
                    VerificationReference(pk=f"VERIFY#{code}", policy_no=policy_no, policy_version=version),
                    condition=VerificationReference.pk.does_not_exist(),
                )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        return DocumentVersionRecord.get(
            f"POLICY#{policy_no}", document_sk(version), consistent_read=True
        ).verification_code
    return code


def record_document_version(policy_no: str, document: dict[str, Any]) -> bool:
    """The stored file of one version (hash, S3 version), and the policy's current document when it is
    newer than the current one (forward only: a late render of an older version never replaces a newer
    one). True when it became the current document."""
    from insuremall.models.policy import DocumentVersionRecord, document_sk

    version = int(document["policy_version"])
    stored = DocumentVersionRecord(pk=f"POLICY#{policy_no}", sk=document_sk(version))
    stored_actions = [
        DocumentVersionRecord.s3_version_id.set(document["s3_version_id"]),
        DocumentVersionRecord.sha256.set(document["sha256"]),
        DocumentVersionRecord.rendered_at.set(document["rendered_at"]),
    ]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(stored, actions=stored_actions, condition=DocumentVersionRecord.sk.exists())
            transaction.update(
                PolicyRecord(pk=f"POLICY#{policy_no}", sk="POLICY"),
                actions=[PolicyRecord.document.set(document), PolicyRecord.document_version.set(version)],
                condition=PolicyRecord.document.exists()
                & (
                    PolicyRecord.document_version.does_not_exist()
                    | (PolicyRecord.document_version <= version)
                ),
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        stored.update(actions=stored_actions, condition=DocumentVersionRecord.sk.exists())
        return False
    return True


def document_versions(policy_no: str) -> list[dict[str, Any]]:
    """The policy's rendered document versions, oldest first (one query on its partition)."""
    from insuremall.models.policy import DocumentVersionRecord

    return [
        {
            "policy_version": int(r.policy_version),
            "verification_code": r.verification_code,
            "key": r.key,
            "s3_version_id": r.s3_version_id,
            "sha256": r.sha256,
            "rendered_at": r.rendered_at,
        }
        for r in DocumentVersionRecord.query(
            f"POLICY#{policy_no}", DocumentVersionRecord.sk.startswith("DOCUMENT#"), consistent_read=True
        )
    ]


def verification(code: str) -> dict[str, Any] | None:
    """{policy_no, policy_version} a printed code verifies (policy_version None on older codes)."""
    from insuremall.models.policy import VerificationReference

    try:
        found = VerificationReference.get(f"VERIFY#{code}", "VERIFY")
    except VerificationReference.DoesNotExist:
        return None
    version = found.policy_version
    return {"policy_no": found.policy_no, "policy_version": int(version) if version is not None else None}


def _documents_bucket() -> str:
    from insuremall.config import get_settings

    return get_settings().documents_bucket


def stored_document_version(key: str, policy_version: int) -> dict[str, str] | None:
    """The file already written for this policy version (a retry after the upload), if any."""
    from insuremall import aws

    try:
        head = aws.client("s3").head_object(Bucket=_documents_bucket(), Key=key)
    except Exception as exc:  # botocore ClientError 404: nothing written yet
        if getattr(exc, "response", {}).get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    if head.get("Metadata", {}).get("policy-version") != str(policy_version):
        return None
    return {"s3_version_id": head.get("VersionId") or "null", "sha256": head["Metadata"].get("sha256", "")}


def put_document_file(key: str, pdf: bytes, sha256: str, policy_version: int) -> str:
    """A new S3 version under the same key; the bucket keeps the older ones."""
    from insuremall import aws

    answer = aws.client("s3").put_object(
        Bucket=_documents_bucket(),
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        Metadata={"sha256": sha256, "policy-version": str(policy_version)},
    )
    return answer.get("VersionId") or "null"


def document_download_url(key: str, s3_version_id: str, filename: str, seconds: int = 300) -> str:
    """A presigned GET for one version. Locally (DOCUMENTS_PUBLIC_BASE, set only by the local
    platform) the S3 host is swapped for the local gateway's route that serves the embedded S3."""
    import os
    from urllib.parse import urlsplit

    from insuremall import aws

    params = {
        "Bucket": _documents_bucket(),
        "Key": key,
        "ResponseContentType": "application/pdf",
        "ResponseContentDisposition": f'inline; filename="{filename}"',
    }
    if s3_version_id and s3_version_id != "null":
        params["VersionId"] = s3_version_id
    url = aws.client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    public_base = os.environ.get("DOCUMENTS_PUBLIC_BASE")
    if public_base:
        parts = urlsplit(url)
        virtual_host = parts.netloc.startswith(f"{params['Bucket']}.")
        path = f"/{params['Bucket']}{parts.path}" if virtual_host else parts.path
        url = f"{public_base.rstrip('/')}{path}?{parts.query}"
    return url


# ---------- endorsements ----------
def endorse(policy: Policy, parties: dict[str, Any], endorsement: dict[str, Any]) -> bool:
    """The new parties as version+1 with its endorsement item, in one transaction, only if the policy
    is still in force at the version we read (so two concurrent endorsements cannot lose one)."""
    from insuremall.models.policy import EndorsementRecord

    no, version = policy.policy_no, policy.version
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                PolicyRecord(pk=f"POLICY#{no}", sk="POLICY"),
                actions=[PolicyRecord.parties.set(parties), PolicyRecord.version.set(version + 1)],
                condition=(PolicyRecord.status == "in_force") & (PolicyRecord.version == version),
            )
            transaction.save(
                EndorsementRecord(
                    pk=f"POLICY#{no}",
                    sk=f"ENDORSEMENT#{version + 1:04d}",
                    policy_version=version + 1,
                    **endorsement,
                ),
                condition=EndorsementRecord.pk.does_not_exist(),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def endorsements_of(policy_no: str) -> list[dict[str, Any]]:
    from insuremall.models.policy import EndorsementRecord

    return [
        {
            "policy_version": int(r.policy_version),
            "effective_date": r.effective_date,
            "changes": r.changes,
            "endorsed_at": r.endorsed_at,
        }
        for r in EndorsementRecord.query(
            f"POLICY#{policy_no}", EndorsementRecord.sk.startswith("ENDORSEMENT#")
        )
    ]
