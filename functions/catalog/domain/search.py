"""Product search by name and by need, ranked by points a person can check.

A query is read two ways:
  needs   phrases from a small vocabulary ("travel", "children", "critical illness", "elderly")
          that map to product kinds, tags or age limits: a product that meets a named need
          scores NEED points, whatever words its name uses.
  words   each remaining word scores where it appears: the name (NAME), a tag (TAG), the kind or
          category (KIND), the insurer (INSURER), the summary (SUMMARY).
A product that scores nothing is not a match. Ties go to the name, then the id, so the order is
stable. Every point comes with a reason, so a ranking can be explained (and tested).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NEED = 10
NAME = 6
WHOLE_NAME = 5
TAG = 4
KIND = 4
INSURER = 3
SUMMARY = 2

STOPWORDS = frozenset(
    ("a", "an", "and", "or", "the", "for", "of", "to", "in", "on", "my", "me", "i", "we", "our", "with")
    + ("cover", "insurance", "insure", "plan", "plans", "policy")
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Need:
    code: str
    label: str
    phrases: tuple[str, ...]  # what a customer may type for this need
    kinds: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    insures_below_age: int | None = None  # insures someone younger than this (children)
    insures_from_age: int | None = None  # insures someone this old or older (elderly)
    # Age-based needs are about the people insured; a home policy insures a property.
    not_kinds: frozenset[str] = frozenset()

    def met_by(self, product: dict) -> bool:
        limits = product.get("age_limits") or {}
        if product.get("kind") in self.not_kinds:
            return False
        return bool(
            product.get("kind") in self.kinds
            or self.tags & set(product.get("tags") or ())
            or (self.insures_below_age is not None and limits.get("min", 200) < self.insures_below_age)
            or (self.insures_from_age is not None and limits.get("max", -1) >= self.insures_from_age)
        )


NEEDS: tuple[Need, ...] = (
    Need("accident", "Accident", ("accident", "accidents", "injury", "commute"), frozenset({"accident"})),
    Need("travel", "Travel", ("travel", "trip", "trips", "holiday", "abroad", "visa"), frozenset({"travel"})),
    Need("medical", "Medical", ("medical", "hospital", "health"), frozenset({"medical"})),
    Need(
        "critical_illness",
        "Critical illness",
        ("critical illness", "critical_illness", "illness", "cancer"),
        frozenset({"critical_illness"}),
        frozenset({"critical_illness"}),
    ),
    Need("life", "Life", ("life", "death", "mortgage", "breadwinner"), frozenset({"term_life"})),
    Need("home", "Home", ("home", "house", "property", "flat", "apartment"), frozenset({"home"})),
    Need(
        "children",
        "Children",
        ("children", "child", "kids", "kid", "baby"),
        insures_below_age=18,
        not_kinds=frozenset({"home"}),
    ),
    Need("family", "Family", ("family",), tags=frozenset({"family"})),
    Need(
        "elderly",
        "Elderly",
        ("elderly", "senior", "seniors", "parents", "old age"),
        insures_from_age=65,
        not_kinds=frozenset({"home"}),
    ),
)


@dataclass(frozen=True)
class Match:
    product: dict
    score: int
    reasons: tuple[str, ...] = field(default=())


def needs() -> list[dict[str, str]]:
    """The needs the mall home offers as shortcuts."""
    return [{"code": n.code, "label": n.label} for n in NEEDS]


def search(products: list[dict], query: str) -> list[Match]:
    """Products matching the query, best first. An empty query (or only stopwords) matches all."""
    text = " ".join(_WORD.findall(query.lower().replace("_", " ")))
    named, rest = _needs_in(text)
    words = [w for w in rest.split() if w not in STOPWORDS]
    if not named and not words:
        return [Match(p, 0) for p in sorted(products, key=_order)]
    matches = [_score(p, text, named, words) for p in products]
    return sorted((m for m in matches if m.score > 0), key=lambda m: (-m.score, *_order(m.product)))


def _needs_in(text: str) -> tuple[list[Need], str]:
    """Needs named in the text, and the text with their phrases taken out (longest phrase first)."""
    found: list[Need] = []
    phrases = sorted(((phrase, need) for need in NEEDS for phrase in need.phrases), key=lambda x: -len(x[0]))
    for phrase, need in phrases:
        pattern = rf"\b{re.escape(phrase)}\b"
        if re.search(pattern, text):
            if need not in found:
                found.append(need)
            text = re.sub(pattern, " ", text)
    return found, text


def _score(product: dict, text: str, named: list[Need], words: list[str]) -> Match:
    score, reasons = 0, []
    for need in named:
        if need.met_by(product):
            score += NEED
            reasons.append(f"meets the need {need.label!r}")
    name = product.get("name", "").lower()
    name_words = _WORD.findall(name)
    if text and len(text) > 2 and text in name:
        score += WHOLE_NAME
        reasons.append(f"name contains {text!r}")
    tags = [w for tag in product.get("tags") or () for w in _WORD.findall(tag.replace("_", " "))]
    kinds = _WORD.findall(f"{product.get('kind', '')} {product.get('category_id', '')}".replace("_", " "))
    insurer = _WORD.findall(str(product.get("insurer_name", "")).lower())
    summary = _WORD.findall(str(product.get("summary", "")).lower())
    for word in dict.fromkeys(words):
        for points, where, label in (
            (NAME, name_words, "name"),
            (TAG, tags, "tag"),
            (KIND, kinds, "kind"),
            (INSURER, insurer, "insurer"),
            (SUMMARY, summary, "summary"),
        ):
            if any(_same_word(word, w) for w in where):
                score += points
                reasons.append(f"{label} matches {word!r}")
    return Match(product, score, tuple(reasons))


def _same_word(query_word: str, word: str) -> bool:
    """Equal, equal but for a plural s, or a prefix of at least 4 letters ("acci" finds "accident")."""
    if query_word == word or query_word.rstrip("s") == word.rstrip("s"):
        return True
    return len(query_word) >= 4 and word.startswith(query_word)


def _order(product: dict) -> tuple[str, str]:
    return (product.get("name", ""), product.get("product_id", ""))
