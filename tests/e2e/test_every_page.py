"""Every customer page and every operator console screen in headless Chromium, with data on them.

The pages are found, not listed: every storefront_static/*.html (opened with the queries
tools/storefront_audit.PAGE_QUERIES gives them, signed in where the page's script requires a session)
and every screen in the console's route table (`const screens` in admin/js/console.js), plus each kind
of screen the console links to from there (a member, a policy, a campaign, a product's tabs...). A
page or screen added later is visited without editing this file.

The data: a customer with an issued policy, an order awaiting payment, points from a check-in, a
claimed coupon, an invitee, a payout account and a pending withdrawal; as the demo operator, that
member with an agent licence and ledger entries, a scheduled campaign, the audit trail of all that.

Each page and screen is checked at a phone and a desktop size for:
- text that leaks a programming value: the words null, undefined, NaN or "[object Object]";
- axe-core (WCAG 2.x A/AA and best practices): no violation at all;
- console screens that show a time of day say it is China time.
Then Lighthouse 12 (tools/lighthouse_batch.mjs through tools/storefront_audit.py), once per page, with
the mobile and the desktop preset, on every customer page and on the console shell: performance >= 90,
accessibility >= 95, best practices >= 95, cumulative layout shift < 0.1.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from shop import ApiClient
from storefront_pages import shot
from test_withdrawals_http import ACCOUNT, fund, send

from local import demo
from tools.storefront_audit import (
    AXE_SCRIPT,
    LIGHTHOUSE,
    STOREFRONT,
    VIEWPORTS,
    Fixtures,
    Page,
    axe_check,
    lighthouse_batch,
    page_files,
    prepare,
    sign_in_page,
    storefront_pages,
)

# The first check builds the site and visits every page (~3 min); the first Lighthouse test runs them all
# (~3-5 min on 2 cores): more than the suite's default 300 s per test on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CONSOLE_JS = STOREFRONT / "admin" / "js" / "console.js"
PASSWORD = "Secret2026x"  # noqa: S105 - a test customer's password
LEAKED = re.compile(r"\b(?:null|undefined|NaN)\b|\[object Object\]")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b")
MOST_CONSOLE_ROUTES = 40  # per viewport
ROUTES_PER_SHAPE = 2
LIGHTHOUSE_TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
MOST_LAYOUT_SHIFT = 0.1
PERFORMANCE_RUNS = 3
LIGHTHOUSE_CATEGORIES = tuple(LIGHTHOUSE_TARGETS)
CONSOLE_SHELL = Page("console (products)", "/admin/#/products", signed_in=True)


def console_screens() -> dict[str, str]:
    """The console's route table: screen name -> the module that renders it."""
    source = CONSOLE_JS.read_text(encoding="utf-8")
    table = re.search(r"const screens = \{(.*?)\n\};", source, re.S)
    assert table, "admin/js/console.js has no `const screens = {...};` route table"
    found = dict(
        re.findall(r'^\s*"?([\w-]+)"?\s*:\s*\(\)\s*=>\s*import\("\./([\w.-]+\.js)"\)', table[1], re.M)
    )
    assert found, "no screens found in the console's route table"
    return found


def leaked(text: str) -> list[str]:
    """Each leaked programming value with some text around it."""
    return [text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ⏎ ") for m in LEAKED.finditer(text)]


# ---------------------------------------------------------------------------------------------------
# The data every page shows


@dataclass
class Site:
    shop: Fixtures  # the customer, with an issued policy (tools.storefront_audit.prepare)
    operator: Fixtures  # the demo operator's session, for the console
    member_id: str
    campaign_id: str
    withdrawal_id: str
    console_routes: list[str] = field(default_factory=list)  # where the crawl starts besides the table


def _sign_in(base: str, email: str, password: str) -> Fixtures:
    tokens = requests.post(
        base + "/api/members/signin", json={"email": email, "password": password}, timeout=30
    ).json()["tokens"]
    return Fixtures(base, email, tokens, quote_id="", order_id="", policy_no=None)


@pytest.fixture(scope="module")
def site(platform) -> Site:
    email = f"every-page-{uuid.uuid4().hex[:8]}@example.com"
    joined = requests.post(
        platform.api_url + "/members/signup",
        json={"email": email, "password": PASSWORD, "name": "Zhou Every"},
        timeout=30,
    )
    assert joined.status_code == 201, joined.text
    shop = prepare(platform.url, email, PASSWORD)
    me = ApiClient(platform.api_url, shop.tokens["id_token"])
    member_id = me.get("/members/me").json()["member"]["member_id"]
    code = send(me, "GET", "/members/me/invitation").json()["invite_code"]
    invitee = requests.post(
        platform.api_url + "/members/signup",
        json={
            "email": f"invitee-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "name": "Wu Invitee",
            "invite_code": code,
        },
        timeout=30,
    )
    assert invitee.status_code == 201, invitee.text
    assert send(me, "POST", "/members/me/check-in").status_code in (200, 201)

    operator = _sign_in(platform.url, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
    ops = ApiClient(platform.api_url, operator.tokens["id_token"])
    now = datetime.now(UTC)
    running = {
        "name": f"Every page {uuid.uuid4().hex[:4]}",
        "description": "CNY 5 off travel cover",
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
        "product_ids": ["travel-worldwide"],
        "points_multiplier": "1",
        "coupons": [
            {
                "coupon_id": "five-off",
                "kind": "amount",
                "amount_cents": 500,
                "min_premium_cents": 2000,
                "per_member_limit": 1,
                "quota": 10,
            }
        ],
    }
    campaign = send(ops, "POST", "/admin/campaigns", running)
    assert campaign.status_code == 201, campaign.text
    campaign_id = campaign.json()["campaign_id"]
    claim = send(me, "POST", f"/campaigns/{campaign_id}/coupons/five-off/claim")
    assert claim.status_code == 201, claim.text

    licence = send(
        ops, "POST", f"/admin/members/{member_id}/licence", {"licence_no": "AG-2026-550101", "verified": True}
    )
    assert licence.status_code in (200, 201), licence.text
    assert send(me, "PUT", "/members/me/payout-account", ACCOUNT).status_code == 200
    fund(member_id, 10_000)
    withdrawal = send(me, "POST", "/members/me/withdrawals", {"amount_cents": 2_000})
    assert withdrawal.status_code == 201, withdrawal.text

    # A fourth banner: the home as operators fill it (two rows of banners on a desktop).
    banner = send(
        ops,
        "POST",
        "/admin/banners",
        {
            "title": "Cover for the whole family",
            "subtitle": "Answer five questions: cover for you, your partner, children and parents.",
            "link": "/recommend.html",
            "theme": "purple",
            "position": 4,
            "starts_at": (now - timedelta(days=1)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
        },
    )
    assert banner.status_code == 201, banner.text

    made = Site(shop, operator, member_id, campaign_id, withdrawal.json()["withdrawal_id"])
    made.console_routes = [
        f"#/members?q={email}",
        f"#/members/{member_id}",
        f"#/policies/{shop.policy_no}",
        f"#/campaigns/{campaign_id}",
        "#/withdrawals/pending",
    ]
    yield made
    # Put the shared withdrawal queue back as it was; the money returns to the member.
    send(
        ops,
        "POST",
        f"/admin/withdrawals/{made.withdrawal_id}/decision",
        {"decision": "reject", "note": "test"},
    )
    send(ops, "DELETE", f"/admin/banners/{banner.json()['banner_id']}")
    # End the campaign (in a moment: an end in the past is refused), so later tests see none of its offers.
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    ended = send(ops, "PUT", f"/admin/campaigns/{campaign_id}", {**running, "ends_at": soon})
    assert ended.status_code == 200, ended.text


# ---------------------------------------------------------------------------------------------------
# Visiting


@dataclass
class Visit:
    where: str  # page name or console route
    url: str
    viewport: str
    who: str  # anonymous, customer, operator
    landed: str = ""
    text: str = ""  # the whole page's
    main: str = ""  # the console's #main (the screen, without the shell)
    title: str = ""
    has_time_input: bool = False
    violations: list[dict] = field(default_factory=list)
    error: str | None = None


def watch_network(page) -> None:
    """Count requests in flight, so a screen that loads after a hash change can be waited for."""
    page.in_flight = set()
    page.on("request", lambda r: page.in_flight.add(r))
    page.on("requestfinished", lambda r: page.in_flight.discard(r))
    page.on("requestfailed", lambda r: page.in_flight.discard(r))


def quiet(page, idle_ms: int = 300, timeout_s: float = 8.0) -> None:
    """Until no request has been in flight for `idle_ms` (or `timeout_s` passed: a page that polls)."""
    deadline = time.monotonic() + timeout_s
    idle_since = None
    while time.monotonic() < deadline:
        if page.in_flight:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif (time.monotonic() - idle_since) * 1000 >= idle_ms:
            return
        page.wait_for_timeout(50)


def record(page, visit: Visit) -> Visit:
    visit.landed = page.url
    visit.title = page.title()
    visit.text = page.locator("body").inner_text()
    visit.main = page.locator("#main").inner_text() if page.locator("#main").count() else visit.text
    visit.has_time_input = page.locator("input[type=datetime-local], input[type=time]").count() > 0
    if AXE_SCRIPT.exists():
        visit.violations = axe_check(page)
    return visit


def new_context(browser, viewport: str, session: Fixtures | None):
    size = VIEWPORTS[viewport]
    phone = size["width"] < 600
    context = browser.new_context(viewport=size, device_scale_factor=1, is_mobile=phone, has_touch=phone)
    if session is not None:
        sign_in_page(context.new_page(), session)
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch_network(page)
    return context, page


def visit_customer_pages(browser, site: Site) -> list[Visit]:
    visits = []
    for viewport in VIEWPORTS:
        contexts = {
            who: new_context(browser, viewport, site.shop if who == "customer" else None)
            for who in ("anonymous", "customer")
        }
        for file in page_files():
            for spec in storefront_pages(site.shop, [file]):
                # A public page as a visitor at both sizes, and as the signed-in customer on a phone.
                identities = (
                    ["customer"]
                    if spec.signed_in
                    else ["anonymous"] + (["customer"] if viewport == "phone" else [])
                )
                for who in identities:
                    _, page = contexts[who]
                    visit = Visit(spec.name, spec.path, viewport, who)
                    try:
                        page.goto(site.shop.base + spec.path, wait_until="load")
                        quiet(page)
                        visits.append(record(page, visit))
                    except Exception as exc:  # one broken page must not hide the others
                        visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                        visits.append(visit)
        for context, _ in contexts.values():
            context.close()
    return visits


def route_shape(route: str) -> tuple:
    """Routes that render the same kind of screen: #/members/abc and #/members/xyz are one shape."""
    path, _, query = route.removeprefix("#/").partition("?")
    parts = path.split("/")
    return (
        parts[0],
        len(parts),
        parts[2] if len(parts) > 2 else "",
        tuple(sorted(re.findall(r"(\w+)=", query))),
    )


def visit_console(browser, site: Site) -> tuple[list[Visit], set[str]]:
    """Every screen of the route table, the site's data screens, then each new shape of screen the
    visited screens link to. Returns the visits and the console modules the browser loaded."""
    screens = console_screens()
    visits, modules = [], set()
    for viewport in VIEWPORTS:
        context, page = new_context(browser, viewport, site.operator)
        page.on("request", lambda r: modules.add(r.url.rsplit("/", 1)[-1]) if "/admin/js/" in r.url else None)
        page.goto(site.operator.base + "/admin/", wait_until="load")
        page.get_by_role("navigation", name="Console").wait_for()
        queue = [f"#/{name}" for name in screens] + site.console_routes
        queue += [
            a
            for a in page.eval_on_selector_all(
                "#nav a[href^='#/']", "els => els.map(e => e.getAttribute('href'))"
            )
        ]
        shapes: Counter[tuple] = Counter()
        visited: set[str] = set()
        while queue and len(visited) < MOST_CONSOLE_ROUTES:
            route = queue.pop(0)
            # The site's data routes always; otherwise the first routes of each shape (two, because a
            # shape such as #/products/<id> is also #/products/new).
            shape = route_shape(route)
            if route in visited or (shapes[shape] >= ROUTES_PER_SHAPE and route not in site.console_routes):
                continue
            visited.add(route)
            shapes[shape] += 1
            visit = Visit(route, route, viewport, "operator")
            try:
                page.evaluate("(hash) => { location.hash = hash; }", route)
                page.wait_for_function(
                    "() => document.querySelector('#main').getAttribute('aria-busy') !== 'true'"
                )
                quiet(page)
                visits.append(record(page, visit))
                if route in site.console_routes:  # the screens with this test's data, for a reviewer
                    # Named by kind, not id, so a rerun overwrites them: #/members/<id> -> members-1.
                    path = route.removeprefix("#/").split("?")[0].split("/")
                    kind = "-".join(
                        [path[0], *(p if p.isalpha() else str(i) for i, p in enumerate(path[1:], 1))]
                    )
                    shot(page, f"every-page-console-{kind}{'-search' if '?' in route else ''}-{viewport}")
                queue += page.eval_on_selector_all(
                    "#main a[href^='#/']", "els => els.map(e => e.getAttribute('href'))"
                )
            except Exception as exc:
                visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                visits.append(visit)
            page.evaluate("() => window.scrollTo(0, 0)")
        context.close()
    return visits, modules


@pytest.fixture(scope="module")
def visits(browser, site) -> dict[str, list[Visit]]:
    started = time.monotonic()
    customer = visit_customer_pages(browser, site)
    console, modules = visit_console(browser, site)
    took = time.monotonic() - started
    print(f"\nvisited {len(customer)} customer pages and {len(console)} console screens in {took:.0f} s")
    return {"customer": customer, "console": console, "modules": modules}


def _where(v: Visit) -> str:
    return f"{v.where} ({v.viewport}, {v.who})"


# ---------------------------------------------------------------------------------------------------
# The checks over every page


def test_given_every_page_and_console_screen_when_shown_then_no_null_undefined_nan_or_object_text(
    visits, site
):
    customer, console = visits["customer"], visits["console"]
    assert {Path(v.url.split("?")[0]).name or "index.html" for v in customer} == set(page_files())
    screens = console_screens()
    assert set(screens.values()) <= visits["modules"], (
        f"console screens never shown: {set(screens.values()) - visits['modules']}"
    )
    for route in site.console_routes:
        assert any(v.where == route for v in console), f"{route} was not visited"

    broken = [f"{_where(v)}: {v.error}" for v in customer + console if v.error]
    assert not broken, "\n".join(broken)
    lost = [
        f"{_where(v)} ended on {v.landed}"
        for v in customer
        if v.who == "customer" and "signin.html" in v.landed
    ]
    assert not lost, "\n".join(lost)
    found = [
        f"{_where(v)}: …{snippet}…" for v in customer + console for snippet in leaked(v.title + "\n" + v.text)
    ]
    assert not found, "\n".join(found)


def test_given_every_page_and_console_screen_when_axe_runs_then_no_violations(visits, axe_ready):
    found = [
        f"{_where(v)}: {x['impact']} {x['id']}: {x['help']} ({x['nodes']}: {'; '.join(x['targets'][:3])})"
        for v in visits["customer"] + visits["console"]
        for x in v.violations
    ]
    assert not found, "\n".join(found)


def test_given_a_console_screen_that_shows_or_takes_a_time_then_it_says_the_time_is_china_time(visits):
    silent = [
        _where(v)
        for v in visits["console"]
        if (TIME_OF_DAY.search(v.main) or v.has_time_input) and "China time" not in v.main
    ]
    assert not silent, "these screens show or take times without saying they are China time:\n" + "\n".join(
        silent
    )


def test_given_known_faults_when_the_checks_run_then_they_find_them(browser, axe_ready):
    """The checks above can fail: leaked values are found as words (not inside other words), and axe
    reports an image without alt text, an unnamed button and a button whose name hides its text."""
    assert leaked("Agent licence null · Points: NaN · [object Object] · undefined")
    assert not leaked("Nullable fields, an undefinedness, Nancy, NaNa")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            '<html lang="en"><title>t</title><main><img src="x.png"><button></button>'
            '<button aria-label="Show only product:x">Only this</button></main></html>'
        )
        found = {v["id"] for v in axe_check(page)}
    finally:
        context.close()
    assert {"image-alt", "button-name", "label-content-name-mismatch"} <= found


@pytest.fixture(scope="module")
def axe_ready() -> None:
    if not AXE_SCRIPT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE_SCRIPT} is missing in CI; make test installs it with npm ci --prefix tools")
        pytest.skip(f"{AXE_SCRIPT} is missing (npm ci --prefix tools)")


# ---------------------------------------------------------------------------------------------------
# Lighthouse: each customer page once (its first query), and the console shell


def lighthouse_targets() -> list[tuple[str, str]]:
    names = []
    for file in page_files():
        names.append(storefront_pages(None, [file])[0].name)
    return [(name, preset) for name in names + [CONSOLE_SHELL.name] for preset in ("mobile", "desktop")]


@pytest.fixture(scope="module")
def lighthouse(request, site, browser) -> dict[tuple[str, str], dict]:
    """Runs the selected Lighthouse tests' pages in three batches (visitor, customer, operator: one
    Chromium each) and keeps each run's summary by (page, preset)."""
    if not LIGHTHOUSE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{LIGHTHOUSE} is missing in CI; make test installs it with npm ci --prefix tools")
        pytest.skip(f"{LIGHTHOUSE} is missing (npm ci --prefix tools)")
    wanted = {
        tuple(item.callspec.params[k] for k in ("page_name", "preset"))
        for item in request.session.items
        if item.originalname == "test_given_a_page_when_lighthouse_runs_then_it_meets_the_targets"
    }
    REPORTS.mkdir(parents=True, exist_ok=True)
    specs = {}
    for file in page_files():
        spec = storefront_pages(None, [file])[0]
        specs[spec.name] = file
    batches: dict[str, list] = {"anonymous": [], "customer": [], "operator": []}
    for name, preset in sorted(wanted):
        if name == CONSOLE_SHELL.name:
            spec, who = CONSOLE_SHELL, "operator"
        else:
            spec = storefront_pages(site.shop, [specs[name]])[0]
            who = "customer" if spec.signed_in else "anonymous"
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        batches[who].append((spec, preset, REPORTS / f"{slug}-{preset}.report.json"))
    sessions = {"anonymous": None, "customer": site.shop, "operator": site.operator}
    results: dict[tuple[str, str], dict] = {}
    attempts: dict[tuple[str, str], list[dict]] = {}
    started = time.monotonic()
    count = 0
    # The performance score is timed on a shared machine and varies from run to run (Lighthouse's own
    # advice is the median of several runs); a page whose first run misses the target is measured
    # PERFORMANCE_RUNS times in all and judged on its median run. The other categories are not timed.
    for round_ in range(PERFORMANCE_RUNS):
        for who, runs in batches.items():
            if round_:
                runs = [run for run in runs if _slow((run[0].name, run[1]), results)]
            if not runs:
                continue
            count += len(runs)
            for (spec, preset, _), summary in zip(
                runs,
                lighthouse_batch(
                    runs, site.shop.base, sessions[who], LIGHTHOUSE_CATEGORIES, browser.browser_type
                ),
                strict=True,
            ):
                key = (spec.name, preset)
                attempts.setdefault(key, []).append(summary)
                results[key] = _median_run(attempts[key])
    print(f"\n{count} Lighthouse runs for {len(results)} pages in {time.monotonic() - started:.0f} s")
    (REPORTS / "summary.json").write_text(
        json.dumps({f"{k[0]} [{k[1]}]": v for k, v in results.items()}, indent=2)
    )
    return results


def _slow(key: tuple[str, str], results: dict[tuple[str, str], dict]) -> bool:
    result = results.get(key)
    if result is None or result["error"]:
        return False
    score = result["scores"]["performance"]
    return score is not None and score < LIGHTHOUSE_TARGETS["performance"]


def _median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (the lower middle of an even count); each run's score
    is kept in `performance_runs`."""
    ranked = sorted(runs, key=lambda run: run["scores"]["performance"] or 0)
    chosen = ranked[(len(ranked) - 1) // 2]
    return {**chosen, "performance_runs": [run["scores"]["performance"] for run in runs]}


@pytest.mark.parametrize(("page_name", "preset"), lighthouse_targets())
def test_given_a_page_when_lighthouse_runs_then_it_meets_the_targets(lighthouse, page_name, preset):
    result = lighthouse[(page_name, preset)]
    assert not result["error"], result["error"]
    misses = [
        f"{category} {result['scores'][category]} < {target}"
        for category, target in LIGHTHOUSE_TARGETS.items()
        if result["scores"][category] is None or result["scores"][category] < target
    ]
    shift = result["cumulative_layout_shift"]
    if shift is None or shift >= MOST_LAYOUT_SHIFT:
        misses.append(f"cumulative layout shift {shift} >= {MOST_LAYOUT_SHIFT}")
    assert not misses, (
        f"{page_name} [{preset}]: " + "; ".join(misses) + f"; failing audits: {result['failing_audits']}"
        f"; performance per run: {result['performance_runs']}"
    )
