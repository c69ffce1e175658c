"""`make dev`'s server as a newcomer and a test harness meet it: what it prints (the banner, one
readable line per request and per event), how it starts (its port first; a busy port is one line;
a failed start leaves no emulator behind), and the emulator child that dies with its parent."""

import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
from comments_dev.template import ROOT


def _dev_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _wait_gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_the_banner_says_where_everything_is_and_that_the_emulator_starts_empty(dev_stack):
    banner = "".join(dev_stack.process.output[:12])
    base = dev_stack.base_url
    assert f"Comment service (local) on {base}\n" in banner
    assert f"moderator console: {base}/moderation/" in banner
    assert f"policy page:       {base}/policy" in banner
    assert "AWS_ENDPOINT_URL=http://127.0.0.1:" in banner and "MODERATOR_TOKEN=" in banner
    assert "The emulator starts empty on each run" in banner
    assert requests.get(f"{base}/moderation/", timeout=5).status_code == 200


def test_one_readable_line_per_request_and_per_event_and_no_json_blobs(dev_stack):
    # Given a held comment and a refused one
    article = f"term-{uuid.uuid4().hex[:8]}"
    held = requests.post(
        f"{dev_stack.base_url}/articles/{article}/comments",
        json={
            "name": "Ada",
            "email": f"{article}@example.org",
            "body": "See https://a.example.com https://b.example.com https://c.example.com now.",
        },
        timeout=15,
    )
    assert held.status_code == 202
    refused = requests.post(f"{dev_stack.base_url}/articles/{article}/comments", data="x", timeout=15)
    assert refused.status_code == 415
    comment_id = held.json()["comment"]["id"]
    # Then the terminal shows one line for each request, with its status (and code, if refused),
    # and one for the event of the held comment; none of the functions' JSON lines or metrics
    clock = r"\d\d:\d\d:\d\d"
    request = re.compile(rf"^{clock} POST /articles/{article}/comments 202 \d+ ms$")
    refusal = re.compile(rf"^{clock} POST /articles/{article}/comments 415 \d+ ms unsupported_media_type$")
    event = re.compile(rf"^{clock} event comment.held {comment_id} \(pending\)$")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(event.match(line) for line in dev_stack.process.output):
        time.sleep(0.2)
    lines = [line.rstrip("\n") for line in dev_stack.process.output]
    assert len([line for line in lines if request.match(line)]) == 1, lines[-20:]
    assert len([line for line in lines if refusal.match(line)]) == 1, lines[-20:]
    assert len([line for line in lines if event.match(line)]) == 1, lines[-20:]
    assert not [line for line in lines if line.lstrip().startswith("{")], "JSON blobs on the terminal"


def test_a_busy_port_is_one_clear_line_and_no_emulator_is_started():
    # Given a port another process holds
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        # When the dev server is asked to serve on it
        done = subprocess.run(
            [sys.executable, "-m", "comments_dev.server"],
            cwd=ROOT,
            env=_dev_env(PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    # Then it says so in one line, with no traceback, and exits non-zero at once
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "PORT" in done.stderr
    assert "Traceback" not in done.stderr


def test_port_zero_binds_a_free_port_and_reports_it():
    from comments_dev.launch import start_dev_server

    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0"})
    try:
        port = int(proc.base_url.rsplit(":", 1)[1])
        assert port > 0
        assert requests.get(f"{proc.base_url}/articles/x/comments", timeout=10).status_code == 200
    finally:
        proc.stop()


def test_a_failed_start_stops_the_emulator_it_started(monkeypatch):
    # Given a start that fails after the emulator is up (creating the resources breaks)
    from comments_dev import emulator, server

    started: list[emulator.MotoServer] = []
    original = emulator.MotoServer.start

    def start(self, timeout: float = 30.0):
        started.append(self)
        return original(self, timeout)

    def broken(*_a, **_k):
        raise RuntimeError("the template could not be created")

    monkeypatch.setattr(emulator.MotoServer, "start", start)
    monkeypatch.setattr(server, "create_stack", broken)
    # When the stack is built
    with pytest.raises(RuntimeError, match="could not be created"):
        server.build()
    # Then the emulator it started is stopped
    [moto] = started
    assert moto.process is not None and moto.process.poll() is not None


def test_the_emulator_dies_with_its_parent_however_the_parent_ends():
    # Given a process that starts an emulator and then dies without stopping it
    parent = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os\nfrom comments_dev.emulator import MotoServer\n"
            "m = MotoServer().start()\nprint(m.process.pid, flush=True)\nos._exit(9)",
        ],
        cwd=ROOT,
        env=_dev_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    child = int(parent.stdout.strip())
    # Then the emulator does not outlive it
    assert _wait_gone(child), f"moto server {child} outlived its parent"
