"""From the table's change stream to the moderation queue and the event bus: the answer to the
dual-write hazard.

The API functions write only to DynamoDB. Every change of a comment item comes out of the
stream, in order per comment; this turns the ones that put a comment into `pending` into the
contract's queue message, and every lifecycle change into an EventBridge event. If SQS or
EventBridge is down, the record is reported as a batch item failure and the stream hands it
back until it goes through: nothing stored is left unqueued or unannounced, and nothing is
announced that was not stored. Delivery is at least once; each event carries the stream
record's id (`eventId`) for consumers that must deduplicate.
"""

from typing import Any

from comments.models import HeldMessage, StoredComment

# The history entry a change appends names it; a new item is `published` or `held`.
_CHANGES = {
    "decided": "decided",
    "edited": "edited",
    "deleted": "deleted",
    "reported": "reported",
    "erased": "erased",
}


def _image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    from comments.adapters.dynamo import from_item

    return from_item(raw)


def _comment(image: dict[str, Any]) -> StoredComment:
    return StoredComment.model_validate({k: image[k] for k in StoredComment.model_fields if k in image})


def _images(record: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    ddb = record.get("dynamodb") or {}
    return _image(ddb.get("OldImage")), _image(ddb.get("NewImage"))


def newly_held(record: dict[str, Any]) -> StoredComment | None:
    """The comment, if this stream record moved it into `pending` (stored held, or sent back)."""
    old, new = _images(record)
    if not new or new.get("kind") != "comment" or new.get("status") != "pending":
        return None
    if old and old.get("status") == "pending":
        return None
    return _comment(new)


def held_message(comment: StoredComment) -> HeldMessage:
    return HeldMessage(
        comment=comment.public(), reasons=comment.reasons(), policyVersion=comment.policyVersion
    )


def lifecycle_event(record: dict[str, Any]) -> dict[str, Any] | None:
    """The EventBridge entry (without the bus name) for a lifecycle change, or None for a write
    that changed no lifecycle state (a report counted, a field touched)."""
    old, new = _images(record)
    if not new or new.get("kind") != "comment":
        return None
    if old is None:
        change = "published" if new.get("status") == "published" else "held"
    else:
        history = new.get("history") or []
        if len(history) == len(old.get("history") or []) and history == old.get("history"):
            return None
        change = _CHANGES.get((history[-1] if history else {}).get("event", ""), "")
        if not change:
            return None
    comment = _comment(new)
    detail: dict[str, Any] = {
        "comment": comment.public().model_dump(),
        "change": change,
        "previousStatus": old.get("status") if old else None,
        "policyVersion": comment.policyVersion,
        "eventId": record.get("eventID"),
        "sequence": (record.get("dynamodb") or {}).get("SequenceNumber"),
    }
    if comment.status == "pending":
        detail["reasons"] = [r.model_dump() for r in comment.reasons()]
    import json

    return {"Source": "comments", "DetailType": f"comment.{change}", "Detail": json.dumps(detail)}


def decision_figures(record: dict[str, Any]) -> dict[str, Any] | None:
    """For a `decided` change: the outcome, the moderator, and the seconds the comment waited
    since it was last held. Measured here, on the change stream, so that every decision counts,
    whether it came through the API, the console or `comments-moderate`."""
    from datetime import datetime

    old, new = _images(record)
    if not old or not new or new.get("kind") != "comment":
        return None
    history = new.get("history") or []
    if len(history) <= len(old.get("history") or []) or history[-1].get("event") != "decided":
        return None
    decided = history[-1]
    held = next((h for h in reversed(history[:-1]) if h.get("status") == "pending"), None)

    def when(entry: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00"))

    return {
        "outcome": decided.get("decision", "unknown"),
        "moderator": decided.get("moderator", "unknown"),
        "seconds": max(0.0, (when(decided) - when(held)).total_seconds()) if held else 0.0,
    }
