"""The author's own comment, within the edit window: edit it (the whole policy runs again) or
take it back. Proven by the edit token only the author received. Pure: storage comes in."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from comments import keys
from comments.errors import EditWindowClosed, Forbidden, NotFound, PolicyViolation
from comments.lifecycle import iso
from comments.models import ArticleSettings, StoredComment

if TYPE_CHECKING:
    from comments.policy.model import Policy

EDITABLE = ("published", "pending")


class AuthorStore(Protocol):
    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None: ...
    def article_settings(self, article_id: str) -> ArticleSettings: ...
    def is_banned(self, author_id: str, now_epoch: int) -> bool: ...
    def transition(
        self,
        comment: StoredComment,
        *,
        expect: tuple[str, ...],
        status: str,
        entry: dict[str, Any],
        now: str,
        set_values: dict[str, Any] | None = None,
    ) -> StoredComment: ...


def _own_comment(
    store: AuthorStore, policy: "Policy", article_id: str, comment_id: str, token: str, now: datetime
) -> StoredComment:
    comment = store.get(comment_id)
    if comment is None or comment.articleId != article_id or comment.status not in EDITABLE:
        raise NotFound()
    if not comment.editTokenHash or not keys.edit_token_matches(token, comment.editTokenHash):
        raise Forbidden()
    created = datetime.fromisoformat(comment.createdAt.replace("Z", "+00:00"))
    if now > created + timedelta(minutes=policy.edit_window_minutes):
        raise EditWindowClosed()
    return comment


def edit(
    policy: "Policy",
    store: AuthorStore,
    *,
    article_id: str,
    comment_id: str,
    token: str,
    body: str,
    now: datetime,
) -> StoredComment:
    """Run the policy on the new text. A rejection leaves the original as it was; a hold moves a
    published comment back to pending (and so onto the queue); a pending comment stays pending
    until a moderator decides it. The previous text is kept in the history for moderators."""
    from comments.policy.engine import evaluate, stateful_hit

    comment = _own_comment(store, policy, article_id, comment_id, token, now)
    verdict = evaluate(policy, body=body, name=comment.name)
    extra = []
    if store.is_banned(comment.authorId, int(now.timestamp())):
        extra.append(stateful_hit(policy, "banned_author"))
    if store.article_settings(article_id).premoderation:
        extra.append(stateful_hit(policy, "premoderation"))
    if extra:
        verdict = verdict.with_hits(extra)
    if verdict.outcome == "reject":
        raise PolicyViolation([r.model_dump() for r in verdict.reasons()])
    status = "published" if verdict.outcome == "publish" and comment.status == "published" else "pending"
    at = iso(now)
    hits = [h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits]
    if comment.status == "pending":
        # Keep what held it (e.g. reader reports) alongside what the new text triggers.
        hits += [h for h in comment.hits if h["rule"] not in {x["rule"] for x in hits}]
    return store.transition(
        comment,
        expect=(comment.status,),
        status=status,
        entry={
            "at": at,
            "event": "edited",
            "status": status,
            "previousBody": comment.body,
            "rules": [h["rule"] for h in hits],
        },
        now=at,
        set_values={
            "body": body,
            "hits": hits,
            "verdict": verdict.outcome,
            "policyVersion": verdict.policy_version,
        },
    )


def delete(
    policy: "Policy", store: AuthorStore, *, article_id: str, comment_id: str, token: str, now: datetime
) -> StoredComment:
    """The comment leaves the public list; replies to it stay (readers see a placeholder)."""
    comment = _own_comment(store, policy, article_id, comment_id, token, now)
    at = iso(now)
    return store.transition(
        comment,
        expect=(comment.status,),
        status="deleted",
        entry={"at": at, "event": "deleted", "status": "deleted"},
        now=at,
    )
