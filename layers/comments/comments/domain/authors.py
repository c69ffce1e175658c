"""An author's rights over their data, by email: access (every comment, any status) and erasure
(the right to be forgotten). The author is found by the keyed hash of the email, never the email."""

from datetime import datetime
from typing import Any

from comments.domain.errors import AlreadyDecided
from comments.domain.hmac_keys import HmacKeys
from comments.domain.models import StoredComment, iso
from comments.domain.ports import CommentStore


def _comments_of(store: CommentStore, keys: HmacKeys, email: str) -> list[StoredComment]:
    """Every comment by one author, oldest first, whichever key version of the service secret
    keyed it (a rotation leaves the older comments under the older version's author id)."""
    found = [c for author_id in keys.author_ids(email) for c in store.author_comments(author_id)]
    return sorted(found, key=lambda c: (c.createdAt, c.id)) if len(keys.versions) > 1 else found


def export(store: CommentStore, keys: HmacKeys, email: str) -> list[dict[str, Any]]:
    """Every comment by one author, whatever its status, oldest first."""
    return [c.public().model_dump() for c in _comments_of(store, keys, email)]


def erase(store: CommentStore, keys: HmacKeys, email: str, moderator_name: str, now: datetime) -> int:
    """Every comment by the author leaves the public list, and its name, body and identity are
    removed from storage for good (idempotent: a second call erases nothing more). Only the
    fact of the erasure stays in each comment's history; the author's record of moderators'
    decisions is deleted. Returns how many were erased."""
    from comments.policy.engine import duplicate_fingerprint

    erased = 0
    for comment in _comments_of(store, keys, email):
        at = iso(now)
        entry = {"at": at, "event": "erased", "status": "erased", "by": moderator_name}
        try:
            store.erase(comment, entry, at)
        except AlreadyDecided:
            continue  # changed under us; a second erase call picks it up
        # The marker is keyed by the author id that keyed the comment (its key version).
        store.forget_duplicate_marker(comment.authorId, duplicate_fingerprint(comment.body))
        erased += 1
    for author_id in keys.author_ids(email):  # the records of moderators' decisions about them
        store.forget_author(author_id)
    return erased
