"""Moderators at work: claim held comments from the queue, decide each exactly once, ban, skip.
Storage, queue and keys come in through the domain's ports: the boto3 adapters in Lambda and in
`comments-moderate`, fakes in unit tests."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from comments.domain.errors import AlreadyDecided, BadRequest, NotFound
from comments.domain.hmac_keys import HmacKeys
from comments.domain.models import Comment, HeldMessage, StoredComment, iso
from comments.domain.ports import CommentStore, Queue
from comments.domain.requests import DecisionIn
from comments.policy.model import Reason

_CLAIM = "claim"


@dataclass(frozen=True)
class Moderator:
    id: str  # the JWT's `sub`, or the IAM identity of `comments-moderate`
    name: str  # username, for the audit trail


class ClaimedItem(BaseModel):
    claim: str
    comment: Comment
    reasons: list[Reason]


def groups(claims: dict[str, Any]) -> set[str]:
    """`cognito:groups` as API Gateway's JWT authorizer passes it: a list, or a string such as
    "[moderators admins]" or "moderators,admins"."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return {str(g) for g in raw}
    if isinstance(raw, str):
        return {g for g in raw.strip("[]").replace(",", " ").split() if g}
    return set()


def make_claim(keys: HmacKeys, receipt_handle: str, comment_id: str, expires_epoch: int) -> str:
    payload = json.dumps({"r": receipt_handle, "c": comment_id, "e": expires_epoch}, separators=(",", ":"))
    return keys.sign(_CLAIM, payload.encode())


def open_claim(keys: HmacKeys, claim: str, comment_id: str) -> str | None:
    """The receipt handle inside a claim this service issued for this comment, else None: a
    claim cannot be forged, nor used to decide another comment."""
    raw = keys.unsign(_CLAIM, claim)
    if raw is None:
        return None
    payload = json.loads(raw)
    return str(payload["r"]) if payload.get("c") == comment_id else None


def claim_next(
    store: CommentStore, queue: Queue, keys: HmacKeys, max_items: int, claim_seconds: int, now: datetime
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
                claim=make_claim(keys, message["ReceiptHandle"], current.id, expires),
                comment=current.public(),
                reasons=current.reasons(),
            )
        )
    return items


def release(queue: Queue, keys: HmacKeys, comment_id: str, claim: str) -> None:
    """A moderator skips a claimed comment: it goes back to the queue for someone else now."""
    receipt = open_claim(keys, claim, comment_id)
    if receipt is None:
        raise BadRequest("claim is not valid for this comment.")
    queue.release(receipt)


def claimed_receipt(keys: HmacKeys, claim: str | None, comment_id: str) -> str | None:
    """The queue message a decision's claim stands for: None without a claim, a 400 for a claim
    this service did not issue for this comment."""
    if claim is None:
        return None
    receipt = open_claim(keys, claim, comment_id)
    if receipt is None:
        raise BadRequest("claim is not valid for this comment.")
    return receipt


def decide(
    store: CommentStore,
    queue: Queue,
    comment_id: str,
    decision: DecisionIn,
    moderator: Moderator,
    now: datetime,
    receipt: str | None = None,
) -> StoredComment:
    """pending -> published (approve) or rejected (reject), exactly once, with one audit entry.
    The claimed message (`receipt`, see `claimed_receipt`) is deleted; without one, a leftover
    message is dropped when it is next received (claim_next)."""
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
    if receipt:
        queue.delete(receipt)
    return updated


def detail(store: CommentStore, comment_id: str) -> dict[str, Any]:
    """One comment with its moderation record: status, the rules that fired, the audit trail."""
    from comments.domain.ids import is_comment_id

    found = store.get(comment_id) if is_comment_id(comment_id) else None
    if found is None:
        raise NotFound()
    return {
        "comment": found.public().model_dump(),
        "reasons": [r.model_dump() for r in found.reasons()],
        "hits": found.hits,
        "policyVersion": found.policyVersion,
        "history": found.history,
    }
