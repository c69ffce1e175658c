"""Warm compute: the submit handler's own time per request, AWS calls stubbed.

The submit function's `app.py` is loaded as Lambda loads it, with the template's environment
(rate limit on, as deployed) and the secret given in the environment (no Secrets Manager call).
The DynamoDB client the function creates is put behind botocore's `Stubber`. The calls a
submission makes, and in which order, are not written down here: one request first runs
against a recorder that answers each operation and notes it (with its parameters, which the
write-unit figures reuse); every timed request then gets exactly that sequence queued on the
Stubber, and `assert_no_pending_responses` checks it was used up. So the figure follows the
code as it is, idempotency record included (each request carries an Idempotency-Key, as the
widget sends).

Each timed request is a new author, a new text and a new key; the event is built before the
clock starts (that is API Gateway's work). What is timed is `handler(event, context)`: Logger
and Metrics decorators, the resolver, validation, the policy, the keyed hashes, botocore's
parameter validation and serialisation, and the EMF metrics line (written to a null stream).

    .venv/bin/python -m bench.warm [--rounds 5] [--requests 300] [--json]
"""

import argparse
import contextlib
import gc
import importlib.util
import io
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from bench import samples

# The typical submission is not its article's first: the state read finds the article's
# settings item with `opened_at` and the page the widget sends (the first comment of an article
# writes those, once; a changed page is written again, once).
_OPENED_ARTICLE = {
    "pk": {"S": f"ART#{samples.ARTICLE}"},
    "kind": {"S": "article"},
    "opened_at": {"S": "2026-11-25T09:00:00.000Z"},
    "page": {"M": {k: {"S": v} for k, v in samples.PAGE.items()}},
}
CANNED: dict[str, dict[str, Any]] = {
    "GetItem": {},
    "BatchGetItem": {"Responses": {"CommentsTable": [_OPENED_ARTICLE]}, "UnprocessedKeys": {}},
    "PutItem": {},
    "UpdateItem": {},
    "DeleteItem": {},
    "TransactWriteItems": {},
    "Query": {"Items": [], "Count": 0, "ScannedCount": 0},
}


@dataclass
class WarmFigure:
    scenario: str
    length: int
    p50_ms: float
    p99_ms: float
    requests: int
    rounds: int
    calls: list[str]
    log_bytes: float  # what the handler writes to stdout (CloudWatch Logs) per request


class _CountingSink(io.TextIOBase):
    """stdout for the timed requests: counts what the function would send to CloudWatch Logs."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


class Context:
    function_name = "SubmitFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:SubmitFunction"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/SubmitFunction"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _environment() -> None:
    from bench.coldstart import function_env

    os.environ.update(
        {
            **function_env("SubmitFunction"),
            "COMMENTS_DEV_SECRET": samples.SECRET,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_SESSION_TOKEN": "bench",
            # Anything not stubbed fails at once on a closed port instead of reaching AWS.
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_LAMBDA_FUNCTION_NAME": "SubmitFunction",
            "ALLOWED_ORIGINS": samples.SITE,
        }
    )
    os.environ.pop("POWERTOOLS_DEV", None)


def load_submit() -> Any:
    from comments_dev import template

    path, entry = template.function_code("SubmitFunction")
    spec = importlib.util.spec_from_file_location("submit_app", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, entry)


class Recorder:
    """Answers every call from CANNED and notes (operation, api parameters)."""

    def __init__(self, client: Any, answers: dict[str, dict[str, Any]] | None = None) -> None:
        self.client = client
        self.answers = {**CANNED, **(answers or {})}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _note(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, json.loads(json.dumps(params, default=str))))

    def _answer(self, model: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        return AWSResponse(None, 200, {}, None), dict(self.answers[model.name])

    def __enter__(self) -> "Recorder":
        self.client.meta.events.register(
            "before-parameter-build.dynamodb.*", self._note, unique_id="bench-note"
        )
        self.client.meta.events.register_first(
            "before-call.dynamodb.*", self._answer, unique_id="bench-answer"
        )
        return self

    def __exit__(self, *_: object) -> None:
        self.client.meta.events.unregister("before-parameter-build.dynamodb.*", unique_id="bench-note")
        self.client.meta.events.unregister("before-call.dynamodb.*", unique_id="bench-answer")


def _event(length: int, n: int, body: str | None = None) -> dict[str, Any]:
    # as the widget sends it: with the page the comment is on
    return samples.submit_event(length, seed=n, idempotency_key=str(uuid.uuid4()), body=body, page=True)


SCENARIOS: dict[str, tuple[int, str | None, int]] = {
    # name: (length, fixed body or None for an ordinary clean comment, expected status)
    "published-200": (200, None, 201),
    "published-2000": (2000, None, 201),
    "held": (0, samples.HELD_BODY, 202),
    "rejected": (0, "What utter shit. " + samples.comment_text(150), 422),
}


def record(handler: Any, client: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The calls each scenario makes, in order, with their parameters."""
    out = {}
    for name, (length, body, status) in SCENARIOS.items():
        with Recorder(client) as recorder, contextlib.redirect_stdout(io.StringIO()):
            result = handler(_event(length or 200, 10_000 + len(out), body), Context())
        if result["statusCode"] != status:
            raise RuntimeError(f"{name}: expected {status}, got {result['statusCode']}: {result.get('body')}")
        out[name] = recorder.calls
    out["approve-held"] = _record_approval(client, out["held"])
    return out


def _record_approval(
    client: Any, held_calls: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, dict[str, Any]]]:
    """A moderator approves the held comment just recorded (moderation.decide, as the
    moderation function calls it): the comment item is read back, then moved to published."""
    from comments.api import runtime
    from comments.domain import moderation
    from comments.domain.requests import DecisionIn

    item = next(
        p["Item"] for op, p in held_calls if op == "PutItem" and p["Item"]["pk"]["S"].startswith("C#")
    )

    with Recorder(client, {"GetItem": {"Item": item}}) as recorder:
        moderation.decide(
            runtime.current().table,
            item["id"]["S"],
            DecisionIn(decision="approve"),
            moderation.Moderator(id="m-1", name="moderator"),
            samples.NOW,
        )
    return recorder.calls


def time_scenario(
    handler: Any, client: Any, calls: list[str], length: int, rounds: int, requests: int
) -> WarmFigure:
    from botocore import xform_name
    from botocore.stub import Stubber

    methods = [xform_name(op) for op in calls]
    sink = _CountingSink()
    p50s, p99s = [], []
    seed = 0
    with Stubber(client) as stubber:
        for _ in range(rounds):
            events = []
            for _ in range(requests):
                seed += 1
                events.append(_event(length, seed))
            timings = []
            gc.collect()
            with contextlib.redirect_stdout(sink):
                for event in events:
                    for op, method in zip(calls, methods, strict=True):
                        stubber.add_response(method, dict(CANNED[op]))
                    start = time.thread_time_ns()
                    result = handler(event, Context())
                    timings.append(time.thread_time_ns() - start)
                    stubber.assert_no_pending_responses()
                    if result["statusCode"] != 201:
                        raise RuntimeError(f"expected 201, got {result['statusCode']}: {result.get('body')}")
            timings.sort()
            p50s.append(statistics.median(timings) / 1e6)
            p99s.append(timings[min(len(timings) - 1, int(len(timings) * 0.99))] / 1e6)
    return WarmFigure(
        f"published-{length}",
        length,
        statistics.median(p50s),
        statistics.median(p99s),
        requests,
        rounds,
        calls,
        sink.bytes / (rounds * requests),
    )


def measure(rounds: int = 5, requests: int = 300) -> dict[str, Any]:
    _environment()
    handler = load_submit()
    from comments.api import runtime

    client = runtime.current().ddb
    # The first request of a container builds what is cached (policy, keys, idempotency
    # config); it is not part of the warm figure.
    recorded = record(handler, client)
    figures = []
    for length in (200, 2000):
        calls = [op for op, _ in recorded[f"published-{length}"]]
        # A few untimed requests so that every cache is as a warm container has it.
        time_scenario(handler, client, calls, length, 1, 20)
        figures.append(time_scenario(handler, client, calls, length, rounds, requests))
    return {"figures": [asdict(f) for f in figures], "recorded": recorded}


def in_subprocess(rounds: int = 5, requests: int = 300) -> dict[str, Any]:
    """measure() in a fresh interpreter (a new container: nothing cached from other benches)."""
    import subprocess

    from bench.lambda_image import ROOT

    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.warm", "--json", "--rounds", str(rounds), "--requests", str(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench.warm failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.rounds, args.requests)
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    for f in result["figures"]:
        print(
            f"{f['scenario']:<16} p50 {f['p50_ms']:.3f} ms  p99 {f['p99_ms']:.3f} ms  "
            f"({f['rounds']} x {f['requests']})"
        )
        print(f"{'':16} calls: {' '.join(f['calls'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
