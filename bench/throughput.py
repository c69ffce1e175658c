"""Local-stack throughput: sustained submissions per second through `make dev`'s server, next to
raw `put_item` calls per second on the same moto server.

The dev server runs as its own process (`comments_dev.launch.start_dev_server`, rate limit off)
with its own moto server. Several client threads keep one HTTP/1.1 connection each and post
comments as the widget does (JSON body, an Idempotency-Key), every one a new author and text so
that each is stored (201). The raw figure is the same number of threads, each with its own boto3
DynamoDB client, putting comment items as the adapter writes them into the same table. Rounds of
the two alternate; each figure is the median of the rounds.

    .venv/bin/python -m bench.throughput [--clients 8] [--seconds 8] [--rounds 3]
"""

import argparse
import http.client
import itertools
import json
import os
import statistics
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench import samples

_ids = itertools.count()


@dataclass
class Throughput:
    submissions_per_s: float
    raw_puts_per_s: float
    clients: int
    seconds: float
    rounds: int
    errors: int
    # CPU the moto server process spent per submission and per raw put_item (Linux /proc;
    # None elsewhere): moto runs Python under one GIL, so its CPU is the local stack's ceiling.
    moto_cpu_ms_per_submission: float | None = None
    moto_cpu_ms_per_put: float | None = None
    dev_cpu_ms_per_submission: float | None = None

    @property
    def ratio(self) -> float:
        return self.submissions_per_s / self.raw_puts_per_s

    @property
    def ceiling(self) -> float | None:
        """The ratio if moto were the only cost: its CPU per put over its CPU per submission."""
        if not self.moto_cpu_ms_per_submission or not self.moto_cpu_ms_per_put:
            return None
        return self.moto_cpu_ms_per_put / self.moto_cpu_ms_per_submission


def _cpu_seconds(pid: int | None) -> float:
    """utime + stime of a process (Linux), 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _child_pid(parent: int) -> int | None:
    """The dev server's moto server: its one child process (Linux /proc)."""
    try:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                if int(fh.read().rsplit(")", 1)[1].split()[1]) == parent:
                    return int(entry)
    except OSError:
        pass
    return None


def _run_threads(clients: int, seconds: float, work: Any) -> tuple[int, int]:
    """Start `clients` threads calling `work(stop_at)` -> (done, errors); sum them."""
    results: list[tuple[int, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker() -> None:
        barrier.wait()
        outcome = work(time.monotonic() + seconds)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    for t in threads:
        t.join()
    return sum(r[0] for r in results), sum(r[1] for r in results)


def _submitter(base_url: str, run: str) -> Any:
    host = urlsplit(base_url)

    def work(stop_at: float) -> tuple[int, int]:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        done = errors = 0
        while time.monotonic() < stop_at:
            n = next(_ids)
            body = samples.draft(200, seed=n)
            body["email"] = f"reader-{run}-{n}@example.org"
            body["body"] = f"{n}: {body['body']}"[:200]
            payload = json.dumps(body)
            conn.request(
                "POST",
                f"/articles/{samples.ARTICLE}/comments",
                body=payload,
                headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
            )
            response = conn.getresponse()
            response.read()
            if response.status in (201, 202):
                done += 1
            else:
                errors += 1
        conn.close()
        return done, errors

    return work


def _putter(endpoint: str, table: str, item: dict[str, Any]) -> Any:
    from comments_dev.emulator import REGION, _creds

    def work(stop_at: float) -> tuple[int, int]:
        import boto3

        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION, **_creds())
        done = 0
        while time.monotonic() < stop_at:
            ddb.put_item(TableName=table, Item={**item, "pk": {"S": f"BENCH#{uuid.uuid4()}"}})
            done += 1
        return done, 0

    return work


def measure(clients: int = 8, seconds: float = 8.0, rounds: int = 3) -> Throughput:
    from comments.adapters.comment_table import comment_item
    from comments_dev.launch import start_dev_server

    samples.with_secret()
    raw_item = comment_item(samples.stored_comment("published"))
    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0"})
    try:
        with urlsplit_connection(proc.base_url) as conn:
            conn.request("GET", "/_dev/stack")
            stack = json.loads(conn.getresponse().read())
        table = stack["tables"]["CommentsTable"]
        # Warm up both paths (the dev server's function instances, the clients, moto's tables).
        _run_threads(clients, 1.5, _submitter(proc.base_url, "warm"))
        _run_threads(clients, 1.5, _putter(proc.aws_endpoint, table, raw_item))
        moto = _child_pid(proc.process.pid)
        subs, raws, errors = [], [], 0
        moto_sub, moto_put, dev_sub = [], [], []
        for r in range(rounds):
            moto0, dev0 = _cpu_seconds(moto), _cpu_seconds(proc.process.pid)
            done, errs = _run_threads(clients, seconds, _submitter(proc.base_url, f"r{r}"))
            subs.append(done / seconds)
            errors += errs
            if done and moto:
                moto_sub.append((_cpu_seconds(moto) - moto0) * 1000 / done)
                dev_sub.append((_cpu_seconds(proc.process.pid) - dev0) * 1000 / done)
            moto0 = _cpu_seconds(moto)
            done, _ = _run_threads(clients, seconds, _putter(proc.aws_endpoint, table, raw_item))
            raws.append(done / seconds)
            if done and moto:
                moto_put.append((_cpu_seconds(moto) - moto0) * 1000 / done)
    finally:
        proc.stop()
    return Throughput(
        submissions_per_s=statistics.median(subs),
        raw_puts_per_s=statistics.median(raws),
        clients=clients,
        seconds=seconds,
        rounds=rounds,
        errors=errors,
        moto_cpu_ms_per_submission=statistics.median(moto_sub) if moto_sub else None,
        moto_cpu_ms_per_put=statistics.median(moto_put) if moto_put else None,
        dev_cpu_ms_per_submission=statistics.median(dev_sub) if dev_sub else None,
    )


class urlsplit_connection:
    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def __enter__(self) -> http.client.HTTPConnection:
        return self.conn

    def __exit__(self, *_: object) -> None:
        self.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    t = measure(args.clients, args.seconds, args.rounds)
    print(
        f"submissions {t.submissions_per_s:.1f}/s, raw put_item {t.raw_puts_per_s:.1f}/s, "
        f"ratio {t.ratio:.2f}x ({t.clients} clients, {t.rounds} rounds of {t.seconds:.0f} s, "
        f"{t.errors} errors)"
    )
    if t.ceiling is not None:
        print(
            f"moto CPU per submission {t.moto_cpu_ms_per_submission:.1f} ms, "
            f"per put_item {t.moto_cpu_ms_per_put:.1f} ms "
            f"(ceiling {t.ceiling:.2f}x); dev server CPU per submission {t.dev_cpu_ms_per_submission:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
