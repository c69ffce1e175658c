"""Readers flag published comments; enough distinct readers send a comment back to moderation."""

from datetime import datetime
from typing import TYPE_CHECKING

from comments.domain.errors import NotFound
from comments.domain.models import iso
from comments.domain.ports import CommentStore

if TYPE_CHECKING:
    from comments.policy.model import Policy

REPORT_MARKER_DAYS = 90


def report(
    policy: "Policy",
    store: CommentStore,
    *,
    article_id: str,
    comment_id: str,
    client_id: str,
    reason: str,
    now: datetime,
    older_client_ids: tuple[str, ...] = (),
) -> bool:
    """A reader flags a published comment, counted once per client. When the policy's
    `report_threshold` distinct clients have, it goes back to pending (and so to the queue)
    with the `reported` rule among its reasons. True if it was sent back."""
    from comments.policy.engine import stateful_hit

    comment = store.get(comment_id)
    if comment is None or comment.status != "published" or comment.articleId != article_id:
        raise NotFound()
    at = iso(now)
    ttl = int(now.timestamp()) + REPORT_MARKER_DAYS * 86400
    count = store.report(comment, client_id, reason, at, ttl, older_client_ids)
    threshold = policy.report_threshold
    if count is None or count < threshold:
        return False
    hit = stateful_hit(policy, "reported").model_dump(
        include={"rule", "verdict", "message", "field", "spans"}
    )
    entry = {"at": at, "event": "reported", "status": "pending", "reports": count}
    return store.send_back(comment, threshold, hit, entry, at)
