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

    def send(self, body: str, attributes: dict[str, str] | None = None, delay_seconds: int = 0) -> str:
        return str(self.queue.send(body, attributes, delay_seconds))

    def delete(self, receipt_handle: str) -> bool:
        return bool(self.queue.delete(receipt_handle))

    def depth(self) -> dict[str, int]:
        return dict(self.queue.depth())


@dataclass
class Work:
    """The moderation queue and table as one moderator at a terminal works them."""

    rt: Runtime

    def release(self, item: ClaimedItem) -> None:
        """Give a claim back: the comment is visible to every moderator again at once (nothing
        to do if it was decided, or the claim lapsed and someone else holds it now)."""
        from comments.domain import moderation
        from comments.domain.errors import NotFound

        try:
            moderation.release(self.rt.table, self.rt.queue, self.rt.keys, item.comment.id, item.claim)
        except NotFound:
            pass

    def renew(self, item: ClaimedItem, seconds: int) -> ClaimedItem:
        """The same item under a renewed claim (raises ClaimExpired or AlreadyDecided)."""
        from comments.domain import moderation

        rt = self.rt
        claim = moderation.renew(rt.table, rt.queue, rt.keys, item.comment.id, item.claim, seconds, rt.now())
        return item.model_copy(update={"claim": claim})

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


class ClaimKeeper:
    """Renews one claim every half claim while a moderator reads the comment (a thread of its
    own: the prompt blocks), so that a long read does not let another moderator take it. `item`
    is always the latest claim; `lost` says why renewing stopped, if it did."""

    def __init__(self, work: Work, item: ClaimedItem, seconds: int, interval: float | None = None) -> None:
        import threading

        self.work = work
        self.seconds = seconds
        self.interval = interval if interval is not None else max(1.0, seconds / 2)
        self._item = item
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.lost: str | None = None
        self._thread = threading.Thread(target=self._run, name="claim-keeper", daemon=True)
        self._thread.start()

    @property
    def item(self) -> ClaimedItem:
        with self._lock:
            return self._item

    def _run(self) -> None:
        from comments.domain.errors import CommentError

        while not self._stop.wait(self.interval):
            try:
                renewed = self.work.renew(self.item, self.seconds)
            except CommentError as exc:  # decided by someone else, or the claim lapsed
                self.lost = exc.code
                return
            except Exception as exc:  # AWS trouble: try again at the next turn
                self.lost = f"renewal failed ({type(exc).__name__}); retrying"
                continue
            with self._lock:
                self._item = renewed
                self.lost = None

    def stop(self) -> ClaimedItem:
        """Stop renewing; the latest claim, to decide or give back with."""
        self._stop.set()
        self._thread.join()
        return self.item
