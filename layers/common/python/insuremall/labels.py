"""Words for the codes a customer may read on paper or in a message: policy status, identity
document, relation, gender and a product term. Simplified Chinese first (the market), English second,
as "中文 / English". A code with no entry reads as a capitalised phrase rather than a raw code."""

from __future__ import annotations

from typing import Any

POLICY_STATUS = {
    "in_force": ("有效", "In force"),
    "cancelled": ("已退保", "Cancelled"),
    "expired": ("已满期", "Expired"),
}
ID_TYPE = {
    "prc_id": ("居民身份证", "PRC resident ID card"),
    "passport": ("护照", "Passport"),
}
# The insured's relation to the policyholder, and a beneficiary's relation to the insured.
RELATION = {
    "self": ("本人", "Self"),
    "spouse": ("配偶", "Spouse"),
    "child": ("子女", "Child"),
    "parent": ("父母", "Parent"),
    "sibling": ("兄弟姐妹", "Sibling"),
}
GENDER = {"M": ("男", "Male"), "F": ("女", "Female")}


def bilingual(chinese: str, english: str) -> str:
    return f"{chinese} / {english}" if chinese and chinese != english else english


def label(words: dict[str, tuple[str, str]], code: Any) -> str:
    """`label(POLICY_STATUS, "in_force")` -> "有效 / In force"."""
    if code in words:
        return bilingual(*words[code])
    return str(code or "").replace("_", " ").strip().capitalize()


def term_label(term: Any) -> str:
    """A product term ({"code": "7D", "label": "7 days", "days": 7}) in words: "7天 / 7 days". The
    English is the product's own label; the Chinese follows from the duration the term defines."""
    if not isinstance(term, dict):
        return str(term or "")
    english = str(term.get("label") or term.get("name") or "")
    if "days" in term:
        chinese = f"{int(term['days'])}天"
    elif "months" in term and int(term["months"]) % 12 == 0:
        chinese = f"{int(term['months']) // 12}年"
    elif "months" in term:
        chinese = f"{int(term['months'])}个月"
    elif "years" in term:
        chinese = f"{int(term['years'])}年"
    elif "to_age" in term:
        chinese = f"保至{int(term['to_age'])}周岁"
    else:
        chinese = ""
    return bilingual(chinese, english) if english else chinese or str(term.get("code", ""))
