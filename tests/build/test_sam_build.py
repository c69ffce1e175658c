"""The artifact, not only the source: `sam build` succeeds, the layer lands at python/<package>
(no python/python), and each built function imports and handles an event with the layer laid
out as Lambda lays it out (/opt/python), the runtime's boto3 and nothing else on the path.

Built for this machine's architecture (the template says arm64) so that it can run here."""

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from comments_dev.template import ROOT

pytestmark = pytest.mark.build
ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[
    platform.machine().lower()
]
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("sam")
    (work / "template.yaml").write_text((ROOT / "template.yaml").read_text().replace("arm64", ARCH))
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "SAM_CLI_TELEMETRY": "0",
        "LAYER_ARCH": ARCH,
        "PYTHON": sys.executable,
    }
    sam = shutil.which("sam", path=env["PATH"])
    assert sam, "aws-sam-cli is a dev dependency"
    result = subprocess.run(
        [
            sam,
            "build",
            "--template",
            str(work / "template.yaml"),
            "--build-dir",
            str(work / "build"),
            "--base-dir",
            str(ROOT),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return work / "build"


@pytest.fixture(scope="module")
def runtime_path(tmp_path_factory) -> Path:
    """What the Lambda Python runtime provides besides the layer: boto3 and its dependencies."""
    import importlib.util

    target = tmp_path_factory.mktemp("runtime")
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec and spec.origin
        origin = Path(spec.origin)
        src = origin.parent if origin.name == "__init__.py" else origin
        (target / src.name).symlink_to(src)
    return target


def test_layer_is_laid_out_for_opt_python(built):
    layer = built / "CommentsLayer" / "python"
    assert (layer / "comments" / "__init__.py").is_file()
    assert (layer / "comments" / "policy" / "engine.py").is_file()
    assert not (layer / "python").exists()
    assert (layer / "aws_lambda_powertools").is_dir() and (layer / "pydantic").is_dir()
    assert any((layer / "comments" / "policy" / "data").iterdir())
    # Bytecode ships in the layer (/opt is read-only: without it every cold start compiles again).
    assert list((layer / "comments" / "domain" / "__pycache__").glob("submission.cpython-313.pyc"))
    assert list((layer / "pydantic" / "__pycache__").glob("*.cpython-313.pyc"))
    # The policy's expressions ship compiled (comments.policy.compiled_patterns), for this Python.
    from comments.policy import compiled_patterns

    stored = compiled_patterns._load(layer / "comments" / "policy" / "data" / "patterns.marshal")
    assert set(compiled_patterns.default_policy_patterns()) <= set(stored)


def test_functions_carry_only_their_handler(built):
    for fn in ("SubmitFunction", "ReadFunction", "RelayFunction"):
        files = sorted(p.name for p in (built / fn).iterdir() if p.name != "__pycache__")
        assert files == ["app.py"], (fn, files)


RUN = r"""
import json, sys, time, types
event = json.loads(sys.argv[1])
import app
ctx = types.SimpleNamespace(function_name="Built", memory_limit_in_mb=512, aws_request_id="req-1",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:Built",
    get_remaining_time_in_millis=lambda: 10000)
result = app.handler(event, ctx)
print("RESULT" + json.dumps(result))
"""


def run_built(built: Path, runtime: Path, function: str, event: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(built / function), str(built / "CommentsLayer" / "python"), str(runtime)]
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", RUN, json.dumps(event)],
        cwd=built / function,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


def test_built_functions_handle_events(built, runtime_path, api, aws_stack):
    # Given the built artifact and the template's resources on moto
    submit_fn, submit_event = api.event(
        "POST",
        "/articles/built-art/comments",
        {"name": "Ada", "email": "ada@example.org", "body": "Built and running."},
    )
    # When the built submit function handles a submission, and the built read function lists it
    submitted = run_built(built, runtime_path, submit_fn, submit_event)
    read_fn, read_event = api.event("GET", "/articles/built-art/comments")
    listed = run_built(built, runtime_path, read_fn, read_event)
    # Then the comment is published and listed
    assert submitted["statusCode"] == 201, submitted
    assert json.loads(listed["body"])["comments"][0]["body"] == "Built and running."


def test_built_relay_handles_the_sample_stream_event(built, runtime_path, aws_stack):
    event = json.loads((ROOT / "events" / "relay-held.json").read_text())
    result = run_built(built, runtime_path, "RelayFunction", event)
    assert result == {"batchItemFailures": []}
    msgs = (
        aws_stack.client("sqs")
        .receive_message(QueueUrl=aws_stack.queues["ModerationQueue"])
        .get("Messages", [])
    )
    assert json.loads(msgs[0]["Body"])["comment"]["id"] == "01KAXK2Q3YJ6V9ZP0W8M4R7T5B"
