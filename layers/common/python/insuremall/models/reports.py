"""ReportsTable: sales figures per China day and dimension value, kept by the reports capability from the
events stream (never inside a sale's transaction), and the markers that make each event count once.

Keys:
- figures: pk=SALES#<yyyy-mm-dd>#<dimension>, sk=<value>; attributes `name` and one number per figure
  (reports.domain.figures.FIGURES). A statistics query reads one partition per day and dimension: its cost
  follows days x values, never the number of policies.
- counted event: pk=COUNTED#<event id>, sk="-", written in the same transaction as the staged sums its
  events added; `expires_at` (TTL) drops it after the stream's retention has long passed.
- staged sums: pk=STAGED#<lane 00-15>, sk=<staged id>: a chunk's (or a merge's) summed figures, JSON rows,
  between counting and being folded into the figures (reports.counting); a folded item is deleted in the
  transaction that writes its figures, so each is folded once.
- export: pk=EXPORT, sk=<made_at>#<key>: the exports made, newest first.
- export job: pk=EXPORTJOB, sk=<job id>: an export an operator asked for (a custom range, or every policy
  issued or cancelled in a period); job ids begin with the time they were asked, so a reverse query lists
  them newest first.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta


class SalesFigures(Model):
    Meta = meta("reports_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute(null=True)
    # One per figure of reports.domain.figures.FIGURES (a unit test keeps the two equal).
    policies_issued = NumberAttribute(null=True)
    gross_premium_cents = NumberAttribute(null=True)
    discounts_cents = NumberAttribute(null=True)
    new_business = NumberAttribute(null=True)
    renewals = NumberAttribute(null=True)
    policies_cancelled = NumberAttribute(null=True)
    refunded_cents = NumberAttribute(null=True)
    quotes = NumberAttribute(null=True)
    orders = NumberAttribute(null=True)
    paid = NumberAttribute(null=True)
    declined = NumberAttribute(null=True)
    referred = NumberAttribute(null=True)


class StagedSums(Model):
    Meta = meta("reports_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    rows = JSONAttribute()
    staged_at = UnicodeAttribute()


class CountedEvent(Model):
    Meta = meta("reports_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="-")
    counted_at = UnicodeAttribute()
    expires_at = NumberAttribute()


class ExportRecord(Model):
    """One export made: pk=EXPORT, sk=<made_at>#<key> (newest first by a reverse query)."""

    Meta = meta("reports_table")

    pk = UnicodeAttribute(hash_key=True, default="EXPORT")
    sk = UnicodeAttribute(range_key=True)
    key = UnicodeAttribute()
    kind = UnicodeAttribute()  # daily, weekly, monthly, custom, detail
    period_from = UnicodeAttribute()
    period_to = UnicodeAttribute()
    file_format = UnicodeAttribute()  # csv, xlsx, json
    size_bytes = NumberAttribute()
    made_at = UnicodeAttribute()


class ExportJob(Model):
    """An export job: pending until ReportsTasksFunction has written its files, then ready (or failed)."""

    Meta = meta("reports_table")

    pk = UnicodeAttribute(hash_key=True, default="EXPORTJOB")
    sk = UnicodeAttribute(range_key=True)  # the job id
    kind = UnicodeAttribute()  # range, detail
    period_from = UnicodeAttribute()
    period_to = UnicodeAttribute()
    status = UnicodeAttribute()  # pending, ready, failed
    reason = UnicodeAttribute(null=True)  # why it failed
    requested_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    keys = ListAttribute(of=UnicodeAttribute, null=True)  # its files in the reports bucket
    rows = NumberAttribute(null=True)  # policy rows (detail) or dimension rows (range)
