"""The policy document as a PDF: everything the policyholder needs on paper, ID numbers masked, and a
QR code that opens the public verification page. Pure: a policy dict in, PDF bytes out.

reportlab is imported inside `render` so the policy API and tasks do not pay for it at cold start.
Text uses reportlab's CID font STSong-Light (Adobe-GB1): Chinese and Latin without embedding a font
file; PDF viewers supply the glyphs."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from insuremall.money import round_money
from insuremall.privacy import masked_party

FONT = "STSong-Light"
_BASE32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: people may type it from paper


def new_verification_code() -> str:
    """20 characters from 32 symbols: 100 bits, not guessable."""
    return "".join(secrets.choice(_BASE32) for _ in range(20))


def verification_url(storefront_base: str, code: str) -> str:
    return f"{storefront_base.rstrip('/')}/verify.html?code={code}"


def _money(yuan: Any) -> str:
    """An amount in CNY ("169.00", 1000000 or a Decimal) as printed: half-up to the fen, no float."""
    return f"CNY {round_money(Decimal(str(yuan))):,f}"


def _term(term: Any) -> str:
    return str(term.get("name") or term.get("code", "")) if isinstance(term, dict) else str(term or "")


def _party_line(person: dict[str, Any]) -> str:
    shown = masked_party(person)
    parts = [shown.get("name", "")]
    if shown.get("id_number"):
        parts.append(f"{shown.get('id_type', 'ID')}: {shown['id_number']}")
    if shown.get("relation"):
        parts.append(f"relation: {shown['relation']}")
    if shown.get("share") is not None:
        parts.append(f"share: {shown['share']}%")
    return ", ".join(str(p) for p in parts if p)


def document_lines(policy: dict[str, Any]) -> list[tuple[str, str]]:
    """(style, text) rows in print order; style is one of title, heading, text."""
    snapshot = policy["product_snapshot"]
    premium = policy["premium"]
    parties = policy["parties"]
    rows: list[tuple[str, str]] = [
        ("title", f"{snapshot['insurer_name']} - Policy {policy['policy_no']}"),
        ("text", f"Product: {snapshot['name']}"),
        ("text", f"Plan: {snapshot['plan']['name']}    Term: {_term(snapshot.get('term'))}"),
        ("text", f"Period of cover: {policy['start_date']} to {policy['end_date']}"),
        (
            "text",
            f"Status: {policy['status']}    Issued: {policy['issued_at'][:10]}"
            f"    Version: {policy.get('version', 1)}",
        ),
        ("text", f"Premium: {_money(premium['total'])}"),
        ("text", f"Sum insured: {_money(policy['sum_insured'])}"),
        ("heading", "Coverages"),
    ]
    for coverage in snapshot["plan"].get("coverages", []):
        name = coverage.get("name") or coverage.get("code", "")
        amount = coverage.get("sum_insured", coverage.get("limit"))
        rows.append(("text", f"- {name}: {_money(amount)}" if amount is not None else f"- {name}"))
    rows.append(("heading", "Policyholder"))
    rows.append(("text", _party_line(parties["policyholder"])))
    contact = masked_party({k: v for k, v in parties["policyholder"].items() if k in ("phone", "email")})
    if contact:  # changes by endorsement, so the printed copy shows the current one (masked)
        rows.append(("text", "Contact: " + ", ".join(contact[k] for k in ("phone", "email") if k in contact)))
    rows.append(("heading", "Insured persons"))
    rows += [("text", _party_line(p)) for p in parties["insured"]]
    rows.append(("heading", "Beneficiaries"))
    if parties.get("beneficiaries"):
        rows += [("text", _party_line(p)) for p in parties["beneficiaries"]]
    else:
        rows.append(("text", "Legal heirs of the insured"))
    rows.append(("heading", "Terms summary"))
    rows.append(("text", snapshot.get("terms_summary") or "See the policy wording."))
    if policy.get("cooling_off_until"):
        rows.append(
            ("text", f"Cooling-off period until {policy['cooling_off_until']}: full refund on cancellation.")
        )
    return rows


def render(policy: dict[str, Any], verify_url: str) -> bytes:
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    styles = {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName=FONT, fontSize=11.5, leading=16, spaceBefore=8),
        "text": ParagraphStyle("text", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK"),
    }
    story: list[Any] = [Paragraph(escape(text), styles[style]) for style, text in document_lines(policy)]
    qr = QrCodeWidget(verify_url)
    left, bottom, right, top = qr.getBounds()
    size = 32 * mm
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(qr)
    story += [
        Spacer(1, 6 * mm),
        drawing,
        Paragraph(escape(f"Verify this policy: {verify_url}"), styles["text"]),
    ]
    out = BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Policy {policy['policy_no']}",
        author=policy["product_snapshot"]["insurer_name"],
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        invariant=1,  # same input, same bytes: a retry re-renders an identical file
    ).build(story)
    return out.getvalue()
