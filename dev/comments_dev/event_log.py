"""What a subscriber to the event bus would see, for `make dev`: every lifecycle event, printed as
it arrives and kept for GET /_dev/events."""

import json
import logging
import threading
import time
from typing import Any

from comments_dev.emulator import Stack

log = logging.getLogger("comments_dev")


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
                f"{time.strftime('%H:%M:%S')} event {event.get('detail-type')} {comment.get('id')}"
                f" ({comment.get('status')})",
                flush=True,
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
