"""In-memory stand-ins for the moderation domain's ports: a comments store and an SQS queue that
behaves as SQS does where it matters here (visibility, per-message delay, receive counts and the
redrive policy's dead-letter queue), on a clock the test moves."""

import itertools
from dataclasses import dataclass, field
from typing import Any

from comments.domain.errors import AlreadyDecided, NotFound
from comments.domain.models import ArticlePage, StoredComment


class Clock:
    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Message:
    id: str
    body: str
    attributes: dict[str, str]
    visible_at: float
    receives: int = 0
    receipt: str = ""


@dataclass
class FakeSqs:
    """One queue with a redrive policy: a message received `max_receives` times goes to
    `dead_letters` instead of being delivered again, as SQS does."""

    clock: Clock
    max_receives: int = 5
    messages: dict[str, Message] = field(default_factory=dict)
    dead_letters: list[Message] = field(default_factory=list)
    sent: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def send(self, body: str, attributes: dict[str, str] | None = None, delay_seconds: int = 0) -> str:
        assert 0 <= delay_seconds <= 900, "SQS allows delays of 0 to 900 seconds"
        mid = f"m{next(self._ids)}"
        self.messages[mid] = Message(mid, body, dict(attributes or {}), self.clock.now + delay_seconds)
        self.sent += 1
        return mid

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        out = []
        for message in list(self.messages.values()):
            if len(out) == max_messages:
                break
            if message.visible_at > self.clock.now:
                continue
            if message.receives >= self.max_receives:
                del self.messages[message.id]
                self.dead_letters.append(message)
                continue
            message.receives += 1
            message.receipt = f"{message.id}/{message.receives}"
            message.visible_at = self.clock.now + visibility_seconds
            out.append(
                {
                    "MessageId": message.id,
                    "ReceiptHandle": message.receipt,
                    "Body": message.body,
                    "MessageAttributes": {
                        k: {"DataType": "String", "StringValue": v} for k, v in message.attributes.items()
                    },
                    "Attributes": {"ApproximateReceiveCount": str(message.receives)},
                }
            )
        return out

    def delete(self, receipt_handle: str) -> bool:
        for message in list(self.messages.values()):
            if message.receipt == receipt_handle:
                del self.messages[message.id]
                return True
        return False

    def depth(self) -> dict[str, int]:
        visible = sum(m.visible_at <= self.clock.now for m in self.messages.values())
        return {"waiting": visible, "claimed": len(self.messages) - visible}


@dataclass
class FakeStore:
    """The comments table as the moderation domain uses it."""

    comments: dict[str, StoredComment] = field(default_factory=dict)
    bans: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, ArticlePage] = field(default_factory=dict)
    fail_moves: int = 0  # the next N token moves raise (storage trouble)

    def add(self, comment: StoredComment) -> StoredComment:
        self.comments[comment.id] = comment
        return comment

    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None:
        return self.comments.get(comment_id)

    def move_queue_token(self, comment_id: str, old: str | None, new: str) -> bool:
        if self.fail_moves:
            self.fail_moves -= 1
            raise ConnectionError("storage unreachable")
        comment = self.comments.get(comment_id)
        if comment is None or comment.status != "pending" or comment.queueToken != old:
            return False
        self.comments[comment_id] = comment.model_copy(update={"queueToken": new})
        return True

    def transition(
        self,
        comment: StoredComment,
        *,
        expect: tuple[str, ...],
        status: str,
        entry: dict[str, Any],
        now: str,
        set_values: dict[str, Any] | None = None,
    ) -> StoredComment:
        current = self.comments.get(comment.id)
        if current is None:
            raise NotFound()
        if current.status not in expect:
            raise AlreadyDecided()
        token = current.queueToken if status == "pending" and "pending" in expect else None
        updated = current.model_copy(
            update={
                **(set_values or {}),
                "status": status,
                "updatedAt": now,
                "history": [*current.history, entry],
                "queueToken": token,
            }
        )
        self.comments[comment.id] = updated
        return updated

    def decide(self, comment: StoredComment, status: str, entry: dict[str, Any], now: str) -> StoredComment:
        return self.transition(comment, expect=("pending",), status=status, entry=entry, now=now)

    def ban(self, author_id: str, until_epoch: int | None, entry: dict[str, Any]) -> None:
        self.bans[author_id] = {**entry, "until": until_epoch}

    def lift_ban(self, author_id: str, comment_id: str) -> bool:
        if self.bans.get(author_id, {}).get("commentId") != comment_id:
            return False
        del self.bans[author_id]
        return True

    def author_recent(self, author_id: str, limit: int) -> list[StoredComment]:
        mine = [c for c in self.comments.values() if c.authorId == author_id]
        return sorted(mine, key=lambda c: (c.createdAt, c.id), reverse=True)[:limit]

    def article_page(self, article_id: str) -> ArticlePage | None:
        return self.pages.get(article_id)
