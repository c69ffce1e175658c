"""Faults, each injected: DynamoDB throttled or unreachable during a submit, a duplicate SQS
delivery, a Lambda timeout in the middle of an idempotent request, and a policy parameter that
fails to load or is malformed. The functions run as Lambda would (the `api` fixture) against the
session's moto server; network faults go through a CuttableProxy put in the function's endpoint.

The SQS outage (held comments still reach the queue once it returns) is
tests/integration/test_queueing.py::test_held_comments_reach_the_queue_after_an_sqs_outage.
"""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from comments_dev.faults import CuttableProxy
from comments_dev.streams import stream_mappings
from conftest import MODERATOR

ARTICLE = "/articles/faults-2026/comments"
HELD_BODY = "Sources: https://a.example.com/1 https://b.example.org/2 https://c.example.net/3"


def draft(body: str = "A calm and considered remark.", email: str | None = None) -> dict[str, Any]:
    return {"name": "Fay", "email": email or f"f-{uuid.uuid4().hex[:8]}@example.org", "body": body}


def items(stack) -> list[dict[str, Any]]:
    ddb = stack.client("dynamodb")
    out, kwargs = [], {"TableName": stack.tables["CommentsTable"], "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        out += page["Items"]
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def comments(stack) -> list[dict[str, Any]]:
    return [i for i in items(stack) if i.get("kind", {}).get("S") == "comment"]


def written(stack) -> dict[str, list[str]]:
    """Every item by kind: comments, duplicate markers, idempotency records, counters."""
    kinds: dict[str, list[str]] = {}
    for item in items(stack):
        pk = item["pk"]["S"]
        kind = item.get("kind", {}).get("S") or ("idempotency" if "idemStatus" in item else pk.split("#")[0])
        kinds.setdefault(kind, []).append(pk)
    return kinds


class LambdaTimeout(BaseException):
    """Lambda stopping the runtime at its deadline: nothing in the function gets to clean up
    (a BaseException, so neither Powertools idempotency nor the resolver can catch it)."""


def _error_response(code: str, reasons: list[str] | None = None) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    parsed: dict[str, Any] = {
        "Error": {"Code": code, "Message": "injected fault"},
        "ResponseMetadata": {"HTTPStatusCode": 400, "HTTPHeaders": {}},
    }
    if reasons is not None:
        parsed["CancellationReasons"] = [{"Code": r} for r in reasons]
    return AWSResponse("https://dynamodb.local", 400, {}, None), parsed


class Faults:
    """Injects DynamoDB errors into the functions' own client (botocore's `before-call` hook
    answers instead of the service, as a throttled DynamoDB would)."""

    def __init__(self) -> None:
        from tests_support import functions_ddb

        self.events = functions_ddb().meta.events
        self.hooks: list[tuple[str, Any]] = []
        self.calls: list[str] = []

    def fail(
        self, operation: str, code: str, *, times: int = 1, reasons: list[str] | None = None, when: Any = None
    ) -> None:
        """DynamoDB answers `code` instead of doing the call (the first `times` calls whose
        parameters `when` accepts)."""
        left = {"n": times}

        def mark(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            if left["n"] > 0 and (when is None or when(params)):
                left["n"] -= 1
                context["fail"] = True

        def hook(context: dict[str, Any], **_: Any) -> Any:
            if not context.get("fail"):
                return None
            self.calls.append(operation)
            return _error_response(code, reasons)

        self._register(f"before-parameter-build.dynamodb.{operation}", mark)
        self._register(f"before-call.dynamodb.{operation}", hook)

    def die_after(self, operation: str, when: Any = None) -> None:
        """The call (the first one whose parameters `when` accepts) reaches DynamoDB, then the
        runtime is stopped before the function goes on."""
        left = {"n": 1}

        def mark(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            if left["n"] > 0 and (when is None or when(params)):
                left["n"] -= 1
                context["die-after"] = True

        def hook(context: dict[str, Any], **_: Any) -> None:
            if context.get("die-after"):
                self.calls.append(operation)
                raise LambdaTimeout()

        self._register(f"before-parameter-build.dynamodb.{operation}", mark)
        self._register(f"after-call.dynamodb.{operation}", hook)

    def die_before(self, operation: str) -> None:
        def hook(**_: Any) -> None:
            self.calls.append(operation)
            raise LambdaTimeout()

        self._register(f"before-call.dynamodb.{operation}", hook)

    def _register(self, name: str, hook: Any) -> None:
        self.events.register_first(name, hook)
        self.hooks.append((name, hook))

    def clear(self) -> None:
        for name, hook in self.hooks:
            self.events.unregister(name, hook)
        self.hooks.clear()


@pytest.fixture
def faults(api) -> Iterator[Faults]:
    f = Faults()
    yield f
    f.clear()


def assert_503(reply) -> None:
    assert reply.status == 503, reply.text
    assert reply.json == {"error": "service_unavailable", "message": reply.json["message"]}
    assert int(reply.headers["retry-after"]) >= 1
    assert "Exception" not in reply.text and "Traceback" not in reply.text


# -- DynamoDB throttled ---------------------------------------------------------------------------
def _is(prefix: str) -> Any:
    """A `when` for Faults: the write whose item key starts with `prefix` (C#, D#, R#, ART#)."""

    def when(params: dict[str, Any]) -> bool:
        key = params.get("Item") or params.get("Key") or {}
        return str(key.get("pk", {}).get("S", "")).startswith(prefix)

    return when


# Every call of a keyed submission, in order: its state read, a rate token for the client and one
# for the author, the duplicate marker, the article's opening (its first comment), the comment
# with its receipt.
WRITES = [
    ("BatchGetItem", None),
    ("UpdateItem", "R#client#"),
    ("UpdateItem", "R#author#"),
    ("PutItem", "D#"),
    ("UpdateItem", "ART#"),
    ("PutItem", "C#"),
]


@pytest.fixture
def rate_limited(monkeypatch):
    """The rate limit on (as deployed), so that the submission takes its tokens."""
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "10")
    reset()


@pytest.mark.parametrize(("operation", "prefix"), WRITES, ids=[f"{o}-{p}" for o, p in WRITES])
@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
    ],
)
def test_throttled_storage_is_a_503_and_the_retry_stores_the_comment_once(
    api, aws_stack, rate_limited, faults, operation, prefix, code
):
    # Given DynamoDB throttles one call of the submit path
    faults.fail(operation, code, when=_is(prefix) if prefix else None)
    key = str(uuid.uuid4())
    payload = draft()
    # When a comment is submitted (with an Idempotency-Key, as the widget sends it)
    reply = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    # Then the client is told to retry, and no reader or moderator sees anything half-written
    assert faults.calls == [operation]
    assert_503(reply)
    assert comments(aws_stack) == []
    # And the retry with the same key answers with exactly one comment
    again = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    assert again.status == 201, again.text
    assert [c["id"]["S"] for c in comments(aws_stack)] == [again.json["comment"]["id"]]


def test_a_throttled_read_and_a_throttled_check_are_503_too(api, faults):
    faults.fail("Query", "ProvisionedThroughputExceededException")
    assert_503(api.call("GET", ARTICLE))
    faults.fail("BatchGetItem", "ThrottlingException")
    assert_503(api.call("POST", ARTICLE + "/validate", draft()))


def test_a_failed_condition_in_a_transaction_is_not_taken_for_throttling():
    from botocore.exceptions import ClientError
    from comments.api.http import is_throttling

    def cancelled(*codes: str) -> ClientError:
        _, parsed = _error_response("TransactionCanceledException", list(codes))
        return ClientError(parsed, "TransactWriteItems")

    assert is_throttling(cancelled("None", "ThrottlingError"))
    assert not is_throttling(cancelled("ConditionalCheckFailed", "None"))
    assert not is_throttling(cancelled("ValidationError"))


# -- DynamoDB unreachable (a real network fault) --------------------------------------------------
@pytest.fixture
def ddb_proxy(aws_stack, moto_server, monkeypatch) -> Iterator[CuttableProxy]:
    from tests_support import reset

    proxy = CuttableProxy(moto_server.port)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint)
    reset()
    yield proxy
    proxy.close()


@pytest.mark.parametrize("with_key", [True, False])
def test_unreachable_dynamodb_is_a_503_and_nothing_is_written(api, aws_stack, ddb_proxy, with_key):
    # Given the network between the function and DynamoDB is cut
    headers = {"Idempotency-Key": str(uuid.uuid4())} if with_key else {}
    payload = draft()
    ddb_proxy.cut()
    # When a comment is submitted
    started = time.monotonic()
    reply = api.call("POST", ARTICLE, payload, headers=headers)
    # Then the client gets a fast 503 with Retry-After (within the function's timeout)
    assert_503(reply)
    assert time.monotonic() - started < 10
    # And once the network is back, nothing had been written, and the retry stores one comment
    ddb_proxy.restore()
    assert written(aws_stack) == {}
    again = api.call("POST", ARTICLE, payload, headers=headers)
    assert again.status == 201, again.text
    assert len(comments(aws_stack)) == 1


def test_dynamodb_lost_between_the_read_and_the_write(api, aws_stack, ddb_proxy):
    # Given the network drops right after the submission's state (and idempotency record) was read
    fn = api.function("SubmitFunction")
    fn.timeout = 10.0  # the template's
    from tests_support import functions_ddb

    def cut_after_read(**kwargs: Any) -> None:
        ddb_proxy.cut()

    functions_ddb().meta.events.register("after-call.dynamodb.BatchGetItem", cut_after_read)
    try:
        key, payload = str(uuid.uuid4()), draft()
        deadline = time.monotonic() + fn.timeout
        reply = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    finally:
        functions_ddb().meta.events.unregister("after-call.dynamodb.BatchGetItem", cut_after_read)
    assert time.monotonic() < deadline, "the 503 must come before the function's timeout"
    # Then: 503, and nothing at all is written (the receipt goes in the comment's transaction)
    assert_503(reply)
    ddb_proxy.restore()
    assert written(aws_stack) == {}
    # And the client's retry goes through at once, with one comment
    retry = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    assert retry.status == 201, retry.text
    assert len(comments(aws_stack)) == 1


# -- a Lambda timeout between any two writes ----------------------------------------------------
@pytest.mark.parametrize(("operation", "prefix"), WRITES, ids=[f"{o}-{p}" for o, p in WRITES])
def test_a_lambda_timeout_after_any_call_is_answered_by_the_retry_with_one_comment(
    api, aws_stack, rate_limited, faults, operation, prefix
):
    key, payload = str(uuid.uuid4()), draft(HELD_BODY)
    # Given the first invocation dies right after one call of its submission
    faults.die_after(operation, _is(prefix) if prefix else None)
    with pytest.raises(LambdaTimeout):
        api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    faults.clear()
    # Then a reader or moderator sees the comment whole or not at all
    stored = comments(aws_stack)
    assert len(stored) == (1 if prefix == "C#" else 0)
    # When the client retries at once (the first answer never reached it)
    retry = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    # Then it is held as the first would have been, with exactly one comment, not a duplicate
    assert retry.status == 202, retry.text
    assert retry.json["status"] == "pending" and "links" in [r["rule"] for r in retry.json["reasons"]]
    assert retry.json["comment"]["body"] == payload["body"] and retry.json["editToken"]
    assert [c["id"]["S"] for c in comments(aws_stack)] == [retry.json["comment"]["id"]]
    # And a further retry replays the same answer
    replay = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    assert (replay.status, replay.json) == (retry.status, retry.json)
    # While the same key with another body is a conflict, and the same text under a new key a duplicate
    conflict = api.call(
        "POST", ARTICLE, {**payload, "body": "Something else."}, headers={"Idempotency-Key": key}
    )
    assert conflict.status == 409 and conflict.json["error"] == "idempotency_conflict"
    other = api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert other.status == 422 and "duplicate" in [v["rule"] for v in other.json["violations"]]


def test_a_submission_that_stopped_after_its_marker_does_not_block_the_text_for_good(
    api, aws_stack, faults, monkeypatch
):
    # Given a submission without a key died between its duplicate marker and its comment
    payload = draft()
    faults.die_after("PutItem", _is("D#"))
    with pytest.raises(LambdaTimeout):
        api.call("POST", ARTICLE, payload)
    faults.clear()
    assert comments(aws_stack) == []
    # When the author sends the same text again at once, it may be that same submission still
    # running: a duplicate
    assert api.call("POST", ARTICLE, payload).status == 422
    # But once that submission cannot be running any more (its function's timeout is long past)
    from datetime import UTC, datetime, timedelta

    later = datetime.now(UTC) + timedelta(seconds=60)
    monkeypatch.setattr("comments.api.runtime.Runtime.now", staticmethod(lambda: later))
    # Then the stale marker does not count: the comment is stored, once
    again = api.call("POST", ARTICLE, payload)
    assert again.status == 201, again.text
    assert [c["id"]["S"] for c in comments(aws_stack)] == [again.json["comment"]["id"]]
    assert api.call("POST", ARTICLE, payload).status == 422  # and now it is a duplicate again


def _race_before_comment_put(api, make_second: Any) -> tuple[Any, Any]:
    """Run a submission; between its marker and its comment, run `make_second()` to the end."""
    from tests_support import functions_ddb

    second: dict[str, Any] = {}
    events = functions_ddb().meta.events

    def race(params: dict[str, Any], **_: Any) -> None:
        if not _is("C#")(params):
            return
        events.unregister("before-parameter-build.dynamodb.PutItem", race)
        second["reply"] = make_second()

    events.register_first("before-parameter-build.dynamodb.PutItem", race)
    try:
        first = make_second()
    finally:
        events.unregister("before-parameter-build.dynamodb.PutItem", race)
    return first, second["reply"]


def test_two_requests_with_one_key_racing_store_one_comment_and_answer_alike(api, aws_stack):
    key, payload = str(uuid.uuid4()), draft()
    # Given a second request with the same key gets its answer between the first one's marker and
    # its comment (a double click, a retry from a flaky network)
    first, second = _race_before_comment_put(
        api, lambda: api.call("POST", ARTICLE, payload, headers={"Idempotency-Key": key})
    )
    # Then the first one's put finds the comment stored, and it answers with the second's
    assert second.status == 201, second.text
    assert first.status == 201, first.text
    assert first.json["comment"] == second.json["comment"]
    assert first.json["editToken"] == second.json["editToken"]
    assert len(comments(aws_stack)) == 1


@pytest.mark.parametrize("with_key", [True, False])
def test_a_storage_error_that_is_not_throttling_is_a_500_with_or_without_a_key(api, faults, with_key):
    # Given DynamoDB refuses the state read for a reason a retry cannot fix
    faults.fail("BatchGetItem", "ValidationException")
    headers = {"Idempotency-Key": str(uuid.uuid4())} if with_key else {}
    # When a comment is submitted
    reply = api.call("POST", ARTICLE, draft(), headers=headers)
    # Then it is the bare internal error (logged), not a 503 a client would retry for ever
    assert faults.calls == ["BatchGetItem"]
    assert reply.status == 500 and reply.json == {"error": "internal_error"}
    assert "retry-after" not in reply.headers


def test_with_powertools_idempotency_disabled_a_keyed_submission_is_still_stored(api, aws_stack, monkeypatch):
    # Given an operator turned Powertools idempotency off (POWERTOOLS_IDEMPOTENCY_DISABLED)
    monkeypatch.setenv("POWERTOOLS_IDEMPOTENCY_DISABLED", "true")
    # When a comment is submitted with a key (Powertools warns that this is for development)
    with pytest.warns(UserWarning, match="Disabling idempotency"):
        reply = api.call("POST", ARTICLE, draft(), headers={"Idempotency-Key": str(uuid.uuid4())})
    # Then it is stored and answered, with no idempotency record
    assert reply.status == 201, reply.text
    assert len(comments(aws_stack)) == 1
    assert not [i for i in items(aws_stack) if "idemStatus" in i]


def test_the_loser_of_a_duplicate_race_still_counts_toward_the_rate_limit(api, aws_stack, monkeypatch):
    from tests_support import functions_ddb, reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    reset()
    text = draft("The same thought, sent from two tabs.")
    # Given the same author sends the same text twice, under two keys, and the second copy writes
    # its marker between the first one's read and the first one's marker
    second: dict[str, Any] = {}
    events = functions_ddb().meta.events

    def race(params: dict[str, Any], **_: Any) -> None:
        if not _is("D#")(params):
            return
        events.unregister("before-parameter-build.dynamodb.PutItem", race)
        second["reply"] = api.call("POST", ARTICLE, text, headers={"Idempotency-Key": "tab-2"})

    events.register_first("before-parameter-build.dynamodb.PutItem", race)
    try:
        first = api.call("POST", ARTICLE, text, headers={"Idempotency-Key": "tab-1"})
    finally:
        events.unregister("before-parameter-build.dynamodb.PutItem", race)
    # Then one is stored and the other is a duplicate...
    assert second["reply"].status == 201
    assert first.status == 422 and "duplicate" in [v["rule"] for v in first.json["violations"]]
    assert len(comments(aws_stack)) == 1
    # ...and both count: with a limit of 3 a minute the author has one submission left
    more = [api.call("POST", ARTICLE, {**text, "body": f"Another point, number {n}."}).status for n in (1, 2)]
    assert more == [201, 429]


# -- duplicate SQS delivery -----------------------------------------------------------------------
def test_a_duplicate_sqs_delivery_gives_one_decision(api, aws_stack):
    # Given a held comment whose stream record the relay handled twice (Lambda retried the
    # batch), so the standard queue holds two copies of its message
    held = api.call("POST", ARTICLE, draft(HELD_BODY))
    assert held.status == 202
    comment_id = held.json["comment"]["id"]
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    record = _held_record(aws_stack, mapping, comment_id)
    for _ in range(2):
        assert api.function("RelayFunction").invoke({"Records": [record]}) == {"batchItemFailures": []}
    sqs, url = aws_stack.client("sqs"), aws_stack.queues["ModerationQueue"]
    assert (
        int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]["ApproximateNumberOfMessages"]
        )
        == 2
    )
    # When two moderators each claim one copy
    first = api.call("GET", "/moderation/queue", query="max=1", claims=MODERATOR).json["items"]
    second = api.call(
        "GET", "/moderation/queue", query="max=1", claims={**MODERATOR, "sub": "mod-2", "username": "max"}
    ).json["items"]
    claims = [i["claim"] for i in first + second if i["comment"]["id"] == comment_id]
    # And both decide, differently
    a = api.call(
        "POST",
        f"/moderation/comments/{comment_id}/decision",
        {"decision": "approve", "claim": claims[0]},
        claims=MODERATOR,
    )
    b = api.call(
        "POST",
        f"/moderation/comments/{comment_id}/decision",
        {"decision": "reject", "claim": claims[-1]},
        claims={**MODERATOR, "sub": "mod-2", "username": "max"},
    )
    # Then exactly one decision is made, with one audit entry; the other is told so
    assert sorted([a.status, b.status]) == [200, 409]
    detail = api.call("GET", f"/moderation/comments/{comment_id}", claims=MODERATOR).json
    assert [h["decision"] for h in detail["history"] if h["event"] == "decided"] == ["approve"]
    assert detail["comment"]["status"] == "published"
    # And both copies have left the queue: nothing is shown to a moderator again
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == (
        "0",
        "0",
    )
    assert api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR).json["items"] == []


def test_one_claim_holds_each_comment_once_even_with_two_copies_queued(api, aws_stack):
    held = api.call("POST", ARTICLE, draft(HELD_BODY)).json["comment"]
    message = json.dumps(
        {
            "type": "comment.held",
            "version": 1,
            "comment": held,
            "reasons": [{"rule": "links", "message": "x"}],
            "policyVersion": "p",
        }
    )
    sqs, url = aws_stack.client("sqs"), aws_stack.queues["ModerationQueue"]
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=message)
    items_ = api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR).json["items"]
    assert [i["comment"]["id"] for i in items_] == [held["id"]]


def _held_record(stack, mapping, comment_id: str) -> dict[str, Any]:
    from comments_dev.streams import _lambda_record

    streams = stack.client("dynamodbstreams")
    iterator = mapping._shard_iterator("TRIM_HORIZON")
    for _ in range(50):
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        for raw in page["Records"]:
            new = raw["dynamodb"].get("NewImage", {})
            if new.get("id", {}).get("S") == comment_id and new.get("status", {}).get("S") == "pending":
                return _lambda_record(raw, mapping.stream_arn)
        iterator = page.get("NextShardIterator")
    raise AssertionError("no stream record for the held comment")


# -- the policy parameter ------------------------------------------------------------------------
POLICY_NAME = "/comments/policy"
ONE_LINK = "Background reading: https://example.com/report for anyone curious."
STRICT = {"version": "ops-strict-1", "rules": {"links": {"max_links": 0}}}


@pytest.fixture
def ssm_policy(aws_stack, monkeypatch):
    from tests_support import reset

    name = f"{POLICY_NAME}/{uuid.uuid4().hex[:8]}"
    ssm = aws_stack.client("ssm")
    monkeypatch.setenv("POLICY_PARAMETER", name)
    monkeypatch.setenv("POLICY_MAX_AGE_SECONDS", "0")  # read SSM on every request
    reset()

    def put(value: str) -> None:
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)

    put.name = name  # type: ignore[attr-defined]
    put.ssm = ssm  # type: ignore[attr-defined]
    return put


def verdict(api) -> tuple[str, list[str]]:
    reply = api.call("POST", ARTICLE + "/validate", draft(ONE_LINK))
    assert reply.status == 200, reply.text
    return reply.json["verdict"], [r["rule"] for r in reply.json["reasons"]]


def test_an_operator_policy_from_ssm_is_in_force(api, ssm_policy):
    # No parameter yet: the default policy (one link is fine)
    assert verdict(api) == ("publish", [])
    # The operator's stricter policy (no links without a moderator)
    ssm_policy(json.dumps(STRICT))
    assert verdict(api) == ("hold", ["links"])
    held = api.call("POST", ARTICLE, draft(ONE_LINK))
    assert held.status == 202


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        json.dumps({"rules": {"links": {"max_links": 5}}}),  # no version
        json.dumps({"version": "x", "rules": {"links": {"max_links": "many"}}}),
        json.dumps({"version": "x", "rules": {"length": {"message_too_long": "{unknown_placeholder}"}}}),
        json.dumps(["a", "list"]),
    ],
    ids=["not-json", "no-version", "wrong-type", "bad-template", "not-an-object"],
)
def test_a_malformed_policy_keeps_the_last_good_one(api, ssm_policy, bad, caplog):
    # Given the operator's strict policy is in force
    ssm_policy(json.dumps(STRICT))
    assert verdict(api) == ("hold", ["links"])
    # When a malformed one replaces it in SSM
    ssm_policy(bad)
    # Then the last good policy keeps working, and the refusal is logged
    assert verdict(api) == ("hold", ["links"])
    assert api.call("POST", ARTICLE, draft(ONE_LINK)).status == 202
    assert "policy override refused" in caplog.text


def test_a_policy_parameter_that_fails_to_load_keeps_the_last_good_one(
    api, ssm_policy, moto_server, monkeypatch
):
    from tests_support import reset

    # Given the strict policy is in force, read through a network path we can cut
    proxy = CuttableProxy(moto_server.port)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", proxy.endpoint)
    reset()
    try:
        ssm_policy(json.dumps(STRICT))
        assert verdict(api) == ("hold", ["links"])
        # When SSM is unreachable
        proxy.cut()
        # Then the last good policy stays in force
        assert verdict(api) == ("hold", ["links"])
        proxy.restore()
        # When the parameter is deleted
        ssm_policy.ssm.delete_parameter(Name=ssm_policy.name)  # type: ignore[attr-defined]
        assert verdict(api) == ("hold", ["links"])
        # And a good new version replaces it: that one is in force
        ssm_policy(json.dumps({"version": "ops-relaxed-2"}))
        assert verdict(api) == ("publish", [])
    finally:
        proxy.close()


def test_with_no_good_policy_yet_a_broken_parameter_falls_back_to_the_default(api, ssm_policy):
    ssm_policy("{broken")
    assert verdict(api) == ("publish", [])
    assert api.call("POST", ARTICLE, draft("What utter shit.")).status == 422


def test_a_stalled_dynamodb_answers_503_before_the_function_times_out(api, aws_stack, ddb_proxy):
    # Given DynamoDB stops answering (connections open, nothing comes back)
    fn = api.function("SubmitFunction")
    assert api.call("POST", ARTICLE, draft()).status == 201  # warm: the client's connections exist
    before = written(aws_stack)
    ddb_proxy.stall()
    # When a comment is submitted
    started = time.monotonic()
    reply = api.call("POST", ARTICLE, draft(), headers={"Idempotency-Key": str(uuid.uuid4())})
    elapsed = time.monotonic() - started
    # Then the function's own timeouts answer 503 before Lambda's would cut it off (which would
    # reach the client as the gateway's bare error, and leave the idempotency key in progress)
    assert_503(reply)
    print(f"stalled submit answered in {elapsed:.1f}s")
    assert elapsed < fn.timeout, f"{elapsed:.1f}s"
    ddb_proxy.restore()
    assert written(aws_stack) == before
