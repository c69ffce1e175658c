"""A breaking story: 500 comments on one article from 50 readers at once. No submission writes an
item that every comment of the article writes, so none can conflict with another; the article's
count is moved by the relay, batched, and DynamoDB's TransactionConflict on that counter (which
moto never raises) is injected at the rate a hot article would see it. Nothing is lost, nothing
is stored or counted twice, and no reader sees a 503."""

import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from comments_dev.streams import stream_mappings

pytestmark = pytest.mark.slow

ARTICLE = "breaking-news"
PATH = f"/articles/{ARTICLE}/comments"
READERS, EACH = 50, 10


def conflict_response(operation: str, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    items = params.get("TransactItems", [])
    reasons = [{"Code": "TransactionConflict" if "Update" in i else "None"} for i in items]
    parsed = {
        "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled (injected)"},
        "CancellationReasons": reasons,
        "ResponseMetadata": {"HTTPStatusCode": 400, "HTTPHeaders": {}},
    }
    return AWSResponse("https://dynamodb.local", 400, {}, None), parsed


def test_five_hundred_comments_on_one_article_lose_nothing_and_count_once(api, aws_stack, monkeypatch):
    from tests_support import functions_ddb

    monkeypatch.setattr("time.sleep", lambda _s: None)  # the relay's backoff between attempts
    events = functions_ddb().meta.events
    calls: dict[str, int] = {}
    conflicts = {"injected": 0}
    lock = threading.Lock()
    chance = random.Random(7)

    def watch(model: Any, params: dict[str, Any], **_: Any) -> Any:
        with lock:
            calls[model.name] = calls.get(model.name, 0) + 1
            # Half the counter transactions conflict, as concurrent batches on one hot item would.
            if model.name == "TransactWriteItems" and chance.random() < 0.5:
                conflicts["injected"] += 1
                return conflict_response(model.name, params)
        return None

    events.register_first("before-call.dynamodb.*", watch)
    try:
        # Given 50 readers each posting 10 comments to the same article at the same time
        def reader(n: int) -> list[tuple[int, dict[str, Any]]]:
            out = []
            for i in range(EACH):
                body = {"name": f"Reader {n}", "email": f"r{n}-{uuid.uuid4().hex[:6]}@example.org"}
                body["body"] = f"Thought number {i} from reader {n}, on the news."
                reply = api.call(
                    "POST",
                    PATH,
                    body,
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                    source_ip=f"198.51.100.{n}",
                )
                out.append((reply.status, reply.json))
            return out

        with ThreadPoolExecutor(max_workers=READERS) as pool:
            replies = [r for batch in pool.map(reader, range(READERS)) for r in batch]
        submit_calls = dict(calls)
        # When the relay works through the change stream (retrying what conflicted)
        [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
        for _ in range(50):
            mapping.drain()
            counted = api.call("GET", "/articles/comment-counts", query=f"ids={ARTICLE}").json["counts"][
                ARTICLE
            ]
            if counted >= len(replies):
                break
    finally:
        events.unregister("before-call.dynamodb.*", watch)

    # Then every reader got their comment, none a 503
    statuses = sorted({status for status, _ in replies})
    assert statuses == [201], statuses
    assert "TransactWriteItems" not in submit_calls  # no submission writes a shared item
    ids = [body["comment"]["id"] for _, body in replies]
    assert len(set(ids)) == READERS * EACH
    # And the article lists each exactly once, and counts each exactly once
    listed, cursor = [], None
    while True:
        query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", PATH, query=query).json
        listed += [c["id"] for c in page["comments"]]
        if not (cursor := page["nextCursor"]):
            break
    assert sorted(listed) == sorted(ids)
    assert counted == READERS * EACH
    # ...although the counter's transactions conflicted again and again on the way
    assert conflicts["injected"] > 10
