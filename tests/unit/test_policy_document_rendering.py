"""The policy PDF: what a policyholder must find on paper, and what must not be there."""

from __future__ import annotations

import io

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


def test_verification_codes_are_20_unambiguous_characters_and_differ():
    codes = {policy_document.new_verification_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 20 and not set(c) & set("01IO") for c in codes)
