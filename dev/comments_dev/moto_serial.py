"""moto's server, one request at a time.

moto's backends are not thread-safe, and its TransactWriteItems rolls a cancelled transaction
back by restoring a deep copy of the whole table taken when the transaction began: with two
requests at once, a cancelled transaction can undo another request's committed write, which
real DynamoDB never does. Serialising requests makes every call atomic, as it is in AWS. The
server still accepts many connections (threads); only the backend work is serialised.

An SQS long poll (ReceiveMessage with WaitTimeSeconds) is the one call that waits inside the
backend: under the lock it would hold every other request for its whole wait, and no message
could arrive to end it early. It is served as short polls instead (WaitTimeSeconds 0 under the
lock, a pause without it) until a message comes or its time is up, as SQS answers it.

Run: python -m comments_dev.moto_serial -H 127.0.0.1 -p PORT
"""

import argparse
import io
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server, run_simple

_POLL_PAUSE = 0.05


def _long_poll(environ: dict[str, Any]) -> tuple[float, bytes, bytes] | None:
    """(seconds, the request body, the same body asking not to wait) for an SQS ReceiveMessage
    with WaitTimeSeconds > 0 (JSON or query protocol); None for any other request. The body,
    once read, is put back for whoever reads it next."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    form = "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", "")
    if target != "AmazonSQS.ReceiveMessage" and not form:
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    try:
        if target:
            request = json.loads(body or b"{}")
            wait = float(request.get("WaitTimeSeconds") or 0)
            short = json.dumps({**request, "WaitTimeSeconds": 0}).encode()
        else:
            fields = parse_qsl(body.decode(), keep_blank_values=True)
            values = dict(fields)
            if values.get("Action") != "ReceiveMessage":
                return None
            wait = float(values.get("WaitTimeSeconds") or 0)
            short = urlencode([(k, "0" if k == "WaitTimeSeconds" else v) for k, v in fields]).encode()
    except (ValueError, UnicodeDecodeError):
        return None
    return (wait, body, short) if wait > 0 else None


def _received(status: str, payload: bytes) -> bool:
    if not status.startswith("200"):
        return True  # an error is the answer
    try:
        return bool(json.loads(payload).get("Messages"))
    except ValueError:
        return b"<Message>" in payload  # query protocol (XML)


def serialised(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        poll = _long_poll(environ)
        if poll is None:
            with lock:
                return list(app(environ, start_response))
        wait, _, short = poll
        deadline = time.monotonic() + wait
        answer: dict[str, Any] = {}

        def keep(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            answer.update(status=status, headers=headers, exc_info=exc_info)
            return lambda _data: None

        while True:
            attempt = {**environ, "wsgi.input": io.BytesIO(short), "CONTENT_LENGTH": str(len(short))}
            with lock:
                payload = b"".join(app(attempt, keep))
            if _received(answer["status"], payload) or time.monotonic() + _POLL_PAUSE >= deadline:
                start_response(answer["status"], answer["headers"], answer["exc_info"])
                return [payload]
            time.sleep(_POLL_PAUSE)

    return handle


def _exit_with_parent() -> None:
    """Exit when the parent's end of our stdin closes (the parent exited, however it died)."""

    def watch() -> None:
        try:
            while os.read(0, 1024):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--fd", type=int, help="serve this already listening socket (inherited)")
    parser.add_argument("--exit-with-parent", action="store_true", help="exit when stdin closes")
    args = parser.parse_args(argv)
    if args.exit_with_parent:
        _exit_with_parent()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    if args.fd is None:
        run_simple(args.host, args.port, serialised(app), threaded=True, request_handler=MotoRequestHandler)
        return
    server = make_server(
        args.host, args.port, serialised(app), threaded=True, request_handler=MotoRequestHandler, fd=args.fd
    )
    # The parent waits for this line; nothing else is written on stdout.
    print("ready", flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    server.serve_forever()


if __name__ == "__main__":
    main()
