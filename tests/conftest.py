"""Shared fixtures: a real moto server process for the whole session, and a fresh copy of the
template's resources on it for each test that wants one."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from comments_dev.emulator import FAKE_CREDENTIALS, MotoServer, Stack, create_stack
from tests_support import reset as reset_runtime_caches


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def aws_stack(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The template's tables, queues and secret, freshly created (unique names) on the session's
    moto server, and the environment the template gives the functions pointed at them."""
    from comments_dev import template

    prefix = f"t{uuid.uuid4().hex[:8]}-"
    stack = create_stack(moto_server.endpoint, {"RateLimitPerMinute": "0"}, prefix=prefix)
    for key in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(key)
    for k, v in {**FAKE_CREDENTIALS, **stack.environment()}.items():
        monkeypatch.setenv(k, v)
    for name in template.resources("AWS::Serverless::Function"):
        for k, v in template.function_environment(name, stack.resolve).items():
            monkeypatch.setenv(k, v)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CommentServiceTest")
    reset_runtime_caches()
    yield stack
    reset_runtime_caches()


class Api:
    """Calls the template's functions with the events API Gateway would send them."""

    def __init__(self) -> None:
        from comments_dev import template

        self.routes = template.http_routes()
        self._functions: dict[str, Any] = {}

    def function(self, name: str) -> Any:
        from comments_dev.lambdas import Function

        if name not in self._functions:
            self._functions[name] = Function(name, size=1)
        return self._functions[name]

    def event(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        query: str = "",
        source_ip: str = "198.51.100.7",
        claims: dict[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        import json as _json

        from comments_dev import apigw

        for route in self.routes:
            m = route.pattern().match(path)
            if route.method == method and m:
                break
        else:
            raise AssertionError(f"no route for {method} {path}")
        raw = body if isinstance(body, bytes) else (b"" if body is None else _json.dumps(body).encode())
        hdrs = {"content-type": "application/json", **(headers or {})}
        event = apigw.http_api_event(
            method=method,
            raw_path=path,
            raw_query=query,
            headers=list(hdrs.items()),
            body=raw,
            source_ip=source_ip,
            route_key=route.route_key,
            path_parameters=m.groupdict(),
            claims=claims,
        )
        return route.function, event

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> "Reply":
        name, event = self.event(method, path, body, **kwargs)
        return Reply(self.function(name).invoke(event))


MODERATOR = {"sub": "mod-1", "username": "mia", "cognito:groups": "[moderators]"}


class Reply:
    def __init__(self, result: dict[str, Any]) -> None:
        import json as _json

        self.status = int(result["statusCode"])
        self.headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        self.text = result.get("body") or ""
        self.json = _json.loads(self.text) if self.text else None


@pytest.fixture
def api(aws_stack: Stack) -> Api:
    return Api()
