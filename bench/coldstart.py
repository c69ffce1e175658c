"""Cold start, per function of template.yaml, against a bare handler.

Each run is a fresh interpreter (`python -I -S -B`) on a Lambda-shaped file system (see
`lambda_image`), with the function's environment from the template (Globals plus its own,
refs replaced by dummy values) and `AWS_ENDPOINT_URL` pointing at a canned local AWS endpoint.
Two instants are taken, each from the moment the parent starts the process:

- **init**: `import app` has returned: Lambda's INIT phase (what the issue measures);
- **first request**: init, then the handler has served one typical request (its clients
  created, the secret read, the policy loaded, the items written to the canned endpoint).

The bare handler imports boto3 and creates a DynamoDB and an SQS client at import; its first
request does what a minimal comment service must: one `put_item`. Runs of all functions are
interleaved, so a slow moment of the machine hits every function alike; each figure is the median.

    .venv/bin/python -m bench.coldstart [--runs 15] [--importtime SubmitFunction]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import lambda_image, samples
from bench.fake_aws import Answer, FakeAws

BARE = "BareHandler"
BARE_APP = '''"""The baseline: a handler that imports boto3, creates a DynamoDB and an SQS client, and
stores each comment with one put_item."""
import json

import boto3

ddb = boto3.client("dynamodb")
sqs = boto3.client("sqs")


def handler(event, context):
    comment = json.loads(event["body"])
    ddb.put_item(
        TableName="CommentsTable",
        Item={"pk": {"S": "C#" + context.aws_request_id}, "body": {"S": comment["body"]}},
    )
    return {"statusCode": 201, "body": json.dumps({"status": "published"})}
'''

FLOOR = "ShapeFloor"
FLOOR_APP = '''"""The project's fixed shape and nothing of ours: the bare handler's boto3 clients and one
put_item, behind Powertools' Logger, Metrics and HTTP API resolver, with the body validated by
one pydantic model. No function of the service can start faster than this."""
import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel, Field

ddb = boto3.client("dynamodb")
sqs = boto3.client("sqs")
logger = Logger()
metrics = Metrics()
app = APIGatewayHttpResolver()


class Comment(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    email: str = Field(max_length=254)
    body: str = Field(min_length=1, max_length=5000)
    parentId: str | None = None


@app.post("/articles/<articleId>/comments")
def submit(articleId: str):
    comment = Comment.model_validate_json(app.current_event.body or "")
    ddb.put_item(
        TableName="CommentsTable",
        Item={"pk": {"S": "C#" + app.lambda_context.aws_request_id}, "body": {"S": comment.body}},
    )
    return {"status": "published"}, 201


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
'''

# Runs inside the fresh interpreter. Everything before `import app` is what any Lambda
# runtime has loaded already (sys, os, json, time).
CHILD = r"""
import json, os, sys, time
sys.path[:0] = json.loads(os.environ.pop("BENCH_SYS_PATH"))
import app
init, init_cpu = time.monotonic(), time.process_time()
event_file = os.environ.pop("BENCH_EVENT", "")
result = None
if event_file:
    with open(event_file, encoding="utf-8") as fh:
        event = json.load(fh)

    class Context:
        function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        function_version = "$LATEST"
        memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
        aws_request_id = "00000000-0000-4000-8000-000000000000"
        log_group_name = "/aws/lambda/" + function_name
        log_stream_name = "bench"

        def get_remaining_time_in_millis(self):
            return 10000

    result = getattr(app, os.environ["BENCH_ENTRY"])(event, Context())
first, first_cpu = time.monotonic(), time.process_time()
report = {"init": init, "first": first, "init_cpu": init_cpu, "first_cpu": first_cpu, "result": result}
sys.stdout.write("\nBENCH-RESULT " + json.dumps(report, default=str) + "\n")
sys.stdout.flush()
os._exit(0)
"""


@dataclass
class Scenario:
    """A function's typical first request: the event, what the canned AWS answers, and how
    to tell that the handler served it (rather than failing fast, which would flatter it)."""

    event: dict[str, Any] | None
    answers: dict[str, Answer] = field(default_factory=dict)
    served: Callable[[Any], bool] = lambda result: True


@dataclass
class Subject:
    name: str
    task: Path
    entry: str
    env: dict[str, str]
    scenario: Scenario | None
    event_file: str = ""
    init: list[float] = field(default_factory=list)  # CPU seconds of the process when ready
    first: list[float] = field(default_factory=list)
    init_wall: list[float] = field(default_factory=list)  # wall seconds from spawn
    first_wall: list[float] = field(default_factory=list)
    failure: str = ""


class _Dummy(dict):  # type: ignore[type-arg]
    """!Ref and !GetAtt of anything: a plausible dummy value."""

    def __missing__(self, key: Any) -> str:
        if isinstance(key, tuple):
            resource, attribute = key
            if attribute == "Arn":
                return f"arn:aws:dummy:us-east-1:123456789012:{resource}"
            return f"{resource}-{attribute}"
        if "Queue" in str(key):
            return f"https://sqs.us-east-1.amazonaws.com/123456789012/{key}"
        if "Secret" in str(key):
            return f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{key}"
        return str(key)


def function_env(name: str) -> dict[str, str]:
    from comments_dev import template

    resolver = template.Resolver(refs=_Dummy(template.parameter_defaults()), attrs=_Dummy())
    return template.function_environment(name, resolver)


def _memory(name: str) -> int:
    from comments_dev import template

    glob = template.load().get("Globals", {}).get("Function", {})
    props = template.resources("AWS::Serverless::Function")[name]["Properties"]
    return int(props.get("MemorySize", glob.get("MemorySize", 128)))


def lambda_env(name: str, memory: int, endpoint: str) -> dict[str, str]:
    """What Lambda's runtime puts in every function's environment (the parts code reads)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_ENDPOINT_URL": endpoint,
    }


def _run_once(subject: Subject, image: lambda_image.LambdaImage, endpoint: str) -> None:
    env = {
        **lambda_env(subject.name, int(subject.env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")), endpoint),
        **subject.env,
        "BENCH_SYS_PATH": json.dumps(image.path_for(subject.task)),
        "BENCH_EVENT": subject.event_file,
        "BENCH_ENTRY": subject.entry,
    }
    start = time.monotonic()
    proc = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-I", "-S", "-B", "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")), None)
    if line is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()
        subject.failure = tail[-1] if tail else f"exit {proc.returncode}"
        return
    report = json.loads(line.removeprefix("BENCH-RESULT "))
    if subject.scenario is not None and not subject.scenario.served(report["result"]):
        subject.failure = f"first request not served: {str(report['result'])[:200]}"
        return
    subject.init.append(report["init_cpu"])
    subject.first.append(report["first_cpu"])
    subject.init_wall.append(report["init"] - start)
    subject.first_wall.append(report["first"] - start)


def subjects(image: lambda_image.LambdaImage, workdir: Path, only: list[str] | None = None) -> list[Subject]:
    from comments_dev import template

    typical = samples.first_requests()
    bare = Scenario(
        typical["SubmitFunction"].event, served=lambda r: isinstance(r, dict) and r.get("statusCode") == 201
    )
    out = []
    for name, source in ((BARE, BARE_APP), (FLOOR, FLOOR_APP)):
        if name == FLOOR and only and FLOOR not in only:
            continue
        task = workdir / name
        task.mkdir(exist_ok=True)
        (task / "app.py").write_text(source, encoding="utf-8")
        event = workdir / f"{name}.event.json"
        event.write_text(json.dumps(bare.event), encoding="utf-8")
        env = {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "POWERTOOLS_METRICS_NAMESPACE": "Bench"}
        out.append(Subject(name, task, "handler", env, bare, event_file=str(event)))
    for name, res in template.resources("AWS::Serverless::Function").items():
        if only and name not in only:
            continue
        props = res["Properties"]
        module, entry = props["Handler"].rsplit(".", 1)
        assert module == "app", f"{name}: handler module {module} (the bench expects app.py)"
        env = {**function_env(name), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(_memory(name))}
        scenario = typical.get(name)
        subject = Subject(name, image.task(props["CodeUri"]), entry, env, scenario)
        if scenario is not None and scenario.event is not None:
            path = workdir / f"{name}.event.json"
            path.write_text(json.dumps(scenario.event), encoding="utf-8")
            subject.event_file = str(path)
        out.append(subject)
    return out


@dataclass
class ColdStart:
    """Milliseconds of CPU the fresh process used until ready (the ratios' basis: a shared
    machine's load changes wall time far more than CPU time), and the wall time alongside."""

    name: str
    init_ms: float | None
    first_ms: float | None
    init_ratio: float | None
    first_ratio: float | None
    runs: int
    failure: str = ""
    init_wall_ms: float | None = None
    first_wall_ms: float | None = None


def measure(runs: int = 15, precompiled: bool = False, only: list[str] | None = None) -> list[ColdStart]:
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        workdir = Path(tmp)
        image = lambda_image.build(precompiled=precompiled, parent=workdir)
        subs = subjects(image, workdir, only)
        fakes = {s.name: FakeAws(samples.SECRET, s.scenario.answers if s.scenario else {}) for s in subs}
        for fake in fakes.values():
            fake.__enter__()
        try:
            for subject in subs:  # one untimed run each: the page cache, like a warm Lambda host
                _run_once(subject, image, fakes[subject.name].endpoint)
                for series in (subject.init, subject.first, subject.init_wall, subject.first_wall):
                    series.clear()
            for _ in range(runs):
                for subject in subs:
                    if not subject.failure:
                        _run_once(subject, image, fakes[subject.name].endpoint)
        finally:
            for fake in fakes.values():
                fake.__exit__()
    bare = subs[0]
    base_init = statistics.median(bare.init)
    base_first = statistics.median(bare.first)
    results = []
    for s in subs:
        if s.failure or not s.init:
            results.append(ColdStart(s.name, None, None, None, None, 0, s.failure or "no runs"))
            continue
        init, first = statistics.median(s.init), statistics.median(s.first)
        served = s.name == BARE or (s.scenario is not None and s.scenario.event is not None)
        results.append(
            ColdStart(
                s.name,
                init * 1000,
                first * 1000 if served else None,
                init / base_init,
                first / base_first if served else None,
                len(s.init),
                init_wall_ms=statistics.median(s.init_wall) * 1000,
                first_wall_ms=statistics.median(s.first_wall) * 1000 if served else None,
            )
        )
    return results


def importtime(name: str, precompiled: bool = False, top: int = 25, first_request: bool = False) -> str:
    """`python -X importtime` of one function's `import app` (and, with `first_request`, of
    the imports its first request makes) on the Lambda-shaped file system: the slowest imports
    by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="bench-importtime-") as tmp:
        workdir = Path(tmp)
        image = lambda_image.build(precompiled=precompiled, parent=workdir)
        subject = next(s for s in subjects(image, workdir, [name]) if s.name == name)
        env = {
            **lambda_env(name, 512, "http://127.0.0.1:9"),
            **subject.env,
            "BENCH_SYS_PATH": json.dumps(image.path_for(subject.task)),
            "BENCH_ENTRY": subject.entry,
            "BENCH_EVENT": subject.event_file if first_request else "",
        }
        with FakeAws(samples.SECRET, subject.scenario.answers if subject.scenario else {}) as fake:
            env["AWS_ENDPOINT_URL"] = fake.endpoint
            proc = subprocess.run(  # noqa: S603
                [sys.executable, "-I", "-S", "-B", "-X", "importtime", "-c", CHILD],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, module = line.removeprefix("import time:").split("|", 2)
        module = module.rstrip()[1:]
        rows.append((int(cumulative), int(self_us), module))
    total = sum(c for c, _, m in rows if not m.startswith(" "))
    rows.sort(reverse=True)
    lines = [f"{name}: all imports {total / 1000:.1f} ms (cumulative, top level)"]
    lines += [f"{c / 1000:8.1f} ms {s / 1000:8.1f} ms  {m}" for c, s, m in rows[:top]]
    return "\n".join(lines)


def profile(name: str, precompiled: bool = False, top: int = 30, keep: str | None = None) -> str:
    """cProfile of one function's `import app` and first request on the Lambda-shaped file
    system: where the CPU goes, by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        workdir = Path(tmp)
        image = lambda_image.build(precompiled=precompiled, parent=workdir)
        subject = next(s for s in subjects(image, workdir, [name]) if s.name == name)
        script, stats = workdir / "child.py", workdir / "child.prof"
        script.write_text(CHILD, encoding="utf-8")
        env = {
            **lambda_env(name, 512, "http://127.0.0.1:9"),
            **subject.env,
            "BENCH_SYS_PATH": json.dumps(image.path_for(subject.task)),
            "BENCH_ENTRY": subject.entry,
            "BENCH_EVENT": subject.event_file,
        }
        # The child's own script, profiled whole (its final os._exit would skip writing the stats).
        runner = (
            "import cProfile, sys; "
            f"cProfile.run(open(sys.argv[1]).read().replace('os._exit(0)', ''), {str(stats)!r})"
        )
        with FakeAws(samples.SECRET, subject.scenario.answers if subject.scenario else {}) as fake:
            env["AWS_ENDPOINT_URL"] = fake.endpoint
            subprocess.run(  # noqa: S603
                [sys.executable, "-I", "-S", "-B", "-c", runner, str(script)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        import io
        import pstats

        if keep:
            import shutil

            shutil.copy(stats, keep)
        out = io.StringIO()
        pstats.Stats(str(stats), stream=out).sort_stats("cumulative").print_stats(top)
        return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--precompiled", action="store_true", help="layer shipped with .pyc files")
    parser.add_argument("--only", nargs="*", help="function logical ids")
    parser.add_argument("--importtime", metavar="FUNCTION", help="print the slowest imports of one function")
    parser.add_argument(
        "--first-request", action="store_true", help="with --importtime: include the first request"
    )
    parser.add_argument(
        "--profile", metavar="FUNCTION", help="cProfile of one function's init and first request"
    )
    parser.add_argument("--profile-out", metavar="FILE", help="with --profile: keep the pstats file")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile, args.precompiled, keep=args.profile_out))
        return 0
    if args.importtime:
        print(importtime(args.importtime, args.precompiled, first_request=args.first_request))
        return 0
    for r in measure(args.runs, args.precompiled, args.only):
        if r.failure:
            print(f"{r.name:<20} failed: {r.failure}")
            continue
        first = (
            f"{r.first_ms:6.0f} ms {r.first_ratio:5.2f}x (wall {r.first_wall_ms:5.0f})"
            if r.first_ms is not None
            else "-"
        )
        print(
            f"{r.name:<20} init {r.init_ms:6.0f} ms {r.init_ratio:5.2f}x (wall {r.init_wall_ms:5.0f})   "
            f"first request {first}   ({r.runs} runs, CPU ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
