"""Held comments reach the moderation queue through the table's change stream, even when SQS is
down for a while: the dual-write hazard, with the fault injected on the network."""

import json
import time

import pytest
from comments_dev.faults import CuttableProxy
from comments_dev.streams import stream_mappings

ARTICLE = "/articles/queue-test/comments"
HELD = {
    "name": "Bo",
    "email": "bo@example.org",
    "body": "See https://a.example.com and https://b.example.com and https://c.example.com",
}
CLEAN = {"name": "Cy", "email": "cy@example.org", "body": "Clear and fair reporting, thanks."}


def receive_all(stack, wait: float = 0.0) -> list[dict]:
    sqs = stack.client("sqs")
    url = stack.queues["ModerationQueue"]
    out: list[dict] = []
    deadline = time.monotonic() + wait
    while True:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        out += [json.loads(m["Body"]) for m in msgs]
        if not msgs and time.monotonic() >= deadline:
            return out
        if not msgs:
            time.sleep(0.1)


@pytest.fixture
def relay(api, aws_stack):
    functions = {"RelayFunction": api.function("RelayFunction")}
    [mapping] = stream_mappings(aws_stack, functions)
    return mapping


def drain(mapping, rounds: int = 5) -> None:
    for _ in range(rounds):
        mapping.poll_once()


def test_a_held_comment_is_queued_as_the_contract_message(api, aws_stack, relay):
    # Given a held comment and a clean one
    held = api.call("POST", ARTICLE, HELD).json
    api.call("POST", ARTICLE, CLEAN)
    # When the change stream is relayed
    drain(relay)
    # Then exactly the held one is on the queue, shaped as the contract says
    [message] = receive_all(aws_stack)
    assert message == {
        "type": "comment.held",
        "version": 1,
        "comment": held["comment"],
        "reasons": held["reasons"],
        "policyVersion": message["policyVersion"],
    }
    assert message["policyVersion"]
    assert "bo@example.org" not in json.dumps(message)


def test_held_comments_reach_the_queue_after_an_sqs_outage(api, aws_stack, relay, moto_server, monkeypatch):
    from tests_support import reset

    # Given SQS is unreachable from the relay
    proxy = CuttableProxy(moto_server.port)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", proxy.endpoint)
    reset()
    proxy.cut()
    try:
        # When comments are held during the outage
        ids = [
            api.call("POST", ARTICLE, {**HELD, "email": f"h{i}@example.org"}).json["comment"]["id"]
            for i in range(3)
        ]
        drain(relay)
        # Then none is queued yet, and none is lost
        assert receive_all(aws_stack) == []
        assert relay.failures >= 1
        # When SQS comes back
        proxy.restore()
        drain(relay)
        # Then every held comment is on the queue exactly once
        queued = [m["comment"]["id"] for m in receive_all(aws_stack)]
        assert sorted(queued) == sorted(ids)
    finally:
        proxy.close()


def test_a_comment_already_pending_is_not_queued_again_on_other_changes(api, aws_stack, relay):
    held = api.call("POST", ARTICLE, HELD).json["comment"]
    drain(relay)
    assert len(receive_all(aws_stack)) == 1
    ddb = aws_stack.client("dynamodb")
    ddb.update_item(
        TableName=aws_stack.tables["CommentsTable"],
        Key={"pk": {"S": f"C#{held['id']}"}},
        UpdateExpression="SET updatedAt = :t",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":t": {"S": "2026-01-01T00:00:00.000Z"}},
    )
    drain(relay)
    assert receive_all(aws_stack) == []
