"""What `comments-moderate` does with the queue and the table, through the service's own domain
code on a runtime of the operator's: claim, give back, decide, and who the moderator is."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comments.api.runtime import Runtime
    from comments.domain.moderation import ClaimedItem, Moderator

PEEK_SECONDS = 30  # `list` holds what it reads this long at most, then gives it back at once
LOOKAHEAD = 25  # receives to find the next comment this session has not skipped


def moderator(session: Any, name: str | None) -> Moderator:
    """Who decides, for the audit trail: --as NAME, else the last part of the caller's IAM ARN,
    else $USER. The id is the IAM ARN whenever STS answers, so the trail records whose
    credentials made the change even under --as."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
    from comments.domain.moderation import Moderator

    arn = None
    try:
        quick = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=3, read_timeout=5)
        arn = str(session.client("sts", config=quick).get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError):
        pass
    from_arn = re.split(r"[/:]", arn)[-1] if arn else None
    user = name or from_arn or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    return Moderator(id=arn or f"user:{user}", name=user)


class CountingQueue:
    """The moderation queue, noting whether a receive returned anything: claim_next returns
    nothing both for an empty queue and for a batch it dropped (already decided), and only the
    first means "no more work"."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.received = 0

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        messages = self.queue.receive(max_messages, visibility_seconds)
        self.received += len(messages)
        return list(messages)

    def delete(self, receipt_handle: str) -> bool:
        return bool(self.queue.delete(receipt_handle))


class NoQueue:
    """For `decide` without a queue configured: a decision without a claim deletes nothing."""

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        return []

    def delete(self, receipt_handle: str) -> bool:
        return False


@dataclass
class Work:
    """The moderation queue and table as one moderator at a terminal works them."""

    rt: Runtime

    def release(self, item: ClaimedItem) -> None:
        """Give a claim back: the message is visible to every moderator again at once."""
        from comments.domain import moderation

        receipt = moderation.open_claim(self.rt.keys, item.claim, item.comment.id)
        if receipt:
            self.rt.queue.release(receipt)

    def claim(self, max_items: int, seconds: int, into: list[ClaimedItem] | None = None) -> list[ClaimedItem]:
        """Up to max_items held comments, claimed for `seconds` (added to `into` as they come, so
        a caller can give them back even if a later receive fails); batches made only of messages
        already decided (dropped by claim_next) do not end the search."""
        from comments.domain import moderation

        items: list[ClaimedItem] = [] if into is None else into
        for _ in range(LOOKAHEAD):
            counting: Any = CountingQueue(self.rt.queue)
            want = min(10, max_items - len(items))
            items += moderation.claim_next(
                self.rt.table, counting, self.rt.keys, want, seconds, self.rt.now()
            )
            if len(items) >= max_items or not counting.received:
                break
        return items

    def depth_line(self) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            q = self.rt.queue.depth()
            line = f"queue: {q['waiting']} waiting, {q['claimed']} claimed"
        except (BotoCoreError, ClientError):
            return "queue depth unavailable"
        if not self.rt.settings.dead_letter_queue_url:
            return line
        try:
            return f"{line}; dead letters: {self.rt.dead_letters.depth()['waiting']}"
        except (BotoCoreError, ClientError):
            return line
