"""Moderators at work: claim held comments from the queue, renew or give back a claim, decide
each exactly once, reopen a decision. Storage, queue and keys come in through the domain's ports:
the boto3 adapters in Lambda and in `comments-moderate`, fakes in unit tests.

Looking is free. Every pending comment has one live queue message, named by a token the
comment item keeps (`queueToken`; none for the message the relay queued when the comment became
pending). Whatever a moderator does, each message is received at most once and then deleted, so
no receive count grows with looks and nothing reaches the dead-letter queue for them:

- a claim receives the message, sends a copy delayed by the claim's length under a new token,
  moves the comment's token to it (conditional on pending and the old token), then deletes what
  it received; the claim names the new token;
- an expired claim needs nothing: its delayed copy becomes visible, and it is the live one;
- a renewal sends another delayed copy and moves the token to it; a release sends an immediate
  copy and moves the token to it;
- a message whose token is not the comment's current one, or whose comment is no longer pending,
  is deleted when it is received.

Each step's order (send, then move, then delete) keeps exactly one live message whatever
fails in between: a copy sent but not made live is dropped when it comes round; a received
message not deleted is stale once the token moved, or comes back as the live one if not.
Only a message that cannot be processed (not ours, not JSON) is left to the queue's redrive
policy and reaches the dead-letter queue.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from comments.domain.errors import AlreadyDecided, BadRequest, ClaimExpired, NotDecided, NotFound
from comments.domain.hmac_keys import HmacKeys
from comments.domain.models import Comment, HeldMessage, StoredComment, iso
from comments.domain.ports import CommentStore, Queue
from comments.domain.requests import DecisionIn
from comments.policy.model import Reason

_CLAIM = "claim"
TOKEN = "queueToken"  # noqa: S105 - the message attribute naming a queue message, not a secret
MAX_DELAY_SECONDS = 900  # SQS DelaySeconds: the longest a claim can last before it is renewed
REOPENABLE = ("published", "rejected")


@dataclass(frozen=True)
class Moderator:
    id: str  # the JWT's `sub`, or the IAM identity of `comments-moderate`
    name: str  # username, for the audit trail


class ClaimedItem(BaseModel):
    claim: str
    comment: Comment
    reasons: list[Reason]


@dataclass(frozen=True)
class Ticket:
    """What a claim stands for: the comment's queue message (by token) until `expires`."""

    token: str
    expires: int


def groups(claims: dict[str, Any]) -> set[str]:
    """`cognito:groups` as API Gateway's JWT authorizer passes it: a list, or a string such as
    "[moderators admins]" or "moderators,admins"."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return {str(g) for g in raw}
    if isinstance(raw, str):
        return {g for g in raw.strip("[]").replace(",", " ").split() if g}
    return set()


def make_claim(keys: HmacKeys, token: str, comment_id: str, expires_epoch: int) -> str:
    payload = json.dumps({"t": token, "c": comment_id, "e": expires_epoch}, separators=(",", ":"))
    return keys.sign(_CLAIM, payload.encode())


def open_claim(keys: HmacKeys, claim: str, comment_id: str) -> Ticket | None:
    """The ticket inside a claim this service issued for this comment, else None: a claim
    cannot be forged, nor used for another comment."""
    raw = keys.unsign(_CLAIM, claim)
    if raw is None:
        return None
    try:
        payload = json.loads(raw)
        if payload.get("c") != comment_id or not isinstance(payload.get("t"), str):
            return None
        return Ticket(token=payload["t"], expires=int(payload.get("e", 0)))
    except (ValueError, TypeError, AttributeError):
        return None


def ticket(keys: HmacKeys, claim: str, comment_id: str) -> Ticket:
    """`open_claim`, or a 400 for a claim this service did not issue for this comment."""
    found = open_claim(keys, claim, comment_id)
    if found is None:
        raise BadRequest("claim is not valid for this comment.")
    return found


def message_token(message: dict[str, Any]) -> str | None:
    value = (message.get("MessageAttributes") or {}).get(TOKEN) or {}
    return str(value["StringValue"]) if value.get("StringValue") else None


def _send_copy(queue: Queue, comment: StoredComment, delay_seconds: int) -> str:
    """A new message for the comment (its current state, as the contract's message), delayed:
    returns its token, not yet the live one."""
    from comments.domain.ids import new_queue_token
    from comments.domain.relay import held_message

    token = new_queue_token()
    body = held_message(comment).model_dump_json()
    queue.send(body, {"commentId": comment.id, TOKEN: token}, min(delay_seconds, MAX_DELAY_SECONDS))
    return token


def claim_next(
    store: CommentStore,
    queue: Queue,
    keys: HmacKeys,
    max_items: int,
    claim_seconds: int,
    now: datetime,
    receives: int = 1,
) -> list[ClaimedItem]:
    """Claim up to `max_items` held comments for `claim_seconds` (see the module's docstring).
    Messages whose comment is no longer pending, or that are not its live message, are deleted
    on the way, so moderators only ever see work that is still to do, each comment once. Up to
    `receives` receives, while they bring messages and the claims are fewer than `max_items`
    (stale copies of released and renewed claims come round too)."""
    items: list[ClaimedItem] = []
    expires = int(now.timestamp()) + claim_seconds
    for _ in range(receives):
        messages = queue.receive(max_items - len(items), claim_seconds)
        for message in messages:
            try:
                held = HeldMessage.model_validate_json(message["Body"])
            except ValueError:
                continue  # not ours to decide: left for the dead-letter queue after maxReceiveCount
            try:
                item = _claim_one(store, queue, keys, message, held, claim_seconds, expires, items)
            except Exception:
                if not items:
                    raise
                # Storage or SQS failed on the way: the claims already made stand (the message
                # in hand comes back when its visibility ends, as it was).
                return items
            if item is not None:
                items.append(item)
        if not messages or len(items) >= max_items:
            break
    return items


def _claim_one(
    store: CommentStore,
    queue: Queue,
    keys: HmacKeys,
    message: dict[str, Any],
    held: HeldMessage,
    claim_seconds: int,
    expires: int,
    items: list[ClaimedItem],
) -> ClaimedItem | None:
    receipt = message["ReceiptHandle"]
    token = message_token(message)
    current = store.get(held.comment.id)
    if (
        current is None
        or current.status != "pending"
        or current.queueToken != token
        or any(i.comment.id == current.id for i in items)
    ):
        queue.delete(receipt)
        return None
    new = _send_copy(queue, current, claim_seconds)
    moved = store.move_queue_token(current.id, token, new)
    queue.delete(receipt)  # stale either way now: the copy is live, or another claim's is
    if not moved:
        return None
    return ClaimedItem(
        claim=make_claim(keys, new, current.id, expires), comment=current.public(), reasons=current.reasons()
    )


def _pending(store: CommentStore, comment_id: str) -> StoredComment:
    current = store.get(comment_id)
    if current is None:
        raise NotFound()
    if current.status != "pending":
        raise AlreadyDecided()
    return current


def renew(
    store: CommentStore,
    queue: Queue,
    keys: HmacKeys,
    comment_id: str,
    claim: str,
    claim_seconds: int,
    now: datetime,
) -> str:
    """Keep a claim for another `claim_seconds`: a new claim. 409 already_decided when the comment
    is no longer pending, 409 claim_expired when the claim is no longer the live one (it lapsed
    and another moderator claimed the comment, or it was given back)."""
    held = ticket(keys, claim, comment_id)
    current = _pending(store, comment_id)
    if current.queueToken != held.token:
        raise ClaimExpired()
    new = _send_copy(queue, current, claim_seconds)
    if not store.move_queue_token(comment_id, held.token, new):
        _pending(store, comment_id)
        raise ClaimExpired()
    return make_claim(keys, new, comment_id, int(now.timestamp()) + claim_seconds)


def release(store: CommentStore, queue: Queue, keys: HmacKeys, comment_id: str, claim: str) -> bool:
    """A moderator skips a claimed comment: it is back in the queue for everyone at once. False
    when there was nothing to give back (decided, or the claim was no longer the live one)."""
    held = ticket(keys, claim, comment_id)
    current = store.get(comment_id)
    if current is None:
        raise NotFound()
    if current.status != "pending" or current.queueToken != held.token:
        return False
    return store.move_queue_token(comment_id, held.token, _send_copy(queue, current, 0))


def decide(
    store: CommentStore,
    comment_id: str,
    decision: DecisionIn,
    moderator: Moderator,
    now: datetime,
) -> StoredComment:
    """pending -> published (approve) or rejected (reject), exactly once, with one audit entry.
    Its queue message (claimed or not) is dropped when it next comes round (claim_next)."""
    comment = store.get(comment_id)
    if comment is None:
        raise NotFound()
    if comment.status != "pending":
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
    updated = store.decide(comment, status, entry, at)  # raises AlreadyDecided for the loser of a race
    if decision.banAuthor:
        until = int(now.timestamp()) + decision.banDays * 86400 if decision.banDays else None
        store.ban(
            comment.authorId,
            until,
            {"at": at, "by": moderator.name, "commentId": comment.id, "note": decision.note},
        )
    return updated


def reopen(
    store: CommentStore, comment_id: str, note: str | None, moderator: Moderator, now: datetime
) -> tuple[StoredComment, bool]:
    """A moderator's decision undone: a published or rejected comment that a moderator decided
    goes back to pending (and, through the change stream, back on the queue; its article's count
    follows), with one audit entry. A ban that this comment's decision set is lifted. Returns
    the comment and whether a ban was lifted. 409 not_decided for any other comment."""
    comment = store.get(comment_id)
    if comment is None:
        raise NotFound()
    decided = [h for h in comment.history if h.get("event") == "decided"]
    if comment.status not in REOPENABLE or not decided:
        raise NotDecided()
    at = iso(now)
    entry = {
        "at": at,
        "event": "reopened",
        "status": "pending",
        "previousStatus": comment.status,
        "moderator": moderator.name,
        "moderatorId": moderator.id,
        "note": note,
    }
    try:
        updated = store.transition(comment, expect=(comment.status,), status="pending", entry=entry, now=at)
    except AlreadyDecided:
        raise NotDecided() from None  # changed under us (another reopen, an erasure)
    lifted = bool(decided[-1].get("banAuthor")) and bool(comment.authorId)
    if lifted:
        lifted = store.lift_ban(comment.authorId, comment.id)
    return updated, lifted
