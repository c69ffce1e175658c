"""`make dev`: the local stack. Starts moto server, creates the template's resources on it,
loads the template's functions, and serves the HTTP API on 127.0.0.1:3000 by turning each
request into the API Gateway HTTP API (2.0) event AWS would send to the same handlers.
Also serves the demo article at /, the comment policy at /policy, and the widget at /static/."""

import base64
import json
import logging
import os
import secrets
import signal
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from comments_dev import apigw, authorizer, template
from comments_dev.emulator import MotoServer, Stack, create_stack, tap_events
from comments_dev.lambdas import Function
from comments_dev.streams import StreamMapping, stream_mappings

log = logging.getLogger("comments_dev")
WEB = template.ROOT / "web"
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit
_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass
class LocalStack:
    stack: Stack
    functions: dict[str, Function]
    routes: list[template.Route]
    allowed_origins: list[str]
    cors: dict[str, Any]
    moderator_token: str
    mappings: list[StreamMapping] = field(default_factory=list)
    jwt: authorizer.JwtSettings = field(default_factory=authorizer.JwtSettings.from_env)
    moto: MotoServer | None = None
    events: "EventLog | None" = None

    def match(self, method: str, path: str) -> tuple[template.Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            m = route.pattern().match(path)
            if m:
                return route, m.groupdict()
        return None

    def stop(self) -> None:
        for mapping in self.mappings:
            mapping.stop()
        if self.events:
            self.events.stop()
        if self.moto:
            self.moto.stop()


def build(
    *,
    endpoint: str | None = None,
    moderator_token: str | None = None,
    rate_limit: str | None = None,
    allowed_origins: list[str] | None = None,
    pool_size: int = 4,
) -> LocalStack:
    """Start (or reuse) the emulator, create the resources, set the functions' environment."""
    moto = None
    if endpoint is None:
        moto = MotoServer().start()
        endpoint = moto.endpoint
    params: dict[str, Any] = {}
    if rate_limit is not None:
        params["RateLimitPerMinute"] = rate_limit
    if allowed_origins is not None:
        params["AllowedOrigins"] = allowed_origins
    stack = create_stack(endpoint, params)
    os.environ.update(stack.environment())
    for name in template.resources("AWS::Serverless::Function"):
        os.environ.update(template.function_environment(name, stack.resolve))
    token = moderator_token or secrets.token_urlsafe(24)
    os.environ["MODERATOR_TOKEN"] = token
    functions = {name: Function(name, pool_size) for name in template.resources("AWS::Serverless::Function")}
    api = next(iter(template.resources("AWS::Serverless::HttpApi").values()))
    cors = stack.resolve(api["Properties"].get("CorsConfiguration", {}))
    local = LocalStack(
        stack=stack,
        functions=functions,
        routes=template.http_routes(),
        allowed_origins=list(cors.get("AllowOrigins", [])),
        cors=cors,
        moderator_token=token,
        moto=moto,
    )
    local.mappings = stream_mappings(stack, functions)
    local.events = EventLog(stack, tap_events(stack))
    return local


class EventLog:
    """What a subscriber to the event bus would see: drained from a queue that a catch-all rule
    on the bus feeds, printed as it arrives, and kept (the last 1,000) for GET /_dev/events."""

    def __init__(self, stack: Stack, queue_url: str, keep: int = 1000) -> None:
        from collections import deque

        self.sqs = stack.client("sqs")
        self.url = queue_url
        self.seen: deque[dict[str, Any]] = deque(maxlen=keep)
        self._stop = threading.Event()

    def drain_once(self, wait: int = 1) -> None:
        reply = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for message in reply.get("Messages", []):
            event = json.loads(message["Body"])
            self.seen.append(event)
            comment = (event.get("detail") or {}).get("comment") or {}
            print(
                f"event {event.get('detail-type')} {comment.get('id')} ({comment.get('status')})", flush=True
            )
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain_once()
            except Exception:
                log.exception("event tap failed")
                self._stop.wait(1)

    def start(self) -> None:
        threading.Thread(target=self.run, name="event-tap", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


class Handler(BaseHTTPRequestHandler):
    server_version = "comments-dev"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers, 40 ms on every keep-alive response.
    disable_nagle_algorithm = True
    local: LocalStack

    def log_message(self, format: str, *args: Any) -> None:
        # No client address: no log line carries an IP (API Gateway's sourceIp is hashed too).
        log.info("%s", format % args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (bad request line, URI or header too long, too many
        headers, unknown method) as the contract's JSON errors, never an HTML page."""
        codes = {413: "payload_too_large", 404: "not_found", 405: "method_not_allowed"}
        status = 405 if code == 501 else code  # an unknown method: refused, not a server error
        self.close_connection = True
        try:
            self._json(
                status,
                {"error": codes.get(status, "bad_request"), "message": message or "Bad request."},
                {"Connection": "close"},
            )
        except OSError:
            pass

    # -- plumbing ------------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        merged = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "X-Content-Type-Options": "nosniff",
        }
        merged.update(headers or {})
        for k, v in merged.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(
            status, json.dumps(payload).encode(), {"X-Content-Type-Options": "nosniff", **(headers or {})}
        )

    def _origin_headers(self) -> dict[str, str]:
        return apigw.cors_headers(self.headers.get("Origin"), self.local.allowed_origins, self.local.cors)

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                total += size
                if total > MAX_REQUEST_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(length) if length and length.isdigit() else 0
        if n > MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(n) if n else b""

    # -- verbs ---------------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        headers = apigw.preflight_headers(
            self.headers.get("Origin"), self.local.allowed_origins, self.local.cors
        )
        self._send(204, b"", headers)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if self._local_page(path):
            return
        self._api()

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        self._api()

    def do_PATCH(self) -> None:
        self._api()

    def do_DELETE(self) -> None:
        self._api()

    def do_PUT(self) -> None:
        self._api()

    # -- what only the dev server serves -------------------------------------------------------
    def _local_page(self, path: str) -> bool:
        from comments_dev import pages

        if path == "/":
            api = f"http://{self.headers.get('Host') or '127.0.0.1'}"
            self._send(200, pages.article_page(api).encode(), content_type="text/html; charset=utf-8")
            return True
        if path == "/policy":
            from comments.api import runtime

            from comments.policy.engine import describe

            rt = runtime.current()
            policy = rt.policy()
            html = pages.policy_page(policy, describe(policy, configured=rt.classifiers()))
            self._send(200, html.encode(), content_type="text/html; charset=utf-8")
            return True
        if path in ("/moderation", "/moderation/"):  # the moderator console; the API is under /moderation/...
            console = (WEB / "moderation.html").read_bytes()
            headers = {
                "Cache-Control": "no-cache",
                "Referrer-Policy": "no-referrer",
                "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
            }
            self._send(200, console, headers, "text/html; charset=utf-8")
            return True
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            file = (WEB / name).resolve()
            if file.parent == WEB.resolve() and file.is_file() and file.suffix in _STATIC_TYPES:
                self._send(200, file.read_bytes(), {"Cache-Control": "no-cache"}, _STATIC_TYPES[file.suffix])
            else:
                self._json(404, {"error": "not_found"})
            return True
        if path == "/_dev/events":
            self._json(200, {"events": list(self.local.events.seen) if self.local.events else []})
            return True
        if path == "/openapi.json":
            from comments_dev import openapi

            self._send(200, openapi.document_json(self._origin()).encode(), {"Cache-Control": "no-cache"})
            return True
        if path == "/_dev/stack":
            s = self.local.stack
            self._json(200, {"endpoint": s.endpoint, "tables": s.tables, "queues": s.queues})
            return True
        return False

    # -- the API, as API Gateway + Lambda ------------------------------------------------------
    def _api(self) -> None:
        split = urlsplit(self.path)
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._json(413, {"error": "payload_too_large"}, self._origin_headers())
            return
        found = self.local.match(self.command, split.path) or self.local.match("ANY", "$default")
        if found is None:
            self._json(404, {"error": "not_found"}, self._origin_headers())
            return
        route, params = found
        claims = None
        if route.authorizer:
            claims = self._claims()
            if claims is None:
                self._json(
                    401,
                    {"error": "unauthorized"},
                    {**self._origin_headers(), "WWW-Authenticate": "Bearer", "Cache-Control": "no-store"},
                )
                return
        event = apigw.http_api_event(
            method=self.command,
            raw_path=split.path,
            raw_query=split.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],  # the TCP peer; X-Forwarded-For is never read
            route_key=route.route_key if route.path != "$default" else "$default",
            path_parameters=params,
            claims=claims,
        )
        try:
            result = self.local.functions[route.function].invoke(event)
        except Exception:
            log.exception("function %s failed", route.function)
            self._json(502, {"error": "internal_error"}, self._origin_headers())
            return
        self._lambda_response(result)

    def _claims(self) -> dict[str, Any] | None:
        """The dev server plays the JWT authorizer (see authorizer.py): the local moderator token
        stands for a Cognito user in the `moderators` group; an HS256 JWT signed with
        MODERATOR_JWT_SECRET is checked (signature, exp, issuer, audience) and its claims passed
        on as API Gateway would. None: 401, the function is never invoked."""
        token = authorizer.bearer(self.headers.get("Authorization"))
        return authorizer.verify(token, self.local.jwt, self.local.moderator_token)

    def _origin(self) -> str:
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    def _lambda_response(self, result: Any) -> None:
        if not isinstance(result, dict) or "statusCode" not in result:
            result = {
                "statusCode": 200,
                "body": json.dumps(result),
                "headers": {"content-type": "application/json"},
            }
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for k, values in (result.get("multiValueHeaders") or {}).items():
            headers[k] = ",".join(map(str, values))
        headers.update(self._origin_headers())
        content_type = next(
            (v for k, v in headers.items() if k.lower() == "content-type"), "application/json"
        )
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
        self.send_response(int(result["statusCode"]))
        for k, v in {"Content-Type": content_type, "Content-Length": str(len(body)), **headers}.items():
            self.send_header(k, v)
        for cookie in result.get("cookies") or []:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(local: LocalStack, host: str = "127.0.0.1", port: int = 3000) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"local": local})
    httpd = _Server((host, port), handler)
    httpd.daemon_threads = True
    return httpd


class _Server(ThreadingHTTPServer):
    # The stdlib's listen backlog of 5 resets connections under a burst of clients; the gateway
    # this stands in for would queue them.
    request_queue_size = 256


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("DEV_LOG_LEVEL", "WARNING"), stream=sys.stderr)
    port = int(os.environ.get("PORT", "3000"))
    # The template's AllowedOrigins parameter; the dev server's own origins are always allowed.
    extra = [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", *extra]
    local = build(
        moderator_token=os.environ.get("MODERATOR_TOKEN") or None,
        rate_limit=os.environ.get("RATE_LIMIT_PER_MINUTE"),
        allowed_origins=origins,
    )
    for mapping in local.mappings:
        mapping.start()
    if local.events:
        local.events.start()
    httpd = serve(local, "127.0.0.1", port)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    print(f"Comment service (local) on {base}", flush=True)
    print(f"  article page:   {base}/", flush=True)
    print(f"  policy page:    {base}/policy", flush=True)
    print(f"  API:            {base}/articles/{{articleId}}/comments", flush=True)
    print(f"  AWS_ENDPOINT_URL={local.stack.endpoint}", flush=True)
    print(f"  MODERATOR_TOKEN={local.moderator_token}", flush=True)
    print("Ctrl-C to stop.", flush=True)

    def _stop(*_: Any) -> None:
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        local.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
