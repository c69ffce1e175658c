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

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from comments.domain.models import HeldMessage, StoredComment, parse_iso
from comments.domain.ports import EventBus, Queue

if TYPE_CHECKING:
    from comments.domain.tallies import Tally

# The history entry a change appends names it; a new item is `published` or `held`.
_CHANGES = {
    "decided": "decided",
    "edited": "edited",
    "deleted": "deleted",
    "reported": "reported",
    "erased": "erased",
    "reopened": "reopened",
}


def _comment(image: dict[str, Any]) -> StoredComment:
    return StoredComment.model_validate({k: image[k] for k in StoredComment.model_fields if k in image})


class StreamChange:
    """One stream record, its images deserialised once (by the caller, which knows the table's
    item format) and the comment validated once, for the three things the relay asks of it
    (queue it? announce it? measure a decision?)."""

    def __init__(
        self,
        record: dict[str, Any],
        deserialise: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        self.record = record
        ddb = record.get("dynamodb") or {}
        self.old = deserialise(ddb["OldImage"]) if ddb.get("OldImage") else None
        self.new = deserialise(ddb["NewImage"]) if ddb.get("NewImage") else None
        self.is_comment = bool(self.new) and self.new.get("kind") == "comment"  # type: ignore[union-attr]

    @cached_property
    def comment(self) -> StoredComment:
        assert self.new is not None
        return _comment(self.new)


def newly_held(change: StreamChange) -> StoredComment | None:
    """The comment, if this change moved it into `pending` (stored held, or sent back)."""
    old, new = change.old, change.new
    if not change.is_comment or new is None or new.get("status") != "pending":
        return None
    if old and old.get("status") == "pending":
        return None
    return change.comment


def held_message(comment: StoredComment) -> HeldMessage:
    return HeldMessage(
        comment=comment.public(), reasons=comment.reasons(), policyVersion=comment.policyVersion
    )


def lifecycle_event(change: StreamChange) -> dict[str, Any] | None:
    """The EventBridge entry (without the bus name) for a lifecycle change, or None for a write
    that changed no lifecycle state (a report counted, a field touched)."""
    old, new = change.old, change.new
    if not change.is_comment or new is None:
        return None
    if old is None:
        kind = "published" if new.get("status") == "published" else "held"
    else:
        history = new.get("history") or []
        if history == (old.get("history") or []):
            return None
        kind = _CHANGES.get((history[-1] if history else {}).get("event", ""), "")
        if not kind:
            return None
    comment = change.comment
    detail: dict[str, Any] = {
        "comment": comment.public().model_dump(),
        "change": kind,
        "previousStatus": old.get("status") if old else None,
        "policyVersion": comment.policyVersion,
        "eventId": change.record.get("eventID"),
        "sequence": (change.record.get("dynamodb") or {}).get("SequenceNumber"),
    }
    if comment.status == "pending":
        detail["reasons"] = [r.model_dump() for r in comment.reasons()]
    if old is None and (new.get("history") or [{}])[0].get("event") == "imported":
        # Stored by `comments-import`: a subscriber that notifies people of new comments can
        # leave out years of old ones by this (an indexer or a counter takes them as any other).
        detail["imported"] = True
    return {"Source": "comments", "DetailType": f"comment.{kind}", "Detail": json.dumps(detail)}


def decision(change: StreamChange) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """For a moderator's decision: the history entry it added (the last), and the entry that last
    held the comment before it (None if none did); None when the change is no decision."""
    old, new = change.old, change.new
    if not old or not change.is_comment or new is None:
        return None
    history = new.get("history") or []
    if len(history) <= len(old.get("history") or []) or history[-1].get("event") != "decided":
        return None
    held = next((h for h in reversed(history[:-1]) if h.get("status") == "pending"), None)
    return history[-1], held


def decision_figures(change: StreamChange) -> dict[str, Any] | None:
    """For a `decided` change: the outcome, the moderator, and the seconds the comment waited
    since it was last held. Measured here, on the change stream, so that every decision counts,
    whether it came through the API, the console or `comments-moderate`."""
    found = decision(change)
    if found is None:
        return None
    decided, held = found

    def when(entry: dict[str, Any]) -> datetime:
        return parse_iso(str(entry["at"]))

    return {
        "outcome": decided.get("decision", "unknown"),
        "moderator": decided.get("moderator", "unknown"),
        "seconds": max(0.0, (when(decided) - when(held)).total_seconds()) if held else 0.0,
    }


def count_delta(change: StreamChange) -> tuple[str, int] | None:
    """(article id, +1 or -1) when this change adds a comment to its article's public list or
    takes one off it; None for any other change."""
    old, new = change.old, change.new
    if not change.is_comment or new is None:
        return None
    delta = (new.get("status") == "published") - bool(old and old.get("status") == "published")
    return (str(new.get("articleId")), delta) if delta else None


@dataclass(frozen=True)
class Feedback:
    """A moderator's decision on a comment a classifier judged, to report back to it (Akismet:
    an approved comment is ham, a rejected one spam)."""

    classifier: str
    verdict: str  # "ham" | "spam"
    comment: StoredComment


def classifier_feedback(change: StreamChange) -> Feedback | None:
    """For a moderator's approve or reject of a comment Akismet judged: what to tell Akismet."""
    figures = decision_figures(change)
    if figures is None or figures["outcome"] not in ("approve", "reject"):
        return None
    comment = change.comment
    if not (comment.classifiers or {}).get("akismet"):
        return None
    return Feedback("akismet", "ham" if figures["outcome"] == "approve" else "spam", comment)


@dataclass(frozen=True)
class Relayed:
    """What one change became: the held comment queued, the event published, the decision's
    figures."""

    queued: str | None  # the comment id
    event: str | None  # the detail-type
    decision: dict[str, Any] | None


@dataclass(frozen=True)
class Prepared:
    """What one change adds to the running tallies (article count, rule statistics, the author's
    record: applied for the whole batch before any record is relayed, exactly once per record)
    and the feedback owed to a classifier (sent once its tally is applied)."""

    tally: "Tally | None"
    feedback: Feedback | None


def prepare(change: StreamChange) -> Prepared:
    """The change's tally and feedback: pure, nothing sent."""
    from comments.domain.tallies import tally

    return Prepared(tally(change, count_delta(change)) or None, classifier_feedback(change))


def relay(change: StreamChange, queue: Queue, events: EventBus | None) -> Relayed:
    """Queue a newly held comment and publish the change's lifecycle event (when there is a bus).
    Raises whatever the queue or the bus raises: the stream hands the record back."""
    comment = newly_held(change)
    if comment is not None:
        queue.send(held_message(comment).model_dump_json(), {"commentId": comment.id})
    entry = lifecycle_event(change)
    if entry is not None and events is not None:
        events.publish(entry)
    return Relayed(
        queued=comment.id if comment is not None else None,
        event=entry["DetailType"] if entry is not None and events is not None else None,
        decision=decision_figures(change),
    )
