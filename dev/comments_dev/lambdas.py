"""Run the template's functions in this process as Lambda would: each function's app.py loaded
from its CodeUri (the layer package is importable as on /opt/python), a pool of independent
module instances standing in for warm containers (Lambda gives one request at a time to a
container, and starts another one when all are busy), and a LambdaContext with a real
deadline."""

import importlib.util
import itertools
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from comments_dev import template

_counter = itertools.count()
_running = threading.local()


def running() -> str | None:
    """The function this thread is running now, if any (the dev terminal tells its output apart)."""
    return getattr(_running, "name", None)


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: float = 10.0
    invoked_function_arn: str = ""
    aws_request_id: str = ""
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Function:
    """One function of the template: `size` warm instances to begin with, and, like Lambda
    scaling out, a new one (a cold start) when a request finds them all busy, up to
    `max_size` (then requests wait for a free one)."""

    def __init__(self, name: str, size: int = 4, max_size: int = 16) -> None:
        self.name = name
        self.max_size = max(size, max_size)
        self._created = size
        self._grow = threading.Lock()
        props = template.resources("AWS::Serverless::Function")[name]["Properties"]
        glob = template.load().get("Globals", {}).get("Function", {})
        self.timeout = float(props.get("Timeout", glob.get("Timeout", 3)))
        self.memory = int(props.get("MemorySize", glob.get("MemorySize", 128)))
        self.path, self.entry = template.function_code(name)
        self._pool: queue.Queue[ModuleType] = queue.Queue()
        for _ in range(size):
            self._pool.put(self._load())

    def _load(self) -> ModuleType:
        module_name = f"_fn_{self.name}_{next(_counter)}"
        spec = importlib.util.spec_from_file_location(module_name, self.path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def _instance(self) -> ModuleType:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._grow:
            grow = self._created < self.max_size
            if grow:
                self._created += 1
        return self._load() if grow else self._pool.get()

    def invoke(self, event: dict[str, Any]) -> Any:
        module = self._instance()
        _running.name = self.name
        try:
            ctx = LambdaContext(
                function_name=self.name,
                memory_limit_in_mb=self.memory,
                timeout_seconds=self.timeout,
                invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{self.name}",
                aws_request_id=str(uuid.uuid4()),
                _deadline=time.monotonic() + self.timeout,
            )
            return getattr(module, self.entry)(event, ctx)
        finally:
            _running.name = None
            self._pool.put(module)
