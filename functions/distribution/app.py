"""Distribution API: member sign-up and sign-in against the Cognito user pool, the profile, saved
family members and delivery addresses. Invitations, commissions, withdrawals and points build on
these members."""

from __future__ import annotations

import re

from chalice import Chalice, Response

from distribution import store
from distribution.domain import members
from distribution.routes import campaigns, commissions, invitations, points, withdrawals
from insuremall import auth, aws, errors, web
from insuremall.config import get_settings
from insuremall.observability import get_logger
from insuremall.privacy import mask_email

app = Chalice(app_name="insuremall-distribution")
logger = get_logger("distribution")
web.install(app, logger)
app.register_blueprint(points.bp)
app.register_blueprint(invitations.bp)
app.register_blueprint(campaigns.bp)
app.register_blueprint(commissions.bp)
app.register_blueprint(withdrawals.bp)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ITEM_ID = re.compile(r"^[0-9a-f]{1,64}$")


def _credentials(body: dict) -> tuple[str, str]:
    email, password = body.get("email"), body.get("password")
    problems = {}
    if not isinstance(email, str) or not EMAIL.match(email.strip()) or len(email) > 200:
        problems["email"] = "enter a valid e-mail address"
    if not isinstance(password, str) or not password:
        problems["password"] = "is required"  # noqa: S105 - a message, not a password
    if problems:
        raise errors.Invalid(problems)
    return email.strip().lower(), password


def _tokens(result: dict) -> dict:
    auth_result = result["AuthenticationResult"]
    return {
        "id_token": auth_result["IdToken"],
        "access_token": auth_result["AccessToken"],
        "refresh_token": auth_result.get("RefreshToken"),
        "expires_in": auth_result["ExpiresIn"],
    }


def _sign_in(email: str, password: str) -> dict:
    client = aws.client("cognito-idp")
    try:
        result = client.initiate_auth(
            ClientId=get_settings().user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except (client.exceptions.NotAuthorizedException, client.exceptions.UserNotFoundException) as exc:
        raise errors.Unauthenticated("Wrong e-mail or password") from exc
    except client.exceptions.UserNotConfirmedException as exc:
        raise errors.Forbidden("Confirm your e-mail address first") from exc
    return _tokens(result)


@app.route("/distribution/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "distribution"}


@app.route("/members/signup", methods=["POST"])
def sign_up():
    body = web.json_object(app.current_request)
    email, password = _credentials(body)
    name = body.get("name", "")
    if not isinstance(name, str) or len(name.strip()) > 60:
        raise errors.Invalid({"name": "at most 60 characters"})
    name = name.strip() or email.split("@")[0]
    client, settings = aws.client("cognito-idp"), get_settings()
    try:
        result = client.sign_up(
            ClientId=settings.user_pool_client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
        )
    except client.exceptions.UsernameExistsException as exc:
        raise errors.Conflict(
            "An account with this e-mail already exists; sign in instead", {"email": "already registered"}
        ) from exc
    except client.exceptions.InvalidPasswordException as exc:
        raise errors.Invalid(
            {"password": "use at least 8 characters with lower-case letters and digits"}
        ) from exc
    except client.exceptions.InvalidParameterException as exc:
        raise errors.Invalid({"email": "not accepted by the identity service"}) from exc
    # The storefront signs people straight in; e-mail verification is a later step (docs/decisions.md).
    client.admin_confirm_sign_up(UserPoolId=settings.user_pool_id, Username=email)
    member = store.create_member(result["UserSub"], email, name)
    logger.info("member signed up", extra={"member_id": member["member_id"], "email": mask_email(email)})
    answer = {"member": member, "tokens": _sign_in(email, password)}
    invited = invitations.bind_at_sign_up(member["member_id"], body.get("invite_code"))
    if invited is not None:
        answer["invitation"] = invited
    return Response(body=answer, status_code=201)


@app.route("/members/signin", methods=["POST"])
def sign_in():
    email, password = _credentials(web.json_object(app.current_request))
    return {"tokens": _sign_in(email, password)}


def _member(caller: auth.Caller) -> dict:
    """The caller's profile; created on first use for users made outside sign-up (e.g. by operators)."""
    return store.get_member(caller.subject) or store.create_member(
        caller.subject, caller.email or "", (caller.email or "member").split("@")[0]
    )


def _item_id(raw: str, what: str) -> str:
    # Ids are ours (hex); anything else cannot exist, and answering 404 says no more than that.
    if not ITEM_ID.match(raw or ""):
        raise errors.NotFound(f"No such {what}")
    return raw


@app.route("/members/me", methods=["GET"])
def me():
    caller = auth.customer(app.current_request)
    return {"member": members.member_view(_member(caller)), "operator": caller.is_operator}


@app.route("/members/me", methods=["PUT"])
def update_me():
    caller = auth.customer(app.current_request)
    changes, problems = members.parse_profile_update(web.json_object(app.current_request))
    if problems:
        raise errors.Invalid(problems)
    _member(caller)
    member = store.update_member(caller.subject, changes)
    return {"member": members.member_view(member), "operator": caller.is_operator}


@app.route("/members/me/family", methods=["GET"])
def list_family():
    caller = auth.customer(app.current_request)
    return {"family": [members.family_view(f) for f in store.list_family(caller.subject)]}


@app.route("/members/me/family", methods=["POST"])
def add_family_member():
    caller = auth.customer(app.current_request)
    person, problems = members.parse_family_member(web.json_object(app.current_request))
    if problems:
        raise errors.Invalid(problems)
    _member(caller)
    conflict = members.family_conflict(person, store.list_family(caller.subject))
    if conflict:
        raise errors.Conflict(conflict)
    saved = store.add_family_member(caller.subject, person)
    logger.info("family member added", extra={"member_id": caller.subject, "relation": saved["relation"]})
    return Response(body=members.family_view(saved), status_code=201)


@app.route("/members/me/family/{family_member_id}", methods=["GET"])
def get_family_member(family_member_id: str):
    caller = auth.customer(app.current_request)
    person = store.get_family_member(caller.subject, _item_id(family_member_id, "family member"))
    if person is None:
        raise errors.NotFound("No such family member")
    return members.family_view(person, full_id=True)


@app.route("/members/me/family/{family_member_id}", methods=["DELETE"])
def remove_family_member(family_member_id: str):
    caller = auth.customer(app.current_request)
    if not store.remove_family_member(caller.subject, _item_id(family_member_id, "family member")):
        raise errors.NotFound("No such family member")
    return {"deleted": True}


@app.route("/members/me/addresses", methods=["GET"])
def list_addresses():
    caller = auth.customer(app.current_request)
    return {"addresses": [members.address_view(a) for a in store.list_addresses(caller.subject)]}


@app.route("/members/me/addresses", methods=["POST"])
def add_address():
    caller = auth.customer(app.current_request)
    address, problems = members.parse_address(web.json_object(app.current_request))
    if problems:
        raise errors.Invalid(problems)
    _member(caller)
    return Response(body=members.address_view(store.add_address(caller.subject, address)), status_code=201)


@app.route("/members/me/addresses/{address_id}", methods=["DELETE"])
def remove_address(address_id: str):
    caller = auth.customer(app.current_request)
    if not store.remove_address(caller.subject, _item_id(address_id, "address")):
        raise errors.NotFound("No such address")
    return {"deleted": True}


@app.route("/members/me/notifications", methods=["GET"])
def list_notifications():
    caller = auth.customer(app.current_request)
    return {"notifications": store.list_notifications(caller.subject)}
