"""Payment webhook signatures: t=<unix>,v1=<hex HMAC-SHA256 of "t." + raw body>."""

import hashlib
import hmac

import pytest

from checkout.domain.webhook_signature import SignatureError, sign, verify

SECRET = b"whsec_demo_current"
OLD_SECRET = b"whsec_demo_previous"
BODY = b'{"event":"payment.succeeded","order_id":"ORD-1","amount":"230.00"}'
T = 1_767_225_600  # 2026-01-01T00:00:00Z


def reason_of(**kwargs):
    with pytest.raises(SignatureError) as caught:
        verify(**kwargs)
    return caught.value.reason


def test_given_known_secret_and_body_when_signed_then_header_matches_an_independent_hmac():
    expected = hmac.new(SECRET, b"1767225600." + BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, BODY, T) == f"t=1767225600,v1={expected}"


def test_given_valid_signature_when_verified_then_no_error():
    verify(SECRET, BODY, sign(SECRET, BODY, T), now=T + 5)


def test_given_body_changed_after_signing_when_verified_then_mismatch():
    header = sign(SECRET, BODY, T)
    tampered = BODY.replace(b"230.00", b"2.30")

    assert reason_of(secret=SECRET, body=tampered, header=header, now=T) == "signature mismatch"


def test_given_timestamp_changed_after_signing_when_verified_then_mismatch():
    header = sign(SECRET, BODY, T).replace(f"t={T}", f"t={T + 1}")

    assert reason_of(secret=SECRET, body=BODY, header=header, now=T) == "signature mismatch"


def test_given_wrong_secret_when_verified_then_mismatch():
    header = sign(b"someone-else", BODY, T)

    assert reason_of(secret=SECRET, body=BODY, header=header, now=T) == "signature mismatch"


@pytest.mark.parametrize("offset", [301, -301, 86_400, -86_400])
def test_given_timestamp_outside_tolerance_in_past_or_future_when_verified_then_stale(offset):
    header = sign(SECRET, BODY, T)

    assert reason_of(secret=SECRET, body=BODY, header=header, now=T + offset) == "stale timestamp"


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_given_timestamp_on_the_tolerance_edge_when_verified_then_accepted(offset):
    verify(SECRET, BODY, sign(SECRET, BODY, T), now=T + offset)


def test_given_custom_tolerance_when_verified_then_it_applies():
    header = sign(SECRET, BODY, T)

    assert reason_of(secret=SECRET, body=BODY, header=header, now=T + 11, tolerance_seconds=10) == (
        "stale timestamp"
    )


@pytest.mark.parametrize("header", [None, "", "   "])
def test_given_no_signature_header_when_verified_then_missing(header):
    assert reason_of(secret=SECRET, body=BODY, header=header, now=T) == "missing signature"


GOOD_HEX = "a" * 64


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        f"v1={GOOD_HEX}",  # no timestamp
        f"t={T}",  # no signature
        f"t=soon,v1={GOOD_HEX}",
        f"t=-5,v1={GOOD_HEX}",
        f"t={T},v1=not-hex",
        f"t={T},v1={'a' * 63}",
        f"t={T},t={T},v1={GOOD_HEX}",
        f"t={T};v1={GOOD_HEX}",
    ],
)
def test_given_malformed_header_when_verified_then_malformed(header):
    assert reason_of(secret=SECRET, body=BODY, header=header, now=T) == "malformed signature"


def test_given_sender_rotating_keys_with_two_v1_values_when_verified_with_either_secret_then_accepted():
    header = sign([OLD_SECRET, SECRET], BODY, T)

    assert header.count("v1=") == 2
    verify(SECRET, BODY, header, now=T)
    verify(OLD_SECRET, BODY, header, now=T)


def test_given_receiver_holding_old_and_new_secrets_when_sender_uses_either_then_accepted():
    verify([SECRET, OLD_SECRET], BODY, sign(OLD_SECRET, BODY, T), now=T)
    verify([SECRET, OLD_SECRET], BODY, sign(SECRET, BODY, T), now=T)
    assert reason_of(secret=[SECRET, OLD_SECRET], body=BODY, header=sign(b"x", BODY, T), now=T) == (
        "signature mismatch"
    )


def test_given_extra_schemes_and_spaces_when_verified_then_ignored():
    header = sign(SECRET, BODY, T).replace(",", ", ") + ",v0=legacy"

    verify(SECRET, BODY, header, now=T)


def test_given_upper_case_hex_when_verified_then_accepted():
    t_part, v_part = sign(SECRET, BODY, T).split(",")

    verify(SECRET, BODY, f"{t_part},{v_part.upper().replace('V1=', 'v1=')}", now=T)


def test_given_empty_secret_when_used_then_value_error():
    with pytest.raises(ValueError):
        sign(b"", BODY, T)
    with pytest.raises(ValueError):
        verify([], BODY, sign(SECRET, BODY, T), now=T)
