"""DistributionFunction: the Chalice app with the routes of members, promotions and referrals (one
blueprint each; web.install answers their failures and checks requests against the contract)."""

from __future__ import annotations

from chalice import Chalice

from distribution.members import routes as members
from distribution.promotions import routes as promotions
from distribution.referrals import routes as referrals
from insuremall import web
from insuremall.observability import get_logger

app = Chalice(app_name="insuremall-distribution")
logger = get_logger("distribution")
web.install(app, logger)
app.register_blueprint(members.bp)
app.register_blueprint(promotions.bp)
app.register_blueprint(referrals.bp)


@app.route("/distribution/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "distribution"}
