"""The policy PDF: what a policyholder must find on paper, and what must not be there."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from policy.domain import policy_document

RAW_ID = "110101199003074578"


def sample_policy() -> dict:
    return {
        "policy_no": "PICC20261125000042",
        "status": "in_force",
        "product_snapshot": {
            "name": "Accident Guard",
            "insurer_name": "PICC Property and Casualty",
            "plan": {
                "name": "Standard",
                "coverages": [
                    {
                        "code": "accidental_death",
                        "name": "Accidental death and disability",
                        "sum_insured": 500000,
                    }
                ],
            },
            "term": {"code": "1y", "name": "1 year"},
            "terms_summary": "Covers accidents worldwide, 24 hours a day.",
        },
        "premium": {"total": "128.00", "currency": "CNY"},
        "sum_insured": 500000,
        "parties": {
            "policyholder": {
                "name": "王芳",
                "id_type": "prc_id",
                "id_number": RAW_ID,
                "phone": "13812345678",
            },
            "insured": [
                {"name": "王芳", "id_type": "prc_id", "id_number": RAW_ID, "insured_key": "secret-key"}
            ],
            "beneficiaries": [
                {
                    "name": "Li Lei",
                    "id_type": "passport",
                    "id_number": "E12345678",
                    "share": 100,
                    "relation": "spouse",
                }
            ],
        },
        "start_date": "2026-11-26",
        "end_date": "2027-11-25",
        "issued_at": "2026-11-25T10:00:00.000+00:00",
        "cooling_off_until": "2026-12-10",
    }


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_given_an_issued_policy_when_rendered_then_the_pdf_names_policy_product_coverage_and_period():
    pdf = policy_document.render(sample_policy(), "https://shop.example/verify.html?code=ABC")
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in (
        "PICC20261125000042",
        "Accident Guard",
        "Standard",
        "Accidental death and disability",
        "2026-11-26",
        "2027-11-25",
        "128.00",
        "PICC Property and Casualty",
        "verify.html?code=ABC",
    ):
        assert expected in text, expected


def test_given_a_chinese_name_when_rendered_then_it_extracts_as_written():
    assert "王芳" in text_of(
        policy_document.render(sample_policy(), "https://shop.example/verify.html?code=X")
    )


def test_given_id_numbers_when_rendered_then_only_masked_ids_appear():
    text = text_of(policy_document.render(sample_policy(), "https://shop.example/verify.html?code=X"))
    assert RAW_ID not in text and "E12345678" not in text and "13812345678" not in text
    assert "110***********4578" in text
    assert "secret-key" not in text


def test_given_the_same_policy_when_rendered_twice_then_the_bytes_are_identical():
    policy = sample_policy()
    assert policy_document.render(policy, "u") == policy_document.render(policy, "u")


def font_dicts(pdf: bytes) -> list:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts += [ref.get_object() for ref in page["/Resources"]["/Font"].values()]
    return fonts


def travel_policy() -> dict:
    """A travel policy as issue builds it now: codes on the policy, hotline and exclusions in the snapshot."""
    policy = sample_policy()
    policy["product_snapshot"] |= {
        "name": "Asia Explorer Travel",
        "insurer_name": "Jade Property & Casualty",
        "insurer_hotline": "400-820-0202",
        "term": {"code": "7D", "label": "7 days", "days": 7},
        "cooling_off_days": 0,
        "exclusions": ["Pre-existing medical conditions", "Travel against government advice"],
        "options": ["winter_sports"],
        "option_names": {"winter_sports": "Winter sports"},
    }
    policy["parties"]["policyholder"]["gender"] = "F"
    policy["parties"]["insured"] = [
        {"name": "张三丰", "id_type": "prc_id", "id_number": RAW_ID, "relation": "child", "gender": "M"}
    ]
    return policy


def test_given_a_chinese_insured_name_when_rendered_then_its_font_is_embedded_and_the_name_extracts():
    pdf = policy_document.render(travel_policy(), "https://shop.example/verify.html?code=X")
    fonts = font_dicts(pdf)
    assert fonts
    for font in fonts:  # a TrueType subset with its glyphs in the file, not a CID or base-14 reference
        assert font["/Subtype"] == "/TrueType", font
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font
        assert "+WenQuanYiMicroHei" in font["/BaseFont"]
    assert b"STSong" not in pdf
    assert "张三丰" in text_of(pdf)


def test_given_codes_on_the_policy_when_rendered_then_the_pdf_prints_words_in_chinese_and_english():
    text = text_of(policy_document.render(travel_policy(), "https://shop.example/verify.html?code=X"))
    for words in (
        "7天 / 7 days",
        "有效 / In force",
        "居民身份证 / PRC resident ID card",
        "护照 / Passport",
        "子女 / Child",
        "配偶 / Spouse",
        "男 / Male",
        "Winter sports",
        "被保险人 / Insured",
    ):
        assert words in text, words
    for code in ("in_force", "prc_id", "passport", "relation", "spouse", "winter_sports"):
        assert code not in text, code
    assert not re.search(r"\b7D\b", text)


def test_given_the_snapshot_hotline_and_exclusions_when_rendered_then_both_are_printed():
    text = text_of(policy_document.render(travel_policy(), "https://shop.example/verify.html?code=X"))
    assert "客服热线 / Service hotline" in text and "400-820-0202" in text
    assert "Claims and service hotline: 400-820-0202" in text
    assert "责任免除 / Exclusions" in text
    assert "Pre-existing medical conditions" in text and "Travel against government advice" in text


def test_given_an_old_snapshot_without_hotline_or_exclusions_when_rendered_then_it_says_whom_to_ask():
    policy = sample_policy()  # no insurer_hotline, no exclusions, no option_names, no gender
    policy["product_snapshot"]["options"] = ["sudden_death"]
    text = text_of(policy_document.render(policy, "https://shop.example/verify.html?code=X"))
    assert "For claims and questions contact PICC Property and Casualty" in text
    assert "As set out in the policy wording" in text
    assert "Sudden death" in text and "sudden_death" not in text


def test_given_a_product_without_cooling_off_when_rendered_then_no_cooling_off_refund_is_promised():
    text = text_of(policy_document.render(travel_policy(), "https://shop.example/verify.html?code=X"))
    assert "Cooling-off" not in text and "full refund" not in text
    with_cooling_off = text_of(
        policy_document.render(sample_policy(), "https://shop.example/verify.html?code=X")
    )
    assert "Cancel by 2026-12-10 for a full refund of the premium." in with_cooling_off


def test_given_a_cancelled_policy_when_rendered_then_it_says_cancelled_and_when_and_promises_no_refund():
    policy = sample_policy() | {"status": "cancelled", "cancellation": {"cancelled_on": "2026-12-01"}}
    text = text_of(policy_document.render(policy, "https://shop.example/verify.html?code=X"))
    assert "已退保 / Cancelled" in text and "Cancelled on" in text and "2026-12-01" in text
    assert "full refund" not in text and "cancelled" not in text


def test_given_cover_with_or_without_a_death_benefit_when_rendered_then_beneficiaries_only_with_one():
    accident = sample_policy()  # accidental death cover, nobody named
    accident["parties"]["beneficiaries"] = []
    assert "The insured's legal heirs" in text_of(
        policy_document.render(accident, "https://shop.example/verify.html?code=X")
    )
    home = sample_policy()
    home["parties"]["beneficiaries"] = []
    home["product_snapshot"]["plan"]["coverages"] = [
        {"code": "building", "name": "Building", "sum_insured": 1}
    ]
    text = text_of(policy_document.render(home, "https://shop.example/verify.html?code=X"))
    assert "Beneficiaries" not in text and "legal heirs" not in text


def test_given_an_issue_late_in_the_utc_day_when_rendered_then_the_issue_day_is_china_s():
    policy = sample_policy() | {"issued_at": "2026-11-25T17:30:00.000+00:00"}  # 01:30 on the 26th in Beijing
    text = text_of(policy_document.render(policy, "https://shop.example/verify.html?code=X"))
    assert "2026-11-26" in text.split("Issued on")[1][:40]


def test_verification_codes_are_20_unambiguous_characters_and_differ():
    codes = {policy_document.new_verification_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 20 and not set(c) & set("01IO") for c in codes)
