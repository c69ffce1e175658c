"""Load: 512 submissions from 16 concurrent clients at `make dev`'s server (rate limits off), each
with an Idempotency-Key, one in eight retried with the same key (some while the first is still
in flight; the generator is `bench.load`, shared with `make bench`). Then what users would see:
no 5xx, every submission one answer (its retries the same answer), every 201 and 202 stored
exactly once, every 202 queued (at least once: SQS's promise).

No verdict on speed: the time limits are generous enough for a machine several times slower
than the one the figures came from (a request may queue for 2 minutes; the whole test has 15).
How fast the local stack is belongs to `make bench` (bench/load.py, docs/performance.md)."""

import json
from collections import Counter

import pytest
from comments_dev.launch import start_dev_server

from bench import load

CLIENTS = 16
PER_CLIENT = 32  # 512 submissions, 576 requests


@pytest.fixture(scope="module")
def load_stack():
    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0"})
    yield proc
    proc.stop()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_concurrent_submissions_with_retries_are_answered_stored_exactly_once_and_queued(load_stack):
    # Given 16 clients posting at once, with retries of the same key, some racing their first try
    run = load.run(load_stack.base_url, CLIENTS, PER_CLIENT)

    # Then no request failed on the server, and only the contract's answers to these came back;
    # no 409 either: a copy that races its twin replays the twin's answer (the idempotency
    # receipt is in the comment's own transaction, so the loser finds it and answers alike)
    statuses = Counter(r["status"] for r in run.replies)
    assert not [r for r in run.replies if r["status"] >= 500], statuses
    assert set(statuses) <= {201, 202, 422}, statuses

    # ...every submission got one answer, and its retries the very same one
    by_n = run.by_submission
    assert len(by_n) == CLIENTS * PER_CLIENT
    assert sum(r["retry"] for r in run.replies) == len(run.replies) - CLIENTS * PER_CLIENT > 0
    accepted: dict[int, dict] = {}
    for n, replies in by_n.items():
        assert len({json.dumps(r["body"], sort_keys=True) for r in replies}) == 1, replies
        if replies[0]["status"] in (201, 202):
            accepted[n] = replies[0]
    kinds = {n: load.submission(n // PER_CLIENT, n % PER_CLIENT, PER_CLIENT)["kind"] for n in by_n}
    assert {kinds[n] for n, r in accepted.items() if r["status"] == 201} == {"clean"}
    assert {kinds[n] for n, r in accepted.items() if r["status"] == 202} == {"held"}
    assert all(kinds[n] == "rejected" for n, rs in by_n.items() if rs[0]["status"] == 422)
    held_ids = {r["body"]["comment"]["id"] for r in accepted.values() if r["status"] == 202}
    published_ids = {r["body"]["comment"]["id"] for r in accepted.values() if r["status"] == 201}

    # ...every 201 and 202 is stored exactly once, with the status it was given, nothing else is
    stored = load.stored_comments(load_stack.base_url, load_stack.client("dynamodb"))
    stored_ids = Counter(i["id"]["S"] for i in stored)
    assert set(stored_ids) == held_ids | published_ids
    assert max(stored_ids.values()) == 1 and max(Counter(i["body"]["S"] for i in stored).values()) == 1
    status_of = {i["id"]["S"]: i["status"]["S"] for i in stored}
    assert {status_of[c] for c in held_ids} == {"pending"}
    assert {status_of[c] for c in published_ids} == {"published"}

    # ...and every held one reaches the moderators' queue, and nothing else does. (At least once:
    # SQS standard queues, and a send retried after a timeout under this load, may deliver a copy;
    # the relay never re-sends a record because another failed (tests/integration/test_queueing.py)
    # and the moderation API drops copies, so a moderator sees each comment once.)
    queued = load.drain_queue(load_stack.base_url, load_stack.client("sqs"), limit_seconds=600)
    assert set(queued) == held_ids, (len(queued), len(held_ids))
    print("\nload (no verdict on speed):", json.dumps(load.figures(run, len(stored), sum(queued.values()))))
