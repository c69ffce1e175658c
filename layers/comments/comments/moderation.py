"""Moderators at work: claim held comments from the queue, decide each exactly once, ban,
and take reader reports. Storage and queue come in as small protocols; the boto3 adapters in
Lambda and in `comments-moderate`, fakes in unit tests."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr

from comments import keys
from comments.errors import AlreadyDecided, BadRequest, NotFound
from comments.lifecycle import iso
from comments.models import Comment, HeldMessage, StoredComment, refuse_controls
from comments.policy.model import Reason

_CLAIM = "claim"


class DecisionIn(BaseModel):
    """POST /moderation/comments/{commentId}/decision"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    decision: Literal["approve", "reject"]
    note: Annotated[StrictStr, AfterValidator(refuse_controls), Field(max_length=2000)] | None = None
    claim: StrictStr | None = Field(default=None, max_length=4096)
    banAuthor: StrictBool = False
    banDays: int | None = Field(default=None, ge=1, le=3650)


@dataclass(frozen=True)
class Moderator:
    id: str  # the JWT's `sub`
    name: str  # username, for the audit trail


class Store(Protocol):
    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None: ...
    def decide(
        self, comment: StoredComment, status: str, entry: dict[str, Any], now: str
    ) -> StoredComment: ...
    def ban(self, author_id: str, until_epoch: int | None, entry: dict[str, Any]) -> None: ...


class Queue(Protocol):
    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]: ...
    def delete(self, receipt_handle: str) -> bool: ...


class ClaimedItem(BaseModel):
    claim: str
    comment: Comment
    reasons: list[Reason]


def make_claim(receipt_handle: str, comment_id: str, expires_epoch: int) -> str:
    payload = json.dumps({"r": receipt_handle, "c": comment_id, "e": expires_epoch}, separators=(",", ":"))
    return keys.sign(_CLAIM, payload.encode())


def open_claim(claim: str, comment_id: str) -> str | None:
    """The receipt handle inside a claim this service issued for this comment, else None: a
    claim cannot be forged, nor used to decide another comment."""
    raw = keys.unsign(_CLAIM, claim)
    if raw is None:
        return None
    payload = json.loads(raw)
    return str(payload["r"]) if payload.get("c") == comment_id else None


def claim_next(
    store: Store, queue: Queue, max_items: int, claim_seconds: int, now: datetime
) -> list[ClaimedItem]:
    """Receive up to `max_items` held comments; the SQS visibility timeout is the claim. Messages
    whose comment is no longer pending (decided already, or a repeated delivery) are deleted
    on the way, so moderators only ever see work that is still to do."""
    items: list[ClaimedItem] = []
    expires = int(now.timestamp()) + claim_seconds
    for message in queue.receive(max_items, claim_seconds):
        try:
            held = HeldMessage.model_validate_json(message["Body"])
        except ValueError:
            continue  # not ours to decide: left for the dead-letter queue after maxReceiveCount
        current = store.get(held.comment.id)
        # A second copy of a message already in this batch (SQS delivers at least once) is dropped too.
        if current is None or current.status != "pending" or any(i.comment.id == current.id for i in items):
            queue.delete(message["ReceiptHandle"])
            continue
        items.append(
            ClaimedItem(
                claim=make_claim(message["ReceiptHandle"], current.id, expires),
                comment=current.public(),
                reasons=current.reasons(),
            )
        )
    return items


@dataclass(frozen=True)
class Decided:
    comment: StoredComment
    held_seconds: float
    message_deleted: bool


def decide(
    store: Store, queue: Queue, comment_id: str, decision: DecisionIn, moderator: Moderator, now: datetime
) -> Decided:
    """pending -> published (approve) or rejected (reject), exactly once, with one audit entry."""
    receipt = None
    if decision.claim is not None:
        receipt = open_claim(decision.claim, comment_id)
        if receipt is None:
            raise BadRequest("claim is not valid for this comment.")
    comment = store.get(comment_id)
    if comment is None:
        raise NotFound()
    if comment.status != "pending":
        if receipt:
            queue.delete(receipt)  # this copy of the message has nothing left to decide
        raise AlreadyDecided()
    status = "published" if decision.decision == "approve" else "rejected"
    at = iso(now)
    entry = {
        "at": at,
        "event": "decided",
        "decision": decision.decision,
        "status": status,
        "moderator": moderator.name,
        "moderatorId": moderator.id,
        "note": decision.note,
        "rules": [h["rule"] for h in comment.hits],
        "banAuthor": decision.banAuthor,
    }
    try:
        updated = store.decide(comment, status, entry, at)  # raises AlreadyDecided for the loser of a race
    except AlreadyDecided:
        if receipt:
            queue.delete(receipt)  # this copy of the message has nothing left to decide
        raise
    if decision.banAuthor:
        until = int(now.timestamp()) + decision.banDays * 86400 if decision.banDays else None
        store.ban(
            comment.authorId,
            until,
            {"at": at, "by": moderator.name, "commentId": comment.id, "note": decision.note},
        )
    deleted = queue.delete(receipt) if receipt else False
    held_since = _held_since(comment)
    return Decided(updated, (now - held_since).total_seconds() if held_since else 0.0, deleted)


def _held_since(comment: StoredComment) -> datetime | None:
    stamp = next((h["at"] for h in reversed(comment.history) if h.get("status") == "pending"), None)
    stamp = stamp or comment.createdAt
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def groups(claims: dict[str, Any]) -> set[str]:
    """`cognito:groups` as API Gateway's JWT authorizer passes it: a list, or a string such as
    "[moderators admins]" or "moderators,admins"."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return {str(g) for g in raw}
    if isinstance(raw, str):
        return {g for g in raw.strip("[]").replace(",", " ").split() if g}
    return set()


class ReportIn(BaseModel):
    """POST /articles/{articleId}/comments/{commentId}/reports"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    reason: Annotated[StrictStr, AfterValidator(refuse_controls), Field(min_length=1, max_length=500)]


class ReportStore(Protocol):
    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None: ...
    def report(
        self, comment: StoredComment, client_id: str, reason: str, now: str, ttl: int
    ) -> int | None: ...
    def send_back(
        self, comment: StoredComment, threshold: int, hit: dict[str, Any], entry: dict[str, Any], now: str
    ) -> bool: ...


def report(
    store: ReportStore,
    *,
    article_id: str,
    comment_id: str,
    client_id: str,
    reason: str,
    threshold: int,
    reported_hit: dict[str, Any],
    now: datetime,
) -> bool:
    """A reader flags a published comment, counted once per client. When `threshold` distinct
    clients have, it goes back to pending (and so to the queue). True if it was sent back."""
    comment = store.get(comment_id)
    if comment is None or comment.status != "published" or comment.articleId != article_id:
        raise NotFound()
    at = iso(now)
    count = store.report(comment, client_id, reason, at, int(now.timestamp()) + 90 * 86400)
    if count is None or count < threshold:
        return False
    entry = {"at": at, "event": "reported", "status": "pending", "reports": count}
    return store.send_back(comment, threshold, reported_hit, entry, at)
