"""The policy document as a PDF: the policy schedule a policyholder keeps, in Chinese and English,
ID numbers masked, the insurer's hotline and the exclusions, and a QR code that opens the public
verification page. Pure: a policy dict in, PDF bytes out.

reportlab is imported inside `render` so the policy API and tasks do not pay for it at cold start.
Text is set in WenQuanYi Micro Hei (`policy/fonts/wqy-microhei.ttc`, Apache-2.0, licence beside it),
embedded as subsets, so a Chinese name prints on a reader that has no CJK font of its own."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from insuremall import labels
from insuremall.clock import china_day
from insuremall.money import round_money
from insuremall.privacy import masked_party

FONT = "WenQuanYiMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")  # under functions/policy, shipped with both policy functions
_BASE32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: people may type it from paper


def new_verification_code() -> str:
    """20 characters from 32 symbols: 100 bits, not guessable."""
    return "".join(secrets.choice(_BASE32) for _ in range(20))


def verification_url(storefront_base: str, code: str) -> str:
    return f"{storefront_base.rstrip('/')}/verify.html?code={code}"


def _money(yuan: Any) -> str:
    """An amount in CNY ("169.00", 1000000 or a Decimal) as printed: half-up to the fen, no float."""
    return f"CNY {round_money(Decimal(str(yuan))):,f}"


def _bi(chinese: str, english: str) -> str:
    return labels.bilingual(chinese, english)


def _two_lines(chinese: str, english: str) -> str:
    return f"{chinese}\n{english}"  # longer wording: the Chinese, the English under it


def _china_day(instant: str) -> str:
    """The calendar day in China of an ISO instant (issued 23:30 UTC is the next day in Beijing)."""
    try:
        return china_day(datetime.fromisoformat(instant)).isoformat()
    except (TypeError, ValueError):
        return str(instant or "")[:10]


def _id_document(person: dict[str, Any]) -> str:
    if not person.get("id_number"):
        return ""
    return f"{labels.label(labels.ID_TYPE, person.get('id_type'))}\n{person['id_number']}"


def _contact(holder: dict[str, Any]) -> str:
    # Changes by endorsement, so the printed copy shows the current one (masked).
    shown = masked_party({k: v for k, v in holder.items() if k in ("phone", "email")})
    return "\n".join(shown[k] for k in ("phone", "email") if k in shown)


def _relation(person: dict[str, Any]) -> str:
    return labels.label(labels.RELATION, person["relation"]) if person.get("relation") else ""


def _option_name(snapshot: dict[str, Any], option: Any) -> str:
    if isinstance(option, dict):  # the product's own shape, {"code", "name", ...}
        return str(option.get("name") or labels.label({}, option.get("code")))
    return (snapshot.get("option_names") or {}).get(option) or labels.label({}, option)


def schedule(policy: dict[str, Any]) -> list[tuple]:
    """The schedule's sections in print order, every code put into words:
    ("fields", title, rows of one or two (label, value) pairs), ("table", title, headers, rows),
    ("list", title, items) and ("text", title, paragraph). Personal data is masked here, before layout."""
    snapshot = policy["product_snapshot"]
    parties = policy["parties"]
    start, end = policy["start_date"], policy["end_date"]
    fields = [  # rows of one or two (label, value) pairs
        [
            (_bi("产品名称", "Product"), snapshot["name"]),
            (_bi("保险人", "Insurer"), snapshot["insurer_name"]),
        ],
        [
            (_bi("保障计划", "Plan"), snapshot["plan"]["name"]),
            (_bi("保险期限", "Term"), labels.term_label(snapshot.get("term"))),
        ],
        [
            (
                _bi("保险期间", "Period of cover"),
                _two_lines(
                    f"自 {start} 零时起至 {end} 二十四时止（北京时间）",
                    f"From {start} 00:00 to {end} 24:00, China time",
                ),
            )
        ],
        [
            (_bi("保单状态", "Status"), labels.label(labels.POLICY_STATUS, policy["status"])),
            (_bi("签发日期", "Issued on"), _china_day(policy["issued_at"])),
        ],
        [
            (_bi("保费", "Premium"), _money(policy["premium"]["total"])),
            (_bi("保险金额", "Sum insured"), _money(policy["sum_insured"])),
        ],
        [(_bi("保单版本", "Policy version"), str(policy.get("version", 1)))],
    ]
    cancelled_on = (policy.get("cancellation") or {}).get("cancelled_on")
    if cancelled_on:
        fields[-1].append((_bi("退保日期", "Cancelled on"), cancelled_on))
    benefits = []
    for coverage in snapshot["plan"].get("coverages", []):
        amount = coverage.get("sum_insured", coverage.get("limit"))
        name = coverage.get("name") or labels.label({}, coverage.get("code"))
        benefits.append([name, _money(amount) if amount is not None else ""])
    benefits += [
        [f"{_bi('附加', 'Option')}: {_option_name(snapshot, option)}", _bi("已投保", "Included")]
        for option in snapshot.get("options") or []
    ]
    holder = masked_party(parties["policyholder"])
    insured = [
        [p.get("name", ""), _relation(p), labels.label(labels.GENDER, p.get("gender")), _id_document(p)]
        for p in map(masked_party, parties["insured"])
    ]
    name, id_document = _bi("姓名", "Name"), _bi("证件", "ID document")
    sections: list[tuple] = [
        ("fields", _bi("保单信息", "Policy details"), fields),
        (
            "table",
            _bi("保障内容", "Coverages"),
            [_bi("保障项目", "Benefit"), _bi("保险金额", "Sum insured")],
            benefits,
        ),
        (
            "table",
            _bi("投保人", "Policyholder"),
            [name, id_document, _bi("联系方式", "Contact")],
            [[holder.get("name", ""), _id_document(holder), _contact(parties["policyholder"])]],
        ),
        (
            "table",
            _bi("被保险人", "Insured"),
            [name, _bi("与投保人关系", "Relation to policyholder"), _bi("性别", "Gender"), id_document],
            insured,
        ),
    ]
    if parties.get("beneficiaries"):
        beneficiaries = [
            [
                p.get("name", ""),
                _relation(p),
                f"{p['share']}%" if p.get("share") is not None else "",
                _id_document(p),
            ]
            for p in map(masked_party, parties["beneficiaries"])
        ]
        sections.append(
            (
                "table",
                _bi("身故受益人", "Beneficiaries"),
                [name, _bi("与被保险人关系", "Relation to insured"), _bi("受益比例", "Share"), id_document],
                beneficiaries,
            )
        )
    elif any("death" in str(c.get("code", "")) for c in snapshot["plan"].get("coverages", [])):
        # A death benefit with no one named goes to the insured's legal heirs; cover that pays
        # nothing on death (medical, home) has no beneficiary to print.
        sections.append(
            ("text", _bi("身故受益人", "Beneficiaries"), _bi("法定继承人", "The insured's legal heirs"))
        )
    exclusions = [str(e) for e in snapshot.get("exclusions") or []]
    sections.append(
        (
            "list",
            _bi("责任免除", "Exclusions"),
            exclusions or [_bi("详见保险条款", "As set out in the policy wording")],
        )
    )
    sections.append(
        (
            "text",
            _bi("条款摘要", "Terms summary"),
            snapshot.get("terms_summary") or _bi("详见保险条款", "See the policy wording"),
        )
    )
    # Only a policy in force can still be cancelled; old snapshots lack cooling_off_days; a product
    # without a cooling-off period gets no such promise.
    if (
        policy["status"] == "in_force"
        and int(snapshot.get("cooling_off_days", 1) or 0) > 0
        and policy.get("cooling_off_until")
    ):
        day = policy["cooling_off_until"]
        sections.append(
            (
                "text",
                _bi("犹豫期", "Cooling-off period"),
                _two_lines(
                    f"{day}（含）前退保，全额退还保费。", f"Cancel by {day} for a full refund of the premium."
                ),
            )
        )
    sections.append(
        (
            "text",
            _bi("重要提示", "Important"),
            _two_lines(
                "本保险单是保险合同的组成部分，请与保险条款一并阅读并妥善保管。",
                "This schedule forms part of the insurance contract: read it with the policy wording"
                " and keep it.",
            ),
        )
    )
    return sections


def service_line(snapshot: dict[str, Any]) -> str:
    """Who to call: the insurer's hotline as sold (a snapshot from before hotlines were kept has none)."""
    hotline = snapshot.get("insurer_hotline")
    if not hotline:
        return _two_lines(
            "理赔报案及咨询请联系保险人。", f"For claims and questions contact {snapshot['insurer_name']}."
        )
    return _two_lines(f"理赔报案及咨询热线：{hotline}", f"Claims and service hotline: {hotline}")


def _register_font() -> None:
    import os

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), *FONT_FILE)
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))  # only the glyphs used are embedded


def render(policy: dict[str, Any], verify_url: str) -> bytes:
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.graphics.barcode.qr import QrCode
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    snapshot = policy["product_snapshot"]
    hotline = snapshot.get("insurer_hotline")
    ink, brand, muted, rule, shade = map(
        colors.HexColor, ("#1f2933", "#0b4f6c", "#52606d", "#c5ced6", "#eef3f6")
    )
    margin = 18 * mm
    width = A4[0] - 2 * margin

    def style(name: str, size: float, color: Any = ink, align: int = 0) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=FONT, fontSize=size, leading=size * 1.38, textColor=color, alignment=align
        )

    text, small, caption = style("text", 8.8), style("small", 7.6, muted), style("caption", 7.6, brand)

    def para(value: str, st: ParagraphStyle = text) -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), st)

    def label(value: str) -> Paragraph:
        return para(value.replace(" / ", "\n", 1), caption)  # Chinese caption, English under it

    def table(rows: list, shares: list[float], *commands: tuple, **kw: Any) -> Table:
        # Cells in our font too (Table defaults to Helvetica): the PDF names no font it does not embed.
        grid = Table(rows, colWidths=[width * share for share in shares], **kw)
        grid.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands]))
        return grid

    def bar(title: str) -> Table:
        return table(
            [[para(title, style("heading", 10, colors.white))]],
            [1],
            ("BACKGROUND", (0, 0), (-1, -1), brand),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        )

    ruled = (
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, rule),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    )
    columns = {2: [0.62, 0.38], 3: [0.24, 0.42, 0.34], 4: [0.2, 0.25, 0.2, 0.35]}

    header = table(
        [
            [
                para(snapshot["insurer_name"], style("insurer", 15, brand)),
                para(_bi("客服热线", "Service hotline") if hotline else "", style("hl", 7.6, muted, 2)),
            ],
            [
                para(_bi("保险单", "Policy Schedule"), style("doc", 11.5)),
                para(hotline or "", style("tel", 13, brand, 2)),
            ],
            [para(f"{_bi('保单号', 'Policy No.')}  {policy['policy_no']}", style("no", 9.5)), ""],
        ],
        [0.68, 0.32],
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, -1), (-1, -1), 1.2, brand),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
    )
    story: list[Any] = [header, Spacer(1, 4 * mm)]
    for kind, title, *content in schedule(policy):
        if kind == "fields":  # label, value, label, value; a row with one pair spans the line
            rows = [
                [cell for text_, value in row for cell in (label(text_), para(value))] for row in content[0]
            ]
            spans = [("SPAN", (1, i), (3, i)) for i, row in enumerate(content[0]) if len(row) == 1]
            body = table(
                [row + [""] * (4 - len(row)) for row in rows], [0.16, 0.34, 0.16, 0.34], *ruled, *spans
            )
        elif kind == "table":
            headers, rows = content
            body = table(
                [[label(h) for h in headers]] + [[para(str(c)) for c in row] for row in rows],
                columns[len(headers)],
                *ruled,
                ("BACKGROUND", (0, 0), (-1, 0), shade),
                repeatRows=1,
            )
        elif kind == "list":
            body = table(
                [[para(f"{n}.", text), para(item)] for n, item in enumerate(content[0], 1)],
                [0.05, 0.95],
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            )
        else:
            body = table([[para(content[0])]], [1])
        story += [KeepTogether([bar(title), body]), Spacer(1, 3 * mm)]

    size = 28 * mm
    drawing = QrCode(verify_url, width=size, height=size)  # the flowable: straight to the canvas, fast
    how_to_verify = _two_lines(
        "扫描二维码或访问以下网址，核对保单是否真实有效：",
        "Scan the code or open the address below to check that this policy is genuine:",
    )
    verify = table(
        [
            [
                drawing,
                [
                    para(_bi("保单真伪验证", "Verify this policy"), style("vh", 9.5, brand)),
                    para(how_to_verify, small),
                    para(verify_url, small),
                    Spacer(1, 2.5 * mm),
                    para(service_line(snapshot), style("service", 9.5, brand)),
                ],
            ]
        ],
        [(size + 4 * mm) / width, 1 - (size + 4 * mm) / width],
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
        ("LINEABOVE", (0, 0), (-1, 0), 0.6, rule),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
    )
    story.append(KeepTogether([Spacer(1, 1 * mm), verify]))

    footer = f"{_bi('保单号', 'Policy No.')} {policy['policy_no']}"
    if hotline:
        footer += f"    {_bi('客服热线', 'Hotline')} {hotline}"

    class NumberedCanvas(Canvas):
        """Holds each page until the end so that every footer can say "Page 1 of 2"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for page in self._held:
                self.__dict__.update(page)
                self.setFont(FONT, 7.2)
                self.setFillColor(muted)
                self.drawString(margin, 10 * mm, footer)
                n, total = self._pageNumber, len(self._held)
                of = _bi(f"第 {n} 页，共 {total} 页", f"Page {n} of {total}")
                self.drawRightString(A4[0] - margin, 10 * mm, of)
                super().showPage()
            super().save()

    out = BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Policy {policy['policy_no']}",
        author=snapshot["insurer_name"],
        leftMargin=margin,
        rightMargin=margin,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        initialFontName=FONT,  # not Helvetica: the PDF holds no font it does not embed, used or not
        invariant=1,  # same input, same bytes: a retry re-renders an identical file
    ).build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()
