"""PolicyTable: policies, the order->policy reference, insured exposure, referrals, counters.

Keys: POLICY#<no>/POLICY; ORDER#<order_id>/POLICY (one policy per order);
ORDER#<order_id>/UNDERWRITING (the decision, reused on retries); INSURED#<key>/POLICY#<no>
(sum insured per person); VERIFY#<code>/VERIFY (a document version's verification code -> policy);
POLICY#<no>/DOCUMENT#<0000 version> (each rendered document version);
REFERRAL#<order_id>/REFERRAL; COUNTER#POLICYNO/<yyyymmdd>; REFUND#PENDING/<no> (cancellation refunds
not yet paid, for the retry task).
GSI byCustomer: gsi1pk=CUSTOMER#<sub>, gsi1sk=<issued_at>#<no>; also REFERRAL#PENDING for open referrals.
GSI byEndDate: gsi2pk=END#<yyyy-mm-dd>#<shard>, gsi2sk=<no> (renewals and expiry read one day's shards).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from insuremall.models import meta


class PolicyByCustomer(GlobalSecondaryIndex):
    class Meta:
        index_name = "byCustomer"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class PolicyByEndDate(GlobalSecondaryIndex):
    class Meta:
        index_name = "byEndDate"
        projection = KeysOnlyProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class PolicyRecord(Model):
    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="POLICY")
    policy_no = UnicodeAttribute()
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()  # in_force | cancelled | expired
    product_id = UnicodeAttribute()
    product_snapshot = JSONAttribute()
    plan = UnicodeAttribute()
    term = UnicodeAttribute()
    sum_insured = NumberAttribute()
    premium_cents = NumberAttribute()
    premium = JSONAttribute()
    parties = JSONAttribute()
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute()
    issued_at = UnicodeAttribute()
    channel = UnicodeAttribute()
    cooling_off_until = UnicodeAttribute(null=True)
    # Set when cancelled: reason, day, rule, refund (status pending -> refunded, or none).
    cancellation = JSONAttribute(null=True)
    version = NumberAttribute(default=1)
    # The current document: {key, verification_code, sha256, s3_version_id, policy_version, rendered_at,
    # verify_url}; reserved once on issue, then replaced by each newer version (DocumentVersionRecord)
    document = JSONAttribute(null=True)
    document_version = NumberAttribute(null=True)  # document's policy_version, for forward-only writes
    renewal_of = UnicodeAttribute(null=True)  # the policy this one renews
    renewed_by = UnicodeAttribute(null=True)  # the policy that renewed this one
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()

    by_customer = PolicyByCustomer()
    by_end_date = PolicyByEndDate()


class PolicyReference(Model):
    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="POLICY")
    policy_no = UnicodeAttribute()


class VerificationReference(Model):
    """VERIFY#<code>/VERIFY -> the policy (and document version) a printed QR code verifies (no scan
    to look it up). Each document version prints its own code, so a superseded copy is told apart."""

    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="VERIFY")
    policy_no = UnicodeAttribute()
    policy_version = NumberAttribute(null=True)  # absent on codes reserved before versions had codes


class DocumentVersionRecord(Model):
    """POLICY#<no>/DOCUMENT#<0000 version>: one rendered version of a policy's document (its own
    verification code and S3 version), kept when a newer version supersedes it."""

    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    policy_version = NumberAttribute()
    verification_code = UnicodeAttribute()
    key = UnicodeAttribute()
    reserved_at = UnicodeAttribute()
    s3_version_id = UnicodeAttribute(null=True)  # set once the file is stored
    sha256 = UnicodeAttribute(null=True)
    rendered_at = UnicodeAttribute(null=True)


def document_sk(policy_version: int) -> str:
    return f"DOCUMENT#{int(policy_version):04d}"


class UnderwritingRecord(Model):
    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="UNDERWRITING")
    decision = JSONAttribute()
    decided_at = UnicodeAttribute()
    decided_by = UnicodeAttribute()  # "rules" or an operator's sub


class ExposureRecord(Model):
    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    product_kind = UnicodeAttribute()
    sum_insured = NumberAttribute()
    status = UnicodeAttribute()
    end_date = UnicodeAttribute()


class ReferralRecord(Model):
    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="REFERRAL")
    order_id = UnicodeAttribute()
    task_token = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | accepted | declined
    reasons = JSONAttribute()
    summary = JSONAttribute()
    created_at = UnicodeAttribute()
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)  # REFERRAL#PENDING while open (sparse)
    gsi1sk = UnicodeAttribute(null=True)

    by_customer = PolicyByCustomer()


class CounterRecord(Model):
    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)


class RenewalOfferRecord(Model):
    """RENEWAL#<policy_no>/OFFER: one offer per policy term, re-rated at current rates."""

    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="OFFER")
    policy_no = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()  # offered | not_renewable | renewed | withdrawn (renewal.STATUSES)
    offer = JSONAttribute()
    created_at = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)  # the renewal order; replaced only once that order has failed
    renewed_by = UnicodeAttribute(null=True)
    withdrawn_reason = UnicodeAttribute(null=True)  # set when its policy was cancelled
    withdrawn_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    by_customer = PolicyByCustomer()


class EndorsementRecord(Model):
    """POLICY#<no>/ENDORSEMENT#<0000 version>: one change of a policy, written with the new version."""

    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    policy_version = NumberAttribute()
    effective_date = UnicodeAttribute()
    changes = JSONAttribute()  # {field: {from, to}}, unmasked; masked when shown
    endorsed_at = UnicodeAttribute()
    endorsed_by = UnicodeAttribute()


class PendingRefundRecord(Model):
    """REFUND#PENDING/<policy_no>: written with a cancellation whose refund is pending, deleted with
    the refund's record; the retry task reads this one partition."""

    Meta = meta("policy_table")

    pk = UnicodeAttribute(hash_key=True, default="REFUND#PENDING")
    sk = UnicodeAttribute(range_key=True)
    cancelled_at = UnicodeAttribute()
