"""Held comments reach the moderation queue through the table's change stream, even when SQS is
down for a while: the dual-write hazard, with the fault injected on the network."""

import json
import time
from typing import Any

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


def _answer_error(code: str) -> Any:
    from botocore.awsrequest import AWSResponse

    parsed = {
        "Error": {"Code": code, "Message": "injected fault"},
        "ResponseMetadata": {"HTTPStatusCode": 400, "HTTPHeaders": {}},
    }
    if code == "TransactionCanceledException":
        parsed["CancellationReasons"] = [{"Code": "TransactionConflict"}]
    return AWSResponse("https://aws.local", 400, {}, None), parsed


def test_a_record_whose_tallies_cannot_be_applied_yet_is_queued_once_when_they_can(api, aws_stack, relay):
    from comments.api import runtime

    # Given the relay's tallies transaction keeps failing (a conflict on every try) for a while
    failing = {"on": True, "calls": 0}

    def conflict(**_: Any) -> Any:
        if failing["on"]:
            failing["calls"] += 1
            return _answer_error("TransactionCanceledException")
        return None

    events = runtime.current().ddb.meta.events
    events.register_first("before-call.dynamodb.TransactWriteItems", conflict)
    try:
        # When a comment is held and the stream is relayed during that while
        held = api.call("POST", ARTICLE, HELD).json["comment"]["id"]
        drain(relay, rounds=2)
        # Then the record was handed back, and nothing was sent for it yet
        assert failing["calls"] > 0 and relay.failures >= 1
        assert receive_all(aws_stack) == []
        # When the tallies go through again
        failing["on"] = False
        drain(relay)
    finally:
        events.unregister("before-call.dynamodb.TransactWriteItems", conflict)
    # Then the held comment is on the queue exactly once
    assert [m["comment"]["id"] for m in receive_all(aws_stack)] == [held]


def test_when_one_record_cannot_be_queued_the_ones_after_it_are_not_sent_twice(api, aws_stack, relay):
    from comments.api import runtime

    # Given three comments held one after another, relayed in one batch
    ids = [
        api.call("POST", ARTICLE, {**HELD, "email": f"q{i}@example.org"}).json["comment"]["id"]
        for i in range(3)
    ]
    # ...and SQS refuses the second one's message, once
    refused = {"left": 1}

    def refuse_second(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if refused["left"] and ids[1] in params.get("MessageBody", ""):
            refused["left"] -= 1
            context["refuse"] = True

    def answer(context: dict[str, Any], **_: Any) -> Any:
        return _answer_error("ServiceUnavailable") if context.get("refuse") else None

    sqs_events = runtime.current().queue.client.meta.events
    sqs_events.register_first("before-parameter-build.sqs.SendMessage", refuse_second)
    sqs_events.register_first("before-call.sqs.SendMessage", answer)
    try:
        # When the stream is relayed (the stream hands back the batch from the second record on)
        drain(relay)
    finally:
        sqs_events.unregister("before-parameter-build.sqs.SendMessage", refuse_second)
        sqs_events.unregister("before-call.sqs.SendMessage", answer)
    # Then the refusal happened, and each held comment is on the queue exactly once, in order
    assert refused["left"] == 0 and relay.failures >= 1
    assert [m["comment"]["id"] for m in receive_all(aws_stack)] == ids
