"""The customer user pool (Cognito): the only code here that calls it. Its refusals become plain
failures (insuremall.errors), so the sign-up and sign-in use cases know nothing of Cognito."""

from __future__ import annotations

from typing import Any

from insuremall import aws, errors
from insuremall.config import get_settings


class UserPool:
    def sign_up(self, email: str, password: str, name: str) -> str:
        """Create a confirmed user; returns its id (the token's `sub`, the member id)."""
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
        return result["UserSub"]

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """The user's tokens: {id_token, access_token, refresh_token, expires_in}."""
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
        auth_result = result["AuthenticationResult"]
        return {
            "id_token": auth_result["IdToken"],
            "access_token": auth_result["AccessToken"],
            "refresh_token": auth_result.get("RefreshToken"),
            "expires_in": auth_result["ExpiresIn"],
        }
