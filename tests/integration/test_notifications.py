"""The notifications outbox over the embedded AWS: recorded once per (member, key), published to the
template's SNS topic (counted through an SQS queue subscribed to it), and listed in the member center."""

from __future__ import annotations

import json
import threading
import uuid

import pytest

PASSWORD = "Secret2026x"  # noqa: S105 - a test user's password
LINK = "/account.html#renewals"


@pytest.fixture
def inbox(aws):
    """An SQS queue subscribed to the notifications topic; returns the messages for one member."""
    sqs, sns = aws.client("sqs"), aws.client("sns")
    queue_url = sqs.create_queue(QueueName=f"notifications-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic_arn = aws.template.arn("CustomerNotificationsTopic")
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    received: list[dict] = []

    def messages_for(member_id: str) -> list[dict]:
        while True:
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            for m in batch:
                envelope = json.loads(m["Body"])
                received.append(
                    {**json.loads(envelope["Message"]), "attributes": envelope["MessageAttributes"]}
                )
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return [m for m in received if m["member_id"] == member_id]

    yield messages_for
    sns.unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=queue_url)


def _member_id() -> str:
    return str(uuid.uuid4())


def _notify(member_id: str, key: str = "renewal_offered#P1", **overrides) -> bool:
    from insuremall import notifications

    args = {
        "kind": "renewal_offered",
        "title": "Your policy can be renewed",
        "body": "Accident Guardian ends on 2026-12-31; renew it in your account.",
        "link": LINK,
        **overrides,
    }
    return notifications.notify(member_id, key, **args)


def test_given_the_same_key_twice_when_notified_then_one_record_and_one_message(aws, inbox):
    from insuremall import notifications

    member_id = _member_id()
    assert _notify(member_id) is True
    assert _notify(member_id, title="A second wording is not recorded") is False
    listed = notifications.list_for(member_id)
    assert len(listed) == 1
    assert listed[0]["title"] == "Your policy can be renewed"
    assert (listed[0]["delivery"], listed[0]["link"], listed[0]["kind"]) == ("sent", LINK, "renewal_offered")
    messages = inbox(member_id)
    assert len(messages) == 1
    assert messages[0]["notification_id"] == listed[0]["notification_id"]
    assert messages[0]["title"] == "Your policy can be renewed"
    assert messages[0]["attributes"]["kind"]["Value"] == "renewal_offered"


def test_given_concurrent_notifies_of_one_key_then_it_is_recorded_and_published_once(aws, inbox):
    from insuremall import notifications

    member_id = _member_id()
    outcomes: list[bool] = []
    threads = [threading.Thread(target=lambda: outcomes.append(_notify(member_id))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 5 + [True]
    assert [n["delivery"] for n in notifications.list_for(member_id)] == ["sent"]
    assert len(inbox(member_id)) == 1


def test_given_a_failed_publish_then_it_stays_pending_and_the_next_notify_sends_it(aws, inbox, monkeypatch):
    from insuremall import notifications

    member_id = _member_id()
    topic_arn = aws.template.arn("CustomerNotificationsTopic")
    monkeypatch.setenv("NOTIFICATIONS_TOPIC_ARN", topic_arn + "-gone")
    assert _notify(member_id) is True
    assert [n["delivery"] for n in notifications.list_for(member_id)] == ["pending"]
    assert inbox(member_id) == []

    monkeypatch.setenv("NOTIFICATIONS_TOPIC_ARN", topic_arn)
    assert _notify(member_id) is False
    assert [n["delivery"] for n in notifications.list_for(member_id)] == ["sent"]
    assert _notify(member_id) is False
    assert len(inbox(member_id)) == 1


def test_given_several_notifications_then_they_list_newest_first_up_to_the_limit(aws):
    from insuremall import notifications

    member_id = _member_id()
    for n in range(3):
        _notify(member_id, key=f"renewal_due_soon#P{n}", kind="renewal_due_soon", title=f"Reminder {n}")
    assert [n["title"] for n in notifications.list_for(member_id)] == [
        "Reminder 2",
        "Reminder 1",
        "Reminder 0",
    ]
    assert [n["title"] for n in notifications.list_for(member_id, limit=2)] == ["Reminder 2", "Reminder 1"]


# ----- the member center route -----


def _call(aws, token: str | None) -> tuple[int, dict]:
    from local.gateway import build_event
    from local.template import Template

    route = next(
        r for r in Template().routes() if r.path == "/members/me/notifications" and r.method == "GET"
    )
    headers = {"authorization": f"Bearer {token}"} if token else {}
    event = build_event(route, "GET", route.path, "", headers, b"", {}, "localhost")
    result, error = aws.runtime.invoke(route.function, event)
    assert error is None, result
    return result["statusCode"], json.loads(result["body"])


def _signed_in(aws) -> tuple[str, str]:
    from local import demo

    email = f"n-{uuid.uuid4().hex[:10]}@example.com"
    sub = demo.create_user(aws, email, PASSWORD, "Li Hua")
    tokens = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.refs["StorefrontUserPoolClient"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return sub, tokens["IdToken"]


def test_given_two_members_when_one_lists_notifications_then_only_their_own_come_back(aws):
    mine, token = _signed_in(aws)
    theirs, _ = _signed_in(aws)
    _notify(mine, key="renewal_offered#P-MINE", title="Mine")
    _notify(theirs, key="renewal_offered#P-THEIRS", title="Theirs")
    status, body = _call(aws, token)
    assert status == 200, body
    assert [n["title"] for n in body["notifications"]] == ["Mine"]
    assert set(body["notifications"][0]) == {
        "notification_id",
        "kind",
        "title",
        "body",
        "link",
        "created_at",
        "delivery",
    }


def test_given_no_token_when_notifications_are_listed_then_401(aws):
    status, body = _call(aws, None)
    assert status == 401
    assert body["error"]["code"]
