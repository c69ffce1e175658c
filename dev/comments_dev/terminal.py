"""What `make dev` shows in its terminal: one readable line per request and per event.

The functions run in the dev server's process, and in Lambda they write JSON: Powertools' log
lines and metric blobs (CloudWatch's embedded metric format) on stdout. Here they are kept off
the terminal unless asked for (`DEV_LOG_JSON=1` or `comments-dev --verbose`): a warning or an
error a function logs is shown as one line (`  ! SubmitFunction WARNING storage unavailable`),
everything else it writes is dropped. Which writes are a function's is known by the thread:
`comments_dev.lambdas` marks a thread while it runs a function.
"""

import io
import json
import sys
import time
from typing import Any, TextIO

from comments_dev import lambdas

_SHOWN_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})


class FunctionOutput(io.TextIOBase):
    """Stands in for sys.stdout: what the dev server itself prints goes through; what a function
    prints is shown only when `verbose`, else reduced to its warnings and errors, one line each."""

    def __init__(self, terminal: TextIO, verbose: bool) -> None:
        self.terminal = terminal
        self.verbose = verbose

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        function = lambdas.running()
        if function is None or self.verbose:
            self.terminal.write(text)
        else:
            for line in text.splitlines():
                brief = function_line(function, line)
                if brief:
                    self.terminal.write(brief + "\n")
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()

    def fileno(self) -> int:
        return self.terminal.fileno()

    def isatty(self) -> bool:
        return self.terminal.isatty()


def function_line(function: str, line: str) -> str | None:
    """A function's JSON log line as one readable line, if it is a warning or an error."""
    try:
        record: Any = json.loads(line)
    except ValueError:
        return f"  ! {function} {line}" if line.strip() else None
    if not isinstance(record, dict) or str(record.get("level", "")).upper() not in _SHOWN_LEVELS:
        return None
    extra = record.get("exception_name") or record.get("error") or ""
    return f"  ! {function} {record['level']} {record.get('message', '')}" + (f" ({extra})" if extra else "")


def request_line(method: str, path: str, status: int, started: float, note: str = "") -> str:
    """`12:00:01 POST /articles/demo/comments 201 12 ms`, with the error code of a refusal."""
    ms = (time.monotonic() - started) * 1000
    clock = time.strftime("%H:%M:%S")
    return f"{clock} {method} {path} {status} {ms:.0f} ms" + (f" {note}" if note else "")


def install(verbose: bool) -> None:
    """Put the filter in front of stdout (before the functions are loaded: Powertools' Logger
    keeps the stream it finds when it is created)."""
    if not isinstance(sys.stdout, FunctionOutput):
        sys.stdout = FunctionOutput(sys.stdout, verbose)
