"""A canned AWS endpoint on loopback for the cold-start runs: every JSON-protocol call
(DynamoDB, SQS, Secrets Manager, EventBridge) gets an instant, fixed answer, so a fresh
function can serve its first request end to end (clients created, secret read, items
written) without moto's own latency in the figure. Point a process at it with
`AWS_ENDPOINT_URL`."""

import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def _send_message(request: dict[str, Any]) -> dict[str, Any]:
    body = str(request.get("MessageBody", ""))
    return {"MessageId": str(uuid.uuid4()), "MD5OfMessageBody": hashlib.md5(body.encode()).hexdigest()}  # noqa: S324


def _put_events(request: dict[str, Any]) -> dict[str, Any]:
    return {
        "FailedEntryCount": 0,
        "Entries": [{"EventId": str(uuid.uuid4())} for _ in request.get("Entries", [])],
    }


DEFAULT_ANSWERS: dict[str, Answer] = {
    "DynamoDB_20120810.GetItem": {},
    "DynamoDB_20120810.PutItem": {},
    "DynamoDB_20120810.UpdateItem": {},
    "DynamoDB_20120810.DeleteItem": {},
    "DynamoDB_20120810.TransactWriteItems": {},
    "DynamoDB_20120810.Query": {"Items": [], "Count": 0, "ScannedCount": 0},
    "DynamoDB_20120810.BatchGetItem": {"Responses": {}, "UnprocessedKeys": {}},
    "AmazonSQS.SendMessage": _send_message,
    "AmazonSQS.ReceiveMessage": {"Messages": []},
    "AmazonSQS.GetQueueAttributes": {
        "Attributes": {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
    },
    "AWSEvents.PutEvents": _put_events,
}


class FakeAws:
    """`answers` maps an X-Amz-Target to a reply (or a function of the request); `calls`
    records the targets in the order they came."""

    def __init__(self, secret: str, answers: dict[str, Answer] | None = None) -> None:
        self.answers: dict[str, Answer] = {
            **DEFAULT_ANSWERS,
            "secretsmanager.GetSecretValue": {
                "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:ServiceSecret",
                "Name": "ServiceSecret",
                "SecretString": secret,
                "VersionId": "1",
            },
            **(answers or {}),
        }
        self.calls: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms stall between headers and body
            wbufsize = -1  # headers and body leave in one write (flushed after each request)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                target = self.headers.get("X-Amz-Target", "")
                fake.calls.append(target)
                answer = fake.answers.get(target)
                if answer is None:
                    status, reply = 400, {"__type": "UnknownOperationException", "message": target}
                else:
                    status, reply = 200, answer(request) if callable(answer) else answer
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeAws":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
