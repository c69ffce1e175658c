"""moto's server, one request at a time.

moto's backends are not thread-safe, and its TransactWriteItems rolls a cancelled transaction
back by restoring a deep copy of the whole table taken when the transaction began: with two
requests at once, a cancelled transaction can undo another request's committed write, which
real DynamoDB never does. Serialising requests makes every call atomic, as it is in AWS. The
server still accepts many connections (threads); only the backend work is serialised.

Run: python -m comments_dev.moto_serial -H 127.0.0.1 -p PORT
"""

import argparse
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def serialised(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return handle


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, serialised(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
