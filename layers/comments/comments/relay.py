"""From the table's change stream to the moderation queue: the answer to the dual-write hazard.

The submit function writes only to DynamoDB. Every change of a comment item comes out of the
stream in order; this turns the ones that put a comment into `pending` into the contract's
queue message. If SQS is down, the record is reported as a batch item failure and the stream
hands it back until it goes through: a held comment cannot be stored and never queued.
"""

from typing import Any

from comments.models import HeldMessage, StoredComment


def _image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    from comments.adapters.dynamo import from_item

    return from_item(raw)


def newly_held(record: dict[str, Any]) -> StoredComment | None:
    """The comment, if this stream record moved it into `pending` (stored held, or sent back)."""
    ddb = record.get("dynamodb") or {}
    new = _image(ddb.get("NewImage"))
    if not new or new.get("kind") != "comment" or new.get("status") != "pending":
        return None
    old = _image(ddb.get("OldImage"))
    if old and old.get("status") == "pending":
        return None
    fields = {k: new[k] for k in StoredComment.model_fields if k in new}
    return StoredComment.model_validate(fields)


def held_message(comment: StoredComment) -> HeldMessage:
    return HeldMessage(comment=comment.public(), reasons=comment.reasons(), policyVersion=comment.policyVersion)
