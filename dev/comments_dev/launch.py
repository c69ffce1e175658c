"""Start `make dev`'s server as its own process, for tests and benchmarks, and wait until it
serves. It starts its own moto server; nothing is shared with the caller but HTTP.

The server is started with `PORT=0`: it binds a free port itself and prints the URL it got, so no
port is ever picked here, released and bound again by another process (which a third process
could take in between)."""

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from comments_dev.emulator import client
from comments_dev.template import ROOT


@dataclass
class DevProcess:
    base_url: str
    aws_endpoint: str
    moderator_token: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    moderator_email: str = ""
    moderator_password: str = ""

    def client(self, service: str) -> Any:
        """A boto3 client for this dev server's emulator."""
        return client(self.aws_endpoint, service)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_dev_server(extra_env: dict[str, str] | None = None, timeout: float = 90) -> DevProcess:
    token = (extra_env or {}).get("MODERATOR_TOKEN", "local-test-moderator-token")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"PORT": "0", "MODERATOR_TOKEN": token, "PYTHONUNBUFFERED": "1", **(extra_env or {})})
    proc = subprocess.Popen(
        [sys.executable, "-m", "comments_dev.server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    output: list[str] = []
    printed: dict[str, str] = {}
    base_url = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError("dev server exited:\n" + "".join(output))
            continue
        output.append(line)
        if line.startswith("Comment service (local) on "):
            base_url = line.removeprefix("Comment service (local) on ").strip()
        name, equals, value = line.strip().partition("=")
        if equals and name in ("AWS_ENDPOINT_URL", "MODERATOR_EMAIL", "MODERATOR_PASSWORD"):
            printed[name] = value
        if line.startswith("Ctrl-C to stop."):
            break
    else:
        proc.kill()
        proc.wait()
        raise RuntimeError("dev server did not start in time:\n" + "".join(output))
    stdout = proc.stdout

    def _drain() -> None:
        for line in stdout:
            output.append(line)

    threading.Thread(target=_drain, daemon=True).start()
    return DevProcess(
        base_url,
        printed.get("AWS_ENDPOINT_URL", ""),
        token,
        proc,
        output,
        moderator_email=printed.get("MODERATOR_EMAIL", ""),
        moderator_password=printed.get("MODERATOR_PASSWORD", ""),
    )
