"""`make dev`: the local stack. Starts moto server, creates the template's resources on it,
loads the template's functions, and serves the HTTP API on 127.0.0.1:3000 by turning each
request into the API Gateway HTTP API (2.0) event AWS would send to the same handlers.
Also serves the demo article at /, the comment policy at /policy, the widget at /static/, and the
moderator console at /moderation/ with its /config.json, signing in through the emulator's Cognito
user pool (comments_dev.web)."""

import base64
import json
import logging
import os
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from comments_dev import apigw, authorizer, template, terminal, web
from comments_dev.emulator import (
    REGION,
    MotoServer,
    Stack,
    create_moderator,
    create_stack,
    local_password,
    tap_events,
)
from comments_dev.event_log import EventLog
from comments_dev.lambdas import Function
from comments_dev.streams import StreamMapping, stream_mappings

log = logging.getLogger("comments_dev")
POOL = "ModeratorsUserPool"  # the template's user pool (logical id)
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
    authorizer: authorizer.JwtAuthorizer
    distribution: web.Distribution
    moderator_email: str = ""
    moderator_password: str = ""
    password_policy: dict[str, Any] = field(default_factory=dict)
    mappings: list[StreamMapping] = field(default_factory=list)
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
    web_domain: str = "127.0.0.1:3000",
    moderator_email: str | None = None,
    moderator_password: str | None = None,
) -> LocalStack:
    """Start (or reuse) the emulator, create the resources and the local moderator (in the user
    pool's moderators group, password permanent), set the functions' environment."""
    moto = None
    if endpoint is None:
        moto = MotoServer().start()
        endpoint = moto.endpoint
    try:
        return _build(
            endpoint,
            moto,
            moderator_token,
            rate_limit,
            allowed_origins,
            pool_size,
            web_domain,
            moderator_email,
            moderator_password,
        )
    except BaseException:
        if moto is not None:
            moto.stop()  # never an orphaned emulator after a failed start
        raise


def _build(
    endpoint: str,
    moto: MotoServer | None,
    moderator_token: str | None,
    rate_limit: str | None,
    allowed_origins: list[str] | None,
    pool_size: int,
    web_domain: str,
    moderator_email: str | None,
    moderator_password: str | None,
) -> LocalStack:
    params: dict[str, Any] = {}
    if rate_limit is not None:
        params["RateLimitPerMinute"] = rate_limit
    if allowed_origins is not None:
        params["AllowedOrigins"] = allowed_origins
    stack = create_stack(endpoint, params, web_domain=web_domain)
    os.environ.update(stack.environment())
    for name in template.resources("AWS::Serverless::Function"):
        os.environ.update(template.function_environment(name, stack.resolve))
    token = moderator_token or secrets.token_urlsafe(24)
    os.environ["MODERATOR_TOKEN"] = token
    functions = {name: Function(name, pool_size) for name in template.resources("AWS::Serverless::Function")}
    api = next(iter(template.resources("AWS::Serverless::HttpApi").values()))
    cors = stack.resolve(api["Properties"].get("CorsConfiguration", {}))
    email = moderator_email or "moderator@example.com"
    password = moderator_password or local_password()
    try:
        create_moderator(stack, email, password)
    except Exception as refused:  # the pool's password policy, or not an email address
        # (build() stops the emulator on the way out)
        raise SystemExit(f"comments-dev: cannot create the local moderator {email}: {refused}") from None
    local = LocalStack(
        stack=stack,
        functions=functions,
        routes=template.http_routes(),
        allowed_origins=list(cors.get("AllowOrigins", [])),
        cors=cors,
        moderator_token=token,
        authorizer=authorizer.JwtAuthorizer.from_template(stack.resolve, stack.endpoint, token),
        distribution=web.Distribution.from_template(stack.resolve),
        moderator_email=email,
        moderator_password=password,
        password_policy=stack.client("cognito-idp").describe_user_pool(UserPoolId=stack.user_pools[POOL])[
            "UserPool"
        ]["Policies"]["PasswordPolicy"],
        moto=moto,
    )
    local.mappings = stream_mappings(stack, functions)
    local.events = EventLog(stack, tap_events(stack))
    return local


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

    def parse_request(self) -> bool:
        self._started = time.monotonic()
        self._note = ""
        return super().parse_request()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One readable line per request on the terminal (no client address, no body)."""
        if not hasattr(self, "_started"):
            return
        status = int(code) if str(code).isdigit() else 0
        method, path = self.command or "-", getattr(self, "path", "") or "-"  # unset: a bad request line
        print(terminal.request_line(method, path, status, self._started, self._note), flush=True)

    def __getattr__(self, name: str) -> Any:
        # Any method the verbs below do not name (TRACE, PROPFIND, FOO...) goes where API Gateway
        # would send it: the routes, then the $default route (a JSON 404), never a 405 or 501.
        if name.startswith("do_"):
            return self._api
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (bad request line, URI or header too long, too many
        headers, unknown method) as the contract's JSON errors, never an HTML page."""
        codes = {413: "payload_too_large", 404: "not_found"}
        status = 404 if code == 501 else code  # (every method is routed: see __getattr__)
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
        if urlsplit(self.path).path == web.RELAY_PATH:
            self._cognito_relay()
            return
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

        site = {"Content-Security-Policy": web.SITE_CSP, "Cache-Control": "no-cache"}
        if path == "/":
            api = f"http://{self.headers.get('Host') or '127.0.0.1'}"
            self._send(200, pages.article_page(api).encode(), site, content_type="text/html; charset=utf-8")
            return True
        if path == "/policy":
            from comments.api import runtime
            from comments.policy.engine import describe

            rt = runtime.current()
            policy = rt.policy()
            html = pages.policy_page(policy, describe(policy, configured=rt.classifiers()))
            self._send(200, html.encode(), site, content_type="text/html; charset=utf-8")
            return True
        # The moderator console (the API is under /moderation/...), its config and the static files,
        # with the headers the template's web distribution gives them.
        as_cloudfront = {"Cache-Control": "no-cache", **self._web_headers(path)}
        if path == "/moderation":
            self._send(301, b"", {**as_cloudfront, "Location": "/moderation/"}, "text/plain")
            return True
        if path == "/moderation/":
            console = (WEB / "moderation.html").read_bytes()
            self._send(200, console, as_cloudfront, "text/html; charset=utf-8")
            return True
        if path == "/config.json":
            s = self.local.stack
            config = web.console_config(
                self._origin(),
                REGION,
                s.user_pools[POOL],
                next(iter(s.user_pool_clients.values())),
                self.local.password_policy,
            )
            self._send(200, json.dumps(config).encode(), as_cloudfront)
            return True
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            file = (WEB / name).resolve()
            if file.parent == WEB.resolve() and file.is_file() and file.suffix in _STATIC_TYPES:
                self._send(200, file.read_bytes(), as_cloudfront, _STATIC_TYPES[file.suffix])
            else:
                self._json(404, {"error": "not_found"})
            return True
        if path == "/_dev/events":
            self._json(200, {"events": list(self.local.events.seen) if self.local.events else []})
            return True
        if path == "/openapi.json":
            from comments.api.runtime import current

            from comments_dev import openapi

            # The functions' environment (the submit function's ALLOWED_ORIGINS among it).
            origins = current().settings.origins
            self._send(
                200,
                openapi.document_json(self._origin(), origins).encode(),
                {"Cache-Control": "no-cache"},
            )
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
        """The dev server plays the JWT authorizer (see authorizer.py): a token of the emulator's
        user pool is checked (signature against the pool's keys, exp, issuer, audience or
        client_id) and its claims passed on as API Gateway would; the local moderator token stands
        for a Cognito user in the `moderators` group. None: 401, the function is never invoked."""
        token = authorizer.bearer(self.headers.get("Authorization"))
        return self.local.authorizer.verify(token)

    def _web_headers(self, path: str) -> dict[str, str]:
        return self.local.distribution.headers(path, self.headers.get("Origin"))

    def _cognito_relay(self) -> None:
        """The console's Cognito calls, passed on to the emulator (see web.py)."""
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._json(413, {"error": "payload_too_large"})
            return
        status, reply, reset_code = web.relay(
            self.local.stack.endpoint, self.headers.get("X-Amz-Target", ""), body
        )
        if reset_code:
            print(f"cognito: the password reset code Cognito would email: {reset_code}", flush=True)
        headers = {"Cache-Control": "no-store", **self._web_headers(web.RELAY_PATH)}
        self._send(status, reply, headers, "application/x-amz-json-1.1")

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
        self._note = _error_code(body) if int(result["statusCode"]) >= 400 else ""
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


def _error_code(body: bytes) -> str:
    try:
        value = json.loads(body)
    except ValueError:
        return ""
    return str(value.get("error", "")) if isinstance(value, dict) else ""


def serve(local: LocalStack | None, host: str = "127.0.0.1", port: int = 3000) -> ThreadingHTTPServer:
    """Bind the HTTP port (0: any free one). `local` may come later (`httpd.RequestHandlerClass.local
    = ...`): the port is taken first, so that nothing else can take it while the stack starts."""
    handler = type("BoundHandler", (Handler,), {"local": local} if local is not None else {})
    httpd = _Server((host, port), handler)
    httpd.daemon_threads = True
    return httpd


class _Server(ThreadingHTTPServer):
    # The stdlib's listen backlog of 5 resets connections under a burst of clients; the gateway
    # this stands in for would queue them.
    request_queue_size = 256


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="comments-dev", description="The local stack (make dev).")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show the functions' JSON log lines and metric blobs (also: DEV_LOG_JSON=1)",
    )
    args = parser.parse_args(argv)
    verbose = args.verbose or os.environ.get("DEV_LOG_JSON", "") not in ("", "0")
    logging.basicConfig(level=os.environ.get("DEV_LOG_LEVEL", "WARNING"), stream=sys.stderr)
    terminal.install(verbose)
    if not verbose:
        import warnings

        warnings.filterwarnings("ignore", "No application metrics to publish")
    try:
        port = int(os.environ.get("PORT", "3000"))
    except ValueError:
        print(f"comments-dev: PORT must be a number, not {os.environ['PORT']!r}", file=sys.stderr)
        return 2
    # The port first: a busy one is one clear line, and no emulator was started for nothing.
    try:
        httpd = serve(None, "127.0.0.1", port)
    except OSError as exc:
        print(
            f"comments-dev: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}"
            f" (another process has it? set PORT=<free port>, or PORT=0 for any)",
            file=sys.stderr,
        )
        return 1
    port = int(httpd.server_address[1])
    # The template's AllowedOrigins parameter; the dev server's own origins are always allowed.
    extra = [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", *extra]
    try:
        local = build(
            moderator_token=os.environ.get("MODERATOR_TOKEN") or None,
            rate_limit=os.environ.get("RATE_LIMIT_PER_MINUTE"),
            allowed_origins=origins,
            web_domain=f"127.0.0.1:{port}",
            moderator_email=os.environ.get("MODERATOR_EMAIL") or None,
            moderator_password=os.environ.get("MODERATOR_PASSWORD") or None,
        )
    except KeyboardInterrupt:
        httpd.server_close()
        return 130
    except Exception as exc:
        httpd.server_close()
        log.debug("start failed", exc_info=True)
        print(f"comments-dev: the local stack did not start: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if not verbose:
        # The functions' warnings reach the terminal once, as FunctionOutput's one-line form.
        logging.getLogger(os.environ.get("POWERTOOLS_SERVICE_NAME", "comments")).propagate = False
    httpd.RequestHandlerClass.local = local  # type: ignore[attr-defined]
    for mapping in local.mappings:
        mapping.start()
    if local.events:
        local.events.start()
    _banner(local, f"http://127.0.0.1:{port}", verbose)

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


def _banner(local: LocalStack, base: str, verbose: bool) -> None:
    lines = [
        f"Comment service (local) on {base}",
        f"  article page:      {base}/",
        f"  policy page:       {base}/policy",
        f"  moderator console: {base}/moderation/",
        f"  API:               {base}/articles/{{articleId}}/comments  (described at {base}/openapi.json)",
        f"  AWS_ENDPOINT_URL={local.stack.endpoint}",
        f"  MODERATOR_TOKEN={local.moderator_token}  (for API clients)",
        "  the console signs in with:",
        f"  MODERATOR_EMAIL={local.moderator_email}",
        f"  MODERATOR_PASSWORD={local.moderator_password}",
        "The emulator starts empty on each run: nothing is kept after Ctrl-C.",
        "One line per request and per event below"
        + (
            " (with the functions' JSON logs and metrics)."
            if verbose
            else "; DEV_LOG_JSON=1 adds the functions' JSON logs."
        ),
        "Ctrl-C to stop.",
    ]
    for line in lines:
        print(line, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
