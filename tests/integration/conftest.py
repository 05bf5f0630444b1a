"""Integration fixtures: the handlers in-process over the embedded AWS (moto), no HTTP server.

The embedded AWS starts when this module is imported, before any test module imports a function:
the functions read their table names from the environment the template gives them.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from insuremall.clock import china_today
from local.embedded_aws import EmbeddedAws

AWS = EmbeddedAws().start()


def _webhook_gateway():
    """The sandbox provider's webhook goes over HTTP to the template's routes (on a free port), as on
    the local platform; set before any function's cold start reads the URL."""
    from local.gateway import STAGE, Gateway

    gateway = Gateway(AWS.template.routes(), AWS.runtime)
    port = gateway.start("127.0.0.1", 0)
    AWS.put_parameter("SandboxPaymentWebhookUrl", f"http://127.0.0.1:{port}/{STAGE}/payments/webhook")
    return gateway


WEBHOOK_GATEWAY = _webhook_gateway()


def pytest_sessionfinish(session, exitstatus):
    WEBHOOK_GATEWAY.stop()
    AWS.stop()


@pytest.fixture(scope="session")
def aws() -> EmbeddedAws:
    return AWS


@pytest.fixture(scope="session", autouse=True)
def demo_catalog(aws):
    from local import demo

    return demo.seed_catalog()


_people = iter(range(101, 999, 2))


def make_application(
    product_id: str = "accident-guardian",
    plan: str = "standard",
    age: int = 36,
    start: date | None = None,
    health_answers: dict | None = None,
    **factors,
) -> dict:
    """An application as checkout builds it, for tasks that run after payment."""
    from catalog import store as catalog
    from catalog.domain import rating
    from checkout.domain.application import build_application
    from insuremall.identity import make_prc_id

    product = catalog.get_product(product_id)
    start = start or china_today() + timedelta(days=1)
    factors = {
        "plan": plan,
        "age": age,
        "gender": "M",
        "term": product["terms"][0]["code"],
        "occupation_class": 1 if product.get("occupation_classes") else None,
        **factors,
    }
    premium = rating.rate(
        product,
        catalog.get_rate_table(product_id, product["rate_table_version"]),
        rating.parse_rating_request(product, factors),
    )
    birth = date(start.year - age, 12, 1) if start.month == 12 else date(start.year - age, 1, 1)
    if (start.month, start.day) < (birth.month, birth.day):
        birth = birth.replace(year=birth.year - 1)
    id_number = make_prc_id("310101", birth, f"{next(_people):03d}")
    quote = {
        "quote_id": f"Q{uuid.uuid4().hex[:8]}",
        "rate_table_version": product["rate_table_version"],
        "inputs": {**factors, "options": [], "start_date": start.isoformat()},
        "premium": premium.to_dict(),
        "premium_cents": int(premium.total * 100),
    }
    answers = (
        health_answers
        if health_answers is not None
        else {q["code"]: False for q in product.get("health_questions", [])}
    )
    person = {"name": "Zhang Wei", "id_type": "prc_id", "id_number": id_number}
    application, problems = build_application(
        order_id=f"ORD{uuid.uuid4().hex[:12].upper()}",
        customer_id="customer-1",
        product=product,
        insurer=catalog.get_insurer(product["insurer_id"]),
        quote=quote,
        channel="h5",
        body={
            "policyholder": {**person, "phone": "13700001111"},
            "insured": [{**person, "relation": "self"}],
            "health_answers": answers,
            "accept_terms": True,
        },
    )
    assert not problems, problems
    return application


@pytest.fixture
def new_application():
    """A factory of applications, each for a new insured person."""
    return make_application
