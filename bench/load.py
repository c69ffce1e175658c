"""Load through `make dev`'s server: concurrent clients posting comments as the widget does (a
JSON body, an Idempotency-Key), one in eight sent again with the same key (half of those while
the first is still in flight), a mix of clean, held and rejected texts.

`run()` is shared: `tests/e2e/test_load.py` runs a smaller load and asserts what users would see
(nothing lost, nothing stored twice, no 5xx), with no verdict on speed; `make bench` runs the full
load and reports its speed (`figures()`, also written to build/load/figures.json).

    .venv/bin/python -m bench.load [--clients 32] [--per-client 64]
"""

import argparse
import json
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RETRY_EVERY = 8  # every 8th submission is sent again with the same key
HELD = "Sources: https://a.example.com/{n} https://b.example.org/{n} https://c.example.net/{n}"
REJECTED = "What utter shit, number {n}."
FIGURES = Path(__file__).resolve().parents[1] / "build" / "load" / "figures.json"
REQUEST_TIMEOUT = 120.0  # seconds: a slow machine's queue of requests, not a verdict


@dataclass
class LoadRun:
    clients: int
    per_client: int
    replies: list[dict[str, Any]] = field(default_factory=list)  # every request's answer
    seconds: float = 0.0

    @property
    def by_submission(self) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for r in self.replies:
            out.setdefault(r["n"], []).append(r)
        return out


def submission(client: int, i: int, per_client: int) -> dict[str, Any]:
    n = client * per_client + i
    kind = "held" if n % 5 == 1 else "rejected" if n % 17 == 2 else "clean"
    text = {"held": HELD, "rejected": REJECTED}.get(kind, "Point {n}: a calm and reasoned remark.")
    return {
        "n": n,
        "kind": kind,
        "key": str(uuid.uuid4()),
        "article": f"load-{n % 40}",
        "payload": {"name": f"Reader {n}", "email": f"reader{n}@load.example.org", "body": text.format(n=n)},
    }


def run(base_url: str, clients: int = 32, per_client: int = 64) -> LoadRun:
    """Every client's submissions, in order, each client on its own keep-alive connection."""
    import requests

    result = LoadRun(clients, per_client)
    lock = threading.Lock()

    def post(session: Any, sub: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        r = session.post(
            f"{base_url}/articles/{sub['article']}/comments",
            json=sub["payload"],
            headers={"Idempotency-Key": sub["key"]},
            timeout=REQUEST_TIMEOUT,
        )
        return {
            "n": sub["n"],
            "status": r.status_code,
            "seconds": time.perf_counter() - started,
            "body": r.json(),
            "retry_after": r.headers.get("Retry-After"),
        }

    def client(c: int) -> None:
        session = requests.Session()
        inflight = ThreadPoolExecutor(max_workers=1)
        mine: list[dict[str, Any]] = []
        for i in range(per_client):
            sub = submission(c, i, per_client)
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
            result.replies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    result.seconds = time.perf_counter() - started
    return result


def stored_comments(base_url: str, ddb: Any) -> list[dict[str, Any]]:
    """Every comment item of the dev server's table."""
    import requests

    table = requests.get(f"{base_url}/_dev/stack", timeout=30).json()["tables"]["CommentsTable"]
    stored: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        stored += [i for i in page["Items"] if i.get("kind", {}).get("S") == "comment"]
        if "LastEvaluatedKey" not in page:
            return stored
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def drain_queue(
    base_url: str, sqs: Any, quiet_seconds: float = 5, limit_seconds: float = 600
) -> Counter[str]:
    """Comment ids on the moderation queue, counted, until it has been quiet for a while (the
    stream relay runs in the dev server)."""
    import requests

    queue = requests.get(f"{base_url}/_dev/stack", timeout=30).json()["queues"]["ModerationQueue"]
    queued: Counter[str] = Counter()
    started = quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet_seconds and time.monotonic() - started < limit_seconds:
        reply = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        msgs = reply.get("Messages", [])
        for m in msgs:
            queued[json.loads(m["Body"])["comment"]["id"]] += 1
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        if msgs:
            quiet_since = time.monotonic()
    return queued


def figures(load: LoadRun, stored: int | None = None, queued: int | None = None) -> dict[str, Any]:
    latencies = sorted(r["seconds"] for r in load.replies)
    statuses = Counter(r["status"] for r in load.replies)
    return {
        "requests": len(load.replies),
        "submissions": len(load.by_submission),
        "retries": sum(r["retry"] for r in load.replies),
        "clients": load.clients,
        "seconds": round(load.seconds, 1),
        "requests_per_second": round(len(load.replies) / load.seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000),
        "max_ms": round(latencies[-1] * 1000),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "stored": stored,
        "queued": queued,
    }


def measure(clients: int = 32, per_client: int = 64) -> dict[str, Any]:
    """The full load against a dev server of its own; the figures, also written to FIGURES."""
    from comments_dev.launch import start_dev_server

    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0"})
    try:
        load = run(proc.base_url, clients, per_client)
        stored = len(stored_comments(proc.base_url, proc.client("dynamodb")))
        queued = sum(drain_queue(proc.base_url, proc.client("sqs")).values())
    finally:
        proc.stop()
    found = figures(load, stored, queued)
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(found, indent=2) + "\n")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=64)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.clients, args.per_client), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
