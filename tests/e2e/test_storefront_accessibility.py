"""axe-core on the storefront's main pages, at a phone and a desktop size: no serious or critical
violations. The pages are the ones that exist in storefront_static/ (tools/storefront_audit.py lists
them); signed-in pages get a real customer with an issued policy and a fresh quote."""

from __future__ import annotations

import os
import uuid

import pytest
import requests

from tools.storefront_audit import (
    AXE_SCRIPT,
    VIEWPORTS,
    Fixtures,
    axe_check,
    axe_violations,
    blocking,
    prepare,
    sign_in_page,
    storefront_pages,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PASSWORD = "Secret2026x"  # noqa: S105 - a test customer's password
PAGES = storefront_pages()


@pytest.fixture(scope="module")
def axe_ready() -> None:
    if not AXE_SCRIPT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE_SCRIPT} is missing in CI; make test installs it with npm ci --prefix tools")
        pytest.skip(f"{AXE_SCRIPT} is missing (npm ci --prefix tools)")


@pytest.fixture(scope="module")
def shop(platform) -> Fixtures:
    email = f"a11y-{uuid.uuid4().hex[:10]}@example.com"
    response = requests.post(
        platform.api_url + "/members/signup",
        json={"email": email, "password": PASSWORD, "name": "Axe Customer"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return prepare(platform.url, email, PASSWORD)


@pytest.fixture(scope="module")
def contexts(browser, shop, axe_ready):
    """One anonymous and one signed-in browser context per viewport."""
    made = {}
    for name, viewport in VIEWPORTS.items():
        made[(name, False)] = browser.new_context(viewport=viewport)
        made[(name, True)] = browser.new_context(viewport=viewport)
        sign_in_page(made[(name, True)].new_page(), shop)
    yield made
    for context in made.values():
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("page_name", [p.name for p in PAGES])
def test_given_a_main_page_when_axe_runs_then_no_serious_or_critical_violations(
    contexts, shop, page_name, viewport
):
    spec = next(p for p in storefront_pages(shop) if p.name == page_name)
    page = contexts[(viewport, spec.signed_in)].new_page()
    try:
        violations = axe_violations(page, shop.base + spec.path)
        landed = page.url
    finally:
        page.close()
    if spec.signed_in:
        assert spec.file in landed, f"{spec.name} sent the signed-in customer to {landed}"
    found = blocking(violations)
    assert not found, "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} ({v['nodes']} elements, e.g. {'; '.join(v['targets'][:3])})"
        for v in found
    )


def test_given_a_page_with_known_faults_when_axe_runs_then_it_reports_them(contexts):
    """The check above can fail: an image without alt text and an unnamed button are caught."""
    page = contexts[("phone", False)].new_page()
    try:
        page.set_content(
            '<html lang="en"><title>t</title><main><img src="x.png"><button></button></main></html>'
        )
        found = {v["id"] for v in blocking(axe_check(page))}
    finally:
        page.close()
    assert {"image-alt", "button-name"} <= found
