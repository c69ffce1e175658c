"""What a moderator sees to decide one comment: its moderation record, the article it is on (the
page's title and link), the comment it answers, its earlier texts, and what its author wrote
before and how moderators decided. Never an email, an IP, or a hash of either."""

from typing import Any

from comments.domain.errors import NotFound
from comments.domain.models import StoredComment
from comments.domain.ports import CommentStore

AUTHOR_RECENT = 20  # the author's latest comments listed
AUTHOR_WINDOW = 100  # the author's latest comments counted
BODY_EXCERPT = 500  # characters of each listed comment's text


def _decisions(comment: StoredComment) -> list[dict[str, Any]]:
    """The moderators' decisions and reopenings of a comment, oldest first."""
    keep = ("at", "decision", "moderator", "note", "banAuthor", "previousStatus")
    return [
        {"event": h["event"], **{k: h[k] for k in keep if h.get(k) is not None}}
        for h in comment.history
        if h.get("event") in ("decided", "reopened")
    ]


def _moderator_decided(comment: StoredComment) -> bool:
    return any(h.get("event") == "decided" for h in comment.history)


def _reported(comment: StoredComment) -> bool:
    return bool(comment.reports) or any(h.get("event") == "reported" for h in comment.history)


def author_history(store: CommentStore, comment: StoredComment) -> dict[str, Any]:
    """The author's latest comments on any article (this one left out) with their status and
    decisions, and counts over the latest AUTHOR_WINDOW: published, pending, approved and
    rejected by a moderator, reported by readers."""
    if not comment.authorId:  # erased, or an import that kept no author
        others: list[StoredComment] = []
    else:
        others = [c for c in store.author_recent(comment.authorId, AUTHOR_WINDOW + 1) if c.id != comment.id]
        others = others[:AUTHOR_WINDOW]
    counts = {
        "comments": len(others),
        "published": sum(c.status == "published" for c in others),
        "pending": sum(c.status == "pending" for c in others),
        "approved": sum(c.status == "published" and _moderator_decided(c) for c in others),
        "rejected": sum(c.status == "rejected" for c in others),
        "reported": sum(_reported(c) for c in others),
    }
    recent = [
        {
            "id": c.id,
            "articleId": c.articleId,
            "createdAt": c.createdAt,
            "status": c.status,
            "body": c.body[:BODY_EXCERPT],
            "clipped": len(c.body) > BODY_EXCERPT,
            "reports": c.reports or 0,
            "decisions": _decisions(c),
        }
        for c in others[:AUTHOR_RECENT]
    ]
    return {
        "name": comment.name,
        "recent": recent,
        "counts": counts,
        "counted": len(others),
        "window": AUTHOR_WINDOW,
    }


def detail(store: CommentStore, comment_id: str) -> dict[str, Any]:
    """One comment with its moderation record (status, the rules that fired, the audit trail)
    and the context to decide it: `article` (id, and the page's title and URL if the widget
    sent them), `parent` (the comment it answers, or None), `edits` (its earlier texts, from
    the history) and `author` (see `author_history`)."""
    from comments.domain.ids import is_comment_id

    found = store.get(comment_id) if is_comment_id(comment_id) else None
    if found is None:
        raise NotFound()
    page = store.article_page(found.articleId)
    parent = None
    if found.parentId and is_comment_id(found.parentId):
        answered = store.get(found.parentId, consistent=False)
        parent = answered.public().model_dump() if answered is not None else None
    return {
        "comment": found.public().model_dump(),
        "reasons": [r.model_dump() for r in found.reasons()],
        "hits": found.hits,
        "policyVersion": found.policyVersion,
        "history": found.history,
        "article": {
            "id": found.articleId,
            "title": page.title if page else None,
            "url": page.url if page else None,
        },
        "parent": parent,
        "edits": [
            {"at": h.get("at"), "previousBody": h["previousBody"], "status": h.get("status")}
            for h in found.history
            if h.get("event") == "edited" and isinstance(h.get("previousBody"), str)
        ],
        "author": author_history(store, found),
    }
