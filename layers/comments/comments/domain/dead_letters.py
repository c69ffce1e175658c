"""The moderation dead-letter queue: look at it without taking anything off, and move its
messages back onto the moderation queue."""

from typing import Any

from comments.domain.models import HeldMessage
from comments.domain.ports import Queue


def look(dead_letters: Queue, max_items: int) -> list[dict[str, Any]]:
    """Up to `max_items` dead letters, left where they are (received with no visibility timeout)."""
    items = []
    for m in dead_letters.receive(max_items, 0):
        try:
            body: Any = HeldMessage.model_validate_json(m["Body"]).model_dump()
        except ValueError:
            body = {"raw": m["Body"][:2000]}
        items.append(
            {
                "messageId": m["MessageId"],
                "message": body,
                "receiveCount": int(m.get("Attributes", {}).get("ApproximateReceiveCount", 0)),
            }
        )
    return items


def redrive(queue: Queue, dead_letters: Queue, limit: int = 100) -> int:
    """Move dead-lettered messages back onto the moderation queue (send first, then delete: a
    crash in between repeats a message, which claim_next drops if already decided). Each keeps
    its attributes: its queue token says whether it is still its comment's live message."""
    moved = 0
    while moved < limit:
        batch = dead_letters.receive(min(10, limit - moved), 30)
        if not batch:
            break
        for m in batch:
            attributes = {
                name: str(value["StringValue"])
                for name, value in (m.get("MessageAttributes") or {}).items()
                if value.get("DataType") == "String" and "StringValue" in value
            }
            queue.send(m["Body"], attributes or None)
            dead_letters.delete(m["ReceiptHandle"])
            moved += 1
    return moved
