"""Policy PDF rendering: the time to render one policy document in-process (reportlab, WenQuanYi Micro
Hei embedded as a subset, a QR code), median of 20 renders after one warm-up, plus the first render in
this process (font and module loading, as on a fresh Lambda container) and the file size.

The policy is a demo-shaped one with a Chinese policyholder, two insured persons and a named
beneficiary; no AWS, no I/O besides the PDF in memory.
"""

from __future__ import annotations

import sys
import time

from bench._common import Metric, Report, main, median

RENDERS = 20
TARGET_MS = 500  # well inside the issue task's budget (the saga waits for it)


def sample_policy() -> dict:
    from local.demo import load_catalog

    catalog = load_catalog()
    product = next(p for p in catalog["products"] if p.get("status") == "on_shelf")
    insurer = next(i for i in catalog["insurers"] if i["insurer_id"] == product["insurer_id"])
    plan = product["plans"][0]
    person = {"name": "王芳", "id_type": "prc_id", "id_number": "110101199003074578", "gender": "F"}
    return {
        "policy_no": "BENCH2026112500000001",
        "status": "in_force",
        "product_snapshot": {
            **product,
            "insurer_name": insurer["name"],
            "insurer_hotline": insurer["hotline"],
            "options": [o["code"] for o in product.get("options", [])],
            "option_names": {o["code"]: o["name"] for o in product.get("options", [])},
            "plan": plan,
            "term": product["terms"][0],
        },
        "premium": {"total": "169.00", "currency": "CNY"},
        "sum_insured": int(plan.get("sum_insured", 500_000)),
        "parties": {
            "policyholder": {**person, "phone": "13912345678"},
            "insured": [{**person, "relation": "self"}, {**person, "name": "Li Lei", "relation": "spouse"}],
            "beneficiaries": [{**person, "name": "王小明", "relation": "child", "share": 100}],
        },
        "start_date": "2026-11-26",
        "end_date": "2027-11-25",
        "issued_at": "2026-11-25T10:00:00.000+00:00",
        "cooling_off_until": "2026-12-10",
    }


def run() -> Report:
    from policy.domain import policy_document

    report = Report("policy_document", "Policy PDF render time (in-process)")
    policy = sample_policy()
    url = "https://shop.example/verify.html?code=ABCDEFGHJKLMNPQRSTUV"
    started = time.perf_counter()
    pdf = policy_document.render(policy, url)
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        policy_document.render(policy, url)
        times.append((time.perf_counter() - started) * 1000)
    warm = median(times)
    report.table(
        f"One policy PDF ({RENDERS} renders after the first)",
        ["First render ms", "Median ms", "Fastest ms", "Slowest ms", "PDF bytes"],
        [[round(first_ms, 1), round(warm, 1), round(min(times), 1), round(max(times), 1), len(pdf)]],
        note="A4, WenQuanYi Micro Hei embedded as a subset, QR code; the first render loads reportlab, font",
    )
    report.metrics += [
        Metric("Render one policy PDF (median, warm)", round(warm, 1), "ms", TARGET_MS, "<=", digits=1),
        Metric("First render in a fresh process", round(first_ms, 1), "ms", digits=1),
        Metric("PDF size", len(pdf) / 1024, "KiB", digits=1),
    ]
    return report


if __name__ == "__main__":
    sys.exit(main("policy_document", run))
