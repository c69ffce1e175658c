"""Load: 2,048 submissions from 32 concurrent clients at `make dev`'s server (rate limits off),
each with an Idempotency-Key, one in eight retried with the same key (some while the first is
still in flight). Then, on the emulator behind it: every 201 and 202 is stored exactly once, every
202 is queued exactly once (the stream relay runs in the dev server), and nothing answered 5xx.
The figures are printed (run with -s to see them) and written to build/load/figures.json."""

import json
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from comments_dev.launch import start_dev_server

CLIENTS = 32
PER_CLIENT = 64  # 2,048 submissions
RETRY_EVERY = 8  # every 8th submission is sent again with the same key
HELD = "Sources: https://a.example.com/{n} https://b.example.org/{n} https://c.example.net/{n}"
REJECTED = "What utter shit, number {n}."
FIGURES = Path(__file__).resolve().parents[2] / "build" / "load" / "figures.json"


@pytest.fixture(scope="module")
def load_stack():
    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0"})
    yield proc
    proc.stop()


def submission(client: int, i: int) -> dict:
    n = client * PER_CLIENT + i
    kind = "held" if n % 5 == 1 else "rejected" if n % 17 == 2 else "clean"
    body = {"held": HELD, "rejected": REJECTED}.get(kind, "Point {n}: a calm and reasoned remark.").format(
        n=n
    )
    return {
        "n": n,
        "kind": kind,
        "key": str(uuid.uuid4()),
        "article": f"load-{n % 40}",
        "payload": {"name": f"Reader {n}", "email": f"reader{n}@load.example.org", "body": body},
    }


@pytest.mark.slow
def test_2000_submissions_from_32_clients_are_stored_and_queued_exactly_once(load_stack):
    results: list[dict] = []
    lock = threading.Lock()

    def post(session: requests.Session, sub: dict) -> dict:
        started = time.perf_counter()
        r = session.post(
            f"{load_stack.base_url}/articles/{sub['article']}/comments",
            json=sub["payload"],
            headers={"Idempotency-Key": sub["key"]},
            timeout=60,
        )
        elapsed = time.perf_counter() - started
        body = r.json()
        return {
            "n": sub["n"],
            "status": r.status_code,
            "seconds": elapsed,
            "body": body,
            "retry_after": r.headers.get("Retry-After"),
        }

    def client(c: int) -> None:
        session = requests.Session()
        inflight = ThreadPoolExecutor(max_workers=1)
        mine: list[dict] = []
        for i in range(PER_CLIENT):
            sub = submission(c, i)
            if i % RETRY_EVERY == 0 and i % (2 * RETRY_EVERY) == 0:
                # A retry sent while the first is still in flight (a double click, a proxy retry).
                early = inflight.submit(post, requests.Session(), sub)
                first = post(session, sub)
                mine += [
                    {**first, "retry": False, "raced": True},
                    {**early.result(), "retry": True, "raced": True},
                ]
            elif i % RETRY_EVERY == 0:
                first = post(session, sub)
                mine += [{**first, "retry": False}, {**post(session, sub), "retry": True}]
            else:
                mine.append({**post(session, sub), "retry": False})
        inflight.shutdown()
        with lock:
            results.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    wall = time.perf_counter() - started

    # No 5xx, and only the statuses the contract gives these submissions
    statuses = Counter(r["status"] for r in results)
    assert not [r for r in results if r["status"] >= 500], statuses
    # ...and no 409 either: a copy that races its twin replays the twin's answer (the idempotency
    # receipt is written in the comment's own transaction, so the loser finds it and answers alike;
    # moto serialises requests, so here the loser always finds the receipt written, and the
    # TransactionConflict that real DynamoDB may report instead is injected in test_faults.py)
    assert set(statuses) <= {201, 202, 422}, statuses

    # Every logical submission: one outcome; its retries repeat it exactly
    by_n: dict[int, list[dict]] = {}
    for r in results:
        by_n.setdefault(r["n"], []).append(r)
    assert len(by_n) == CLIENTS * PER_CLIENT
    accepted: dict[int, dict] = {}
    for n, replies in by_n.items():
        assert len({json.dumps(r["body"], sort_keys=True) for r in replies}) == 1, replies
        if replies[0]["status"] in (201, 202):
            accepted[n] = replies[0]
    held_ids = {r["body"]["comment"]["id"] for r in accepted.values() if r["status"] == 202}
    published_ids = {r["body"]["comment"]["id"] for r in accepted.values() if r["status"] == 201}

    # Every 201 and 202 is stored exactly once
    table = requests.get(f"{load_stack.base_url}/_dev/stack", timeout=10).json()["tables"]["CommentsTable"]
    ddb = load_stack.client("dynamodb")
    stored: list[dict] = []
    kwargs: dict = {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        stored += [i for i in page["Items"] if i.get("kind", {}).get("S") == "comment"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    stored_ids = Counter(i["id"]["S"] for i in stored)
    bodies = Counter(i["body"]["S"] for i in stored)
    assert set(stored_ids) == held_ids | published_ids
    assert max(stored_ids.values()) == 1 and max(bodies.values()) == 1
    assert len(stored) == len(accepted)
    status_of = {i["id"]["S"]: i["status"]["S"] for i in stored}
    assert {status_of[c] for c in held_ids} <= {"pending"} and {status_of[c] for c in published_ids} <= {
        "published"
    }

    # Every 202 is queued exactly once (drain the moderation queue until the relay is done)
    queue = requests.get(f"{load_stack.base_url}/_dev/stack", timeout=10).json()["queues"]["ModerationQueue"]
    sqs = load_stack.client("sqs")
    queued: Counter[str] = Counter()
    drain_started = time.perf_counter()
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < 5 and time.perf_counter() - drain_started < 240:
        msgs = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        for m in msgs:
            queued[json.loads(m["Body"])["comment"]["id"]] += 1
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        if msgs:
            quiet_since = time.monotonic()
    drained = time.perf_counter() - drain_started
    assert set(queued) == held_ids, (len(queued), len(held_ids))
    assert max(queued.values()) == 1

    latencies = sorted(r["seconds"] for r in results)
    figures = {
        "requests": len(results),
        "submissions": len(by_n),
        "retries": sum(r["retry"] for r in results),
        "clients": CLIENTS,
        "seconds": round(wall, 1),
        "requests_per_second": round(len(results) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000),
        "max_ms": round(latencies[-1] * 1000),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "stored": len(stored),
        "queued": sum(queued.values()),
        "queue_drained_seconds": round(drained, 1),
        "server_errors": 0,
    }
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2) + "\n")
    print("\nload figures:", json.dumps(figures))
