"""Storefront quality audit: Lighthouse scores, axe-core accessibility and the mall home's weight.

    python tools/storefront_audit.py [--runs 3] [--strict]      (or: make lighthouse)

Starts the local platform in this process on a free port (embedded AWS, demo data), prepares what
the pages need through the public API (a fresh quote for the order page; the demo customer's order,
paid and issued, for the order status and policy pages), then:

1. Lighthouse 12.2.3 (tools/node_modules, pinned in tools/package-lock.json, run through its node API
   by tools/lighthouse_batch.mjs) on the home, product detail and order pages, Lighthouse's default
   mobile form factor with simulated throttling, in Debian's Chromium. Each run gets a fresh Chromium
   with its own profile. The median run (by performance) of `--runs` is reported. Targets:
   performance >= 90, accessibility >= 95, best practices >= 95 (SEO is reported without a target).
2. axe-core (tools/node_modules/axe-core, injected with Playwright) on every customer page (each
   storefront_static/*.html, opened with the queries PAGE_QUERIES gives it) at a phone and a desktop
   viewport; serious and critical violations are misses.
3. The mall home's transferred bytes (compressed, as the browser received them, from CDP's
   Network.loadingFinished) until the load event. Target: at most 150 KB. Also reported: the bytes
   until the network is idle (the API answers the page renders).

tests/e2e/test_every_page.py uses the same pieces (storefront_pages, axe_check, lighthouse_batch) on
every page, with both Lighthouse presets, one run each.

Some pages need a signed-in customer (their script calls requireSession()): an anonymous visitor is
sent to the sign-in page, so auditing them anonymously would audit signin.html under another name.
The session lives in localStorage (not a cookie or header, so Lighthouse's --extra-headers cannot
carry it). So the audit starts Chromium itself with a remote-debugging port, stores the session with
the storefront's own `saveSession` (imported from /assets/session.js, so the storage format is never
copied here) and runs Lighthouse on that Chromium. Lighthouse's storage reset empties the HTTP cache,
service workers and cache storage before each run but not localStorage (its clearStorageTypes), so
the page is measured cold and still signed in. The report's final URL is checked, so a lost session
shows as an error rather than as sign-in scores.

Writes bench/results/storefront.json and .md (full Lighthouse reports go to the git-ignored
bench/results/logs/lighthouse/). Exit status 0 whatever the scores (a report); with --strict, 1 when a
target is missed. A crash (platform, Chromium or Lighthouse missing) exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
for _entry in ("functions", "layers/common/python", "."):
    if str(ROOT / _entry) not in sys.path:
        sys.path.insert(0, str(ROOT / _entry))

STOREFRONT = ROOT / "storefront_static"
NODE_MODULES = ROOT / "tools" / "node_modules"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
LIGHTHOUSE_BATCH = ROOT / "tools" / "lighthouse_batch.mjs"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
RESULTS_DIR = ROOT / "bench" / "results"
REPORTS_DIR = RESULTS_DIR / "logs" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
HOME_TRANSFER_TARGET_KB = 150
BLOCKING_IMPACTS = ("serious", "critical")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
LIGHTHOUSE_TIMEOUT_S = 180
SETTLE_TIMEOUT_MS = 5000
QUOTE = {
    "product_id": "accident-guardian",
    "plan": "standard",
    "age": 36,
    "gender": "M",
    "term": "1Y",
    "occupation_class": 1,
    "options": [],
}


# ---------------------------------------------------------------------------------------------------
# What the pages need: a signed-in customer, a quote, an issued order and its policy


@dataclass
class Fixtures:
    base: str  # the storefront, e.g. http://127.0.0.1:8123
    email: str
    tokens: dict[str, Any]  # as POST /members/signin returns them
    quote_id: str  # fresh, not yet ordered: the order page's input
    order_id: str  # paid and issued
    policy_no: str | None
    _verification_code: str | None = None

    @property
    def payment_intent(self) -> str:
        """A new order's payment, awaiting payment: placed on each read (an unpaid order times out)."""
        token = self.tokens["id_token"]
        quote = _api("POST", self.base + "/api/quotes", token, QUOTE)
        order = _place_order(self.base + "/api", token, quote)
        return order["payment"]["intent_id"]

    @property
    def verification_code(self) -> str:
        """The code printed on the issued policy's PDF (what verify.html?code= takes)."""
        if self._verification_code is None:
            token = self.tokens["id_token"]
            self._verification_code = _verification_code(self.base + "/api", token, self.policy_no)
        return self._verification_code


def _api(method: str, url: str, token: str | None = None, body: Any = None, **headers: str) -> Any:
    import requests

    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = requests.request(method, url, json=body, headers=headers, timeout=30)
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {url}: HTTP {response.status_code} {response.text[:300]}")
    return response.json()


def _insured_id(age: int, start: date) -> str:
    """A valid PRC ID of a new man aged `age` on `start`, so repeated runs never hit a sum limit."""
    from insuremall.identity import make_prc_id

    month = start.month - 1 or 12
    year = start.year - age - (1 if start.month == 1 else 0)
    seq = 2 * (uuid.uuid4().int % 500) + 1  # odd: a man
    return make_prc_id("110105", date(year, month, min(start.day, 28)), f"{seq:03d}")


def prepare(base: str, email: str, password: str, timeout_s: float = 60) -> Fixtures:
    """Sign the customer in and buy one policy for them through the API; quote once more for the form."""
    api = base + "/api"
    tokens = _api("POST", api + "/members/signin", body={"email": email, "password": password})["tokens"]
    token = tokens["id_token"]
    quote = _api("POST", api + "/quotes", token, QUOTE)
    order = _place_order(api, token, quote, timeout_s)
    payment = order["payment"]
    _api(
        "POST",
        api + f"/sandbox-payments/{payment['intent_id']}/pay",
        body={"client_secret": payment["client_secret"]},
    )
    order = _wait(api, token, order["order_id"], {"issued"}, timeout_s)
    fresh = _api("POST", api + "/quotes", token, QUOTE)
    return Fixtures(base, email, tokens, fresh["quote_id"], order["order_id"], order.get("policy_no"))


def _place_order(api: str, token: str, quote: dict[str, Any], timeout_s: float = 60) -> dict[str, Any]:
    """An order for `quote` (a new insured each time), once it awaits payment."""
    person = _insured_id(QUOTE["age"], date.fromisoformat(quote["inputs"]["start_date"]))
    order = _api(
        "POST",
        api + "/orders",
        token,
        {
            "quote_id": quote["quote_id"],
            "channel": "h5",
            "policyholder": {
                "name": "Li Hua",
                "id_type": "prc_id",
                "id_number": person,
                "phone": "13912345678",
            },
            "insured": [{"relation": "self", "name": "Li Hua", "id_type": "prc_id", "id_number": person}],
            "health_answers": {"hq_disability": False},
            "accept_terms": True,
        },
        **{"Idempotency-Key": uuid.uuid4().hex},
    )
    return _wait(api, token, order["order_id"], {"awaiting_payment"}, timeout_s)


def _verification_code(api: str, token: str, policy_no: str | None, timeout_s: float = 30) -> str:
    """Read from the policy's PDF, as a customer would (the document is written after issue)."""
    import io

    import requests
    from pypdf import PdfReader

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            link = _api("GET", api + f"/policies/{policy_no}/document", token)
            break
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    pdf = requests.get(link["url"], timeout=30)
    pdf.raise_for_status()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    return text.split("verify.html?code=")[1][:20]


def _wait(api: str, token: str, order_id: str, statuses: set[str], timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        order = _api("GET", api + f"/orders/{order_id}", token)
        if order["status"] in statuses:
            return order
        if time.monotonic() > deadline:
            raise RuntimeError(f"order {order_id} stayed {order['status']}, wanted {sorted(statuses)}")
        time.sleep(0.2)


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # under the storefront root
    signed_in: bool = False

    @property
    def file(self) -> str:
        return self.path.lstrip("/").split("?")[0].split("#")[0] or "index.html"


# How to open a page with data: its query strings, filled from the fixtures (`{name}` is a Fixtures
# attribute). A page in storefront_static/ that is not listed here is opened without a query.
PAGE_QUERIES: dict[str, list[tuple[str, str]]] = {
    "index.html": [("home", ""), ("home: search 'travel'", "?q=travel")],
    "product.html": [("product detail", "?id=accident-guardian")],
    "order.html": [("order form", "?quote={quote_id}")],
    "order-status.html": [("order status, issued", "?id={order_id}")],
    "pay.html": [("payment", "?intent={payment_intent}")],
    "policy.html": [("policy detail", "?no={policy_no}")],
    "verify.html": [("verify a policy", "?code={verification_code}")],
}


def page_files() -> list[str]:
    """Every customer page: the HTML files at the top of storefront_static/."""
    return sorted(p.name for p in STOREFRONT.glob("*.html"))


def needs_sign_in(file: str) -> bool:
    """A page whose own script calls requireSession() (assets/session.js) sends visitors to sign in."""
    html = (STOREFRONT / file).read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]+\.js)"', html)
    calls = re.compile(r"(?<!function )\brequireSession\(")
    return any(
        calls.search((STOREFRONT / src).read_text(encoding="utf-8"))
        for src in scripts
        if (STOREFRONT / src).is_file()
    )


class _Lazy(dict):
    """Query values read from the fixtures only when a page's query asks for them."""

    def __init__(self, f: Fixtures | None):
        super().__init__()
        self.f = f

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}" if self.f is None else str(getattr(self.f, key) or "")


def storefront_pages(f: Fixtures | None = None, files: list[str] | None = None) -> list[Page]:
    """Each customer page (every storefront_static/*.html, or `files`) with the queries it is opened
    with; signed in where its script requires a session. Without fixtures the queries keep their
    placeholders (for naming tests before the data exists)."""
    pages = []
    for file in files if files is not None else page_files():
        signed_in = needs_sign_in(file)
        variants = PAGE_QUERIES.get(file) or [(file.removesuffix(".html"), "")]
        for name, query in variants:
            path = "/" + ("" if file == "index.html" else file) + query.format_map(_Lazy(f))
            pages.append(Page(name + (" (signed in)" if signed_in else ""), path, signed_in))
    return pages


def lighthouse_pages(f: Fixtures) -> list[Page]:
    """What `make lighthouse` measures (median of --runs): the home, a product page, the order form."""
    wanted = ("home", "product detail", "order form (signed in)")
    return [p for p in storefront_pages(f, ["index.html", "product.html", "order.html"]) if p.name in wanted]


# ---------------------------------------------------------------------------------------------------
# axe-core in Playwright


def sign_in_page(page, f: Fixtures) -> None:
    """Store the session the way the storefront does, with its own saveSession()."""
    page.goto(f.base + "/config.js")
    page.evaluate(
        "async ([tokens, email]) => (await import('/assets/session.js')).saveSession(tokens, email)",
        [f.tokens, f.email],
    )


def settle(page) -> None:
    """Let the page fetch and render its data: network idle, or give up waiting after a few seconds
    (the order status page polls until the order is final)."""
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT_MS)


def axe_violations(page, url: str) -> list[dict[str, Any]]:
    """Every axe-core violation on the page at `url` once it has settled."""
    page.goto(url, wait_until="load")
    settle(page)
    return axe_check(page)


# Experimental in axe-core (off by default) but run by Lighthouse's accessibility audit: on here too,
# so axe finds everything Lighthouse would.
AXE_EXTRA_RULES = ("label-content-name-mismatch", "table-fake-caption", "td-has-header")


def axe_check(page) -> list[dict[str, Any]]:
    """axe-core's default rule set (WCAG 2.x A/AA and best practices) and AXE_EXTRA_RULES on the page
    as it is now."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async (extra) => await axe.run(document, {resultTypes: ['violations'],"
        " rules: Object.fromEntries(extra.map((id) => [id, {enabled: true}]))})",
        list(AXE_EXTRA_RULES),
    )
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v["help"],
            "help_url": v.get("helpUrl"),
            "nodes": len(v["nodes"]),
            "targets": [", ".join(map(str, n["target"])) for n in v["nodes"][:5]],
        }
        for v in result["violations"]
    ]


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_FLAGS[1:])


def run_axe(browser, f: Fixtures) -> list[dict[str, Any]]:
    results = []
    for viewport_name, viewport in VIEWPORTS.items():
        contexts = {
            False: browser.new_context(viewport=viewport),
            True: browser.new_context(viewport=viewport),
        }
        sign_in_page(contexts[True].new_page(), f)
        for page_spec in storefront_pages(f):
            page = contexts[page_spec.signed_in].new_page()
            try:
                violations = axe_violations(page, f.base + page_spec.path)
                error = None
                if page_spec.file not in page.url and page_spec.file != "index.html":
                    error = f"ended on {page.url.removeprefix(f.base)} instead of {page_spec.file}"
            except Exception as exc:  # one broken page must not hide the others' results
                violations, error = [], f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            finally:
                page.close()
            results.append(
                {
                    "page": page_spec.name,
                    "path": page_spec.path,
                    "viewport": viewport_name,
                    "signed_in": page_spec.signed_in,
                    "violations": violations,
                    "blocking": len(blocking(violations)),
                    "error": error,
                }
            )
            print(
                f"  axe {viewport_name:7} {page_spec.name:28} "
                + (error or f"{len(violations)} violations, {len(blocking(violations))} serious/critical"),
                flush=True,
            )
        for context in contexts.values():
            context.close()
    return results


# ---------------------------------------------------------------------------------------------------
# The mall home's weight


def home_transfer(browser, base: str) -> dict[str, Any]:
    """Bytes on the wire (compressed, headers included) for the home page in a fresh phone context."""
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    finished: list[tuple[str, int]] = []
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: finished.append((urls.get(e["requestId"], "?"), int(e["encodedDataLength"]))),
    )
    page.goto(base + "/", wait_until="load")
    at_load = list(finished)
    settle(page)
    at_idle = list(finished)
    context.close()

    def resources(items: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [{"url": u.removeprefix(base), "bytes": b} for u, b in items]

    return {
        "url": base + "/",
        "until_load_bytes": sum(b for _, b in at_load),
        "until_load_requests": len(at_load),
        "until_idle_bytes": sum(b for _, b in at_idle),
        "until_idle_requests": len(at_idle),
        "target_kb": HOME_TRANSFER_TARGET_KB,
        "resources": resources(at_idle),
    }


# ---------------------------------------------------------------------------------------------------
# Lighthouse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def debuggable_chromium() -> Iterator[int]:
    """A fresh Chromium (own profile) with a remote-debugging port; stopped (its process group) after."""
    import requests

    port = _free_port()
    profile = tempfile.mkdtemp(prefix="lighthouse-profile-")
    process = subprocess.Popen(  # noqa: S603 - our own browser binary and flags
        [
            CHROMIUM,
            *CHROME_FLAGS,
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/json/version", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{CHROMIUM} did not open its debugging port") from None
                time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def _seed_session(port: int, f: Fixtures, browser_type=None) -> None:
    """Sign in inside the debuggable Chromium (Lighthouse's storage reset empties its caches later).
    `browser_type`: a Playwright chromium of the caller's (one thread can run one Playwright)."""
    from playwright.sync_api import sync_playwright

    def seed(chromium) -> None:
        browser = chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].new_page()
        sign_in_page(page, f)
        page.close()
        browser.close()  # connected, not launched: this only disconnects

    if browser_type is not None:
        seed(browser_type)
    else:
        with sync_playwright() as playwright:
            seed(playwright.chromium)


def lighthouse_batch(
    runs: list[tuple[Page, str, Path]],
    base: str,
    session: Fixtures | None = None,
    categories: tuple[str, ...] = CATEGORIES,
    browser_type=None,
) -> list[dict[str, Any]]:
    """Lighthouse on each (page, preset "mobile" or "desktop", report path) of the storefront at
    `base`, one after the other in one fresh Chromium and one node process (tools/lighthouse_batch.mjs).
    With `session` the Chromium is signed in as that user first, so the pages of one batch share one
    identity; each run still starts with an empty HTTP cache. Returns each run's summary, in order.
    A caller that runs Playwright itself passes its `browser_type` (chromium) for the signing in."""
    if any(spec.signed_in for spec, _, _ in runs) and session is None:
        raise ValueError("signed-in pages need a session")
    job_file = Path(tempfile.mkstemp(prefix="lighthouse-job-", suffix=".json")[1])
    for _, _, report_path in runs:
        report_path.unlink(missing_ok=True)
    try:
        with debuggable_chromium() as port:
            if session is not None:
                _seed_session(port, session, browser_type)
            job = {
                "port": port,
                "categories": list(categories),
                "runs": [{"url": base + p.path, "preset": kind, "output": str(out)} for p, kind, out in runs],
            }
            job_file.write_text(json.dumps(job))
            done = subprocess.run(  # noqa: S603 - the pinned Lighthouse from tools/node_modules
                ["node", str(LIGHTHOUSE_BATCH), str(job_file)],  # noqa: S607 - Node.js 20+ is a tool dependency
                cwd=ROOT / "tools",
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                capture_output=True,
                text=True,
                timeout=LIGHTHOUSE_TIMEOUT_S * len(runs),
                check=False,
            )
    finally:
        job_file.unlink(missing_ok=True)
    summaries = []
    for spec, preset, report_path in runs:
        if not report_path.exists():
            raise RuntimeError(f"lighthouse exited {done.returncode}: {done.stderr.strip()[-500:]}")
        summary = summarize_report(json.loads(report_path.read_text()), spec)
        summaries.append({**summary, "preset": preset})
    return summaries


def lighthouse_once(page_spec: Page, f: Fixtures, report_path: Path, preset: str = "mobile") -> dict:
    """One Lighthouse run of one page in its own fresh Chromium."""
    return lighthouse_batch([(page_spec, preset, report_path)], f.base, f if page_spec.signed_in else None)[0]


def summarize_report(report: dict[str, Any], page_spec: Page) -> dict[str, Any]:
    if "categories" not in report:  # the batch runner's record of a run that threw
        message = (report.get("runtimeError") or {}).get("message", "no report")
        return {"scores": dict.fromkeys(CATEGORIES), "metrics": {}, "failing_audits": {}, "error": message}
    scores = {
        c: None
        if c not in report["categories"] or report["categories"][c]["score"] is None
        else round(report["categories"][c]["score"] * 100)
        for c in CATEGORIES
    }
    audits = report["audits"]
    cls = audits.get("cumulative-layout-shift", {}).get("numericValue")
    metrics = {
        key: audits[key].get("displayValue")
        for key in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
        )
        if key in audits
    }
    failing: dict[str, list[str]] = {}
    for category in CATEGORIES:
        for ref in report["categories"].get(category, {}).get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 0.9:
                failing.setdefault(category, []).append(
                    f"{audit['title']}" + (f" ({audit['displayValue']})" if audit.get("displayValue") else "")
                )
    final_url = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
    error = None
    if urlsplit(final_url).path != page_spec.path.split("?")[0].split("#")[0]:
        error = f"ended on {final_url} instead of {page_spec.file} (was the session lost?)"
    if report.get("runtimeError"):
        error = report["runtimeError"].get("message")
    return {
        "scores": scores,
        "metrics": metrics,
        "cumulative_layout_shift": cls,
        "failing_audits": failing,
        "final_url": final_url,
        "benchmark_index": report.get("environment", {}).get("benchmarkIndex"),
        "run_warnings": report.get("runWarnings", []),
        "error": error,
    }


def run_lighthouse(f: Fixtures, runs: int) -> list[dict[str, Any]]:
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    for page_spec in lighthouse_pages(f):
        attempts = []
        for run in range(1, runs + 1):
            slug = page_spec.file.removesuffix(".html")
            try:
                attempt = lighthouse_once(page_spec, f, REPORTS_DIR / f"{slug}-{run}.report.json")
            except Exception as exc:
                attempt = {"scores": dict.fromkeys(CATEGORIES), "error": f"{type(exc).__name__}: {exc}"}
            attempts.append(attempt)
            print(
                f"  lighthouse {page_spec.name:24} run {run}/{runs}: "
                + (attempt["error"] or ", ".join(f"{c} {attempt['scores'][c]}" for c in CATEGORIES)),
                flush=True,
            )
        good = [a for a in attempts if not a["error"]]
        chosen = _median_run(good) if good else attempts[-1]
        performance = [a["scores"]["performance"] for a in good if a["scores"]["performance"] is not None]
        results.append(
            {
                "page": page_spec.name,
                "path": page_spec.path,
                "signed_in": page_spec.signed_in,
                "runs": runs,
                "failed_runs": len(attempts) - len(good),
                "performance_range": [min(performance), max(performance)] if performance else None,
                **chosen,
            }
        )
    return results


def _median_run(attempts: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(attempts, key=lambda a: a["scores"]["performance"] or 0)
    return ordered[(len(ordered) - 1) // 2]


# ---------------------------------------------------------------------------------------------------
# Report


def misses(results: dict[str, Any]) -> list[str]:
    found = []
    for page in results["lighthouse"]:
        if page.get("error"):
            found.append(f"Lighthouse {page['page']}: {page['error']}")
            continue
        for category, target in TARGETS.items():
            score = page["scores"].get(category)
            if score is None or score < target:
                found.append(f"Lighthouse {page['page']}: {category} {score} < {target}")
    for page in results["axe"]:
        if page["error"]:
            found.append(f"axe {page['page']} ({page['viewport']}): {page['error']}")
        for v in blocking(page["violations"]):
            found.append(f"axe {page['page']} ({page['viewport']}): {v['impact']} {v['id']} x{v['nodes']}")
    transfer = results["home_transfer"]
    if transfer["until_load_bytes"] > HOME_TRANSFER_TARGET_KB * 1024:
        found.append(f"home transfers {transfer['until_load_bytes'] / 1024:.1f} KB until load")
    return found


def render_markdown(results: dict[str, Any]) -> str:
    t, versions = results["home_transfer"], results["versions"]
    home_ok = t["until_load_bytes"] <= HOME_TRANSFER_TARGET_KB * 1024
    lines = [
        "# Storefront audit",
        "",
        f"Written by `tools/storefront_audit.py` (`make lighthouse`) on {results['ran_at']} at commit "
        f"`{results['git_head']}`: Lighthouse {versions['lighthouse']} (mobile, simulated throttling, "
        f"median of {results['lighthouse_runs']} runs by performance), axe-core {versions['axe-core']}, "
        f"{versions['chromium']}. 1-min load average before: {results['load_average_1min_before']}.",
        "",
        f"**Result: {'PASS' if not results['misses'] else 'MISS'}**"
        + (f" ({len(results['misses'])} misses, listed at the end)" if results["misses"] else ""),
        "",
        "## Lighthouse",
        "",
        "| Page | Performance | Accessibility | Best practices | SEO | LCP | TBT | CLS | Perf. range |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page in results["lighthouse"]:
        s, m = page["scores"], page.get("metrics", {})
        cells = [_scored(s.get(c), TARGETS.get(c)) for c in CATEGORIES]
        spread = page.get("performance_range")
        lines.append(
            f"| {page['page']} (`{_short(page['path'])}`) | "
            + " | ".join(cells)
            + f" | {m.get('largest-contentful-paint', '-')} | {m.get('total-blocking-time', '-')} | "
            f"{m.get('cumulative-layout-shift', '-')} | {'-' if not spread else f'{spread[0]}-{spread[1]}'} |"
        )
    lines += ["", "Targets: performance >= 90, accessibility >= 95, best practices >= 95; SEO informational."]
    for page in results["lighthouse"]:
        if page.get("error"):
            lines.append(f"- {page['page']}: **{page['error']}**")
        for category, titles in (page.get("failing_audits") or {}).items():
            lines.append(f"- {page['page']}, {category}: " + "; ".join(titles))
    lines += [
        "",
        "## Mall home weight",
        "",
        f"{t['until_load_bytes'] / 1024:.1f} KB in {t['until_load_requests']} requests until the load event "
        f"(target at most {HOME_TRANSFER_TARGET_KB} KB: {'PASS' if home_ok else 'MISS'}); "
        f"{t['until_idle_bytes'] / 1024:.1f} KB in {t['until_idle_requests']} requests once the API answers "
        "are in (network idle). Compressed bytes as received, headers included, cache disabled.",
        "",
        "## axe-core (serious and critical violations are misses)",
        "",
        "| Page | Viewport | Violations | Serious/critical | Rules |",
        "|---|---|---|---|---|",
    ]
    for page in results["axe"]:
        rules = ", ".join(f"{v['id']} ({v['impact']}, {v['nodes']})" for v in page["violations"]) or "-"
        if page["error"]:
            rules = f"error: {page['error']}"
        lines.append(
            f"| {page['page']} (`{_short(page['path'])}`) | {page['viewport']} | {len(page['violations'])} | "
            f"{page['blocking']} | {rules} |"
        )
    if results["misses"]:
        lines += ["", "## Misses", ""] + [f"- {m}" for m in results["misses"]]
    return "\n".join(lines) + "\n"


def _scored(score: int | None, target: int | None) -> str:
    if score is None:
        return "-"
    return f"{score}" if target is None or score >= target else f"**{score}** (miss)"


def _short(path: str) -> str:
    return path if len(path) <= 40 else path[:37] + "..."


def _git_head() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict[str, str]:
    def package(name: str) -> str:
        manifest = NODE_MODULES / name / "package.json"
        return json.loads(manifest.read_text())["version"] if manifest.exists() else "missing"

    try:
        chromium = subprocess.run(  # noqa: S603
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
    except OSError:
        chromium = "missing"
    return {"lighthouse": package("lighthouse"), "axe-core": package("axe-core"), "chromium": chromium}


def check_tools() -> None:
    missing = [str(p) for p in (LIGHTHOUSE, AXE_SCRIPT) if not p.exists()]
    if not Path(CHROMIUM).exists():
        missing.append(CHROMIUM)
    if missing:
        raise SystemExit(
            "storefront audit: missing "
            + ", ".join(missing)
            + " (run `make lighthouse`, which installs them)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs per page; the median is reported"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--no-save", action="store_true", help="print only; do not write bench/results")
    args = parser.parse_args(argv)
    check_tools()

    from playwright.sync_api import sync_playwright

    from local import demo
    from local.platform import LocalPlatform

    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    started = time.monotonic()
    print("==> starting the local platform on a free port", flush=True)
    platform = LocalPlatform(port=0, schedules=False).start()
    try:
        base = platform.url
        print(f"==> preparing a signed-in customer, an issued order and a fresh quote on {base}", flush=True)
        fixtures = prepare(base, demo.DEMO_CUSTOMER["email"], demo.DEMO_CUSTOMER["password"])
        print("==> mall home weight and axe-core in Chromium (Playwright)", flush=True)
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            transfer = home_transfer(browser, base)
            axe = run_axe(browser, fixtures)
            browser.close()
        print(f"==> Lighthouse, {args.runs} run(s) per page", flush=True)
        lighthouse = run_lighthouse(fixtures, args.runs)
    finally:
        platform.stop()

    results: dict[str, Any] = {
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_head": _git_head(),
        "versions": _versions(),
        "load_average_1min_before": load,
        "elapsed_s": round(time.monotonic() - started, 1),
        "lighthouse_runs": args.runs,
        "targets": {**TARGETS, "home_transfer_kb": HOME_TRANSFER_TARGET_KB, "axe": "no serious or critical"},
        "lighthouse": lighthouse,
        "home_transfer": transfer,
        "axe": axe,
    }
    results["misses"] = misses(results)
    results["result"] = "MISS" if results["misses"] else "PASS"
    markdown = render_markdown(results)
    print("\n" + markdown)
    if not args.no_save:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / "storefront.json").write_text(json.dumps(results, indent=2) + "\n")
        (RESULTS_DIR / "storefront.md").write_text(markdown)
        print(f"wrote {RESULTS_DIR.relative_to(ROOT)}/storefront.json and storefront.md")
    return 1 if args.strict and results["misses"] else 0


if __name__ == "__main__":
    sys.exit(main())
