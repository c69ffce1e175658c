"""Comments that come from elsewhere (a Disqus or WordPress export): what each becomes in the store.

Pure: the keys and the clock come in. An imported comment is stored exactly as a submitted one
(the same `StoredComment`, so the table's stream queues a pending one and the lists, counts,
moderation, export and erasure find it), with three differences that say where it came from:
its id is derived from its source (importing it again gives the same id), its history starts
with an `imported` entry naming the source, and the policy was not applied (`policyVersion`
"imported"; it was moderated where it came from).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from comments.domain.hmac_keys import HmacKeys
from comments.domain.ids import comment_id_at
from comments.domain.models import StoredComment, iso

IMPORTED_POLICY_VERSION = "imported"
#: The contract's limit on a display name; a longer imported one is cut to it.
NAME_LIMIT = 80
ANONYMOUS = "Anonymous"
_SOURCE_NAMES = {"disqus": "Disqus", "wordpress": "WordPress"}
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True)
class ImportedPost:
    """One comment as an export gives it, its article, parent and author already worked out
    (and so no email: `imported_author_id` has made the author id of it)."""

    source: str  # "disqus" | "wordpress"
    source_id: str  # unique within the source: Disqus's dsq:id, "<site>#<comment id>" for WordPress
    article_id: str
    parent_id: str | None  # the parent's comment id (as `imported_id` gives it), or None
    name: str
    body: str  # plain text already
    created_at: datetime
    status: Literal["published", "pending"]
    author_id: str


def imported_id(keys: HmacKeys, source: str, source_id: str, created_at: datetime) -> str:
    """A comment id as the service makes them (a ULID: sorted by time), with the time the
    comment was written and, instead of random bits, a keyed hash of its source and source id."""
    return comment_id_at(int(created_at.timestamp() * 1000), keys.imported_entropy(source, source_id))


def imported_author_id(
    keys: HmacKeys, source: str, source_id: str, email: str | None, identity: str | None
) -> str:
    """The author id a submission with the same email gets (so a ban, an export and an erasure
    by email find imported comments too); without an email, a keyed hash of the source's own
    identity of the author; without that either, one of the comment itself (an author of one)."""
    address = (email or "").strip()
    if "@" in address:
        return keys.author_id(address)
    return keys.imported_author_id(source, identity or f"comment:{source_id}")


def display_name(raw: str) -> str:
    """A source's name as the service shows names: no control or invisible characters, spaces
    collapsed, at most 80 characters, and never empty."""
    text = " ".join(_CONTROLS.sub(" ", unicodedata.normalize("NFC", raw)).split())
    return text[:NAME_LIMIT].rstrip() or ANONYMOUS


def held_at_source(source: str) -> dict[str, object]:
    """The reason a pending imported comment shows its moderators (it was never judged here)."""
    where = _SOURCE_NAMES.get(source, source)
    return {
        "rule": "imported",
        "verdict": "hold",
        "message": f"It was waiting for moderation on {where} when it was imported.",
        "field": "body",
        "spans": [],
    }


def imported_comment(keys: HmacKeys, post: ImportedPost, now: datetime) -> StoredComment:
    """The comment as the table stores it: no email, no IP, no edit token (its author cannot
    edit it here), the source named in its first history entry."""
    created = iso(post.created_at)
    return StoredComment(
        id=imported_id(keys, post.source, post.source_id, post.created_at),
        articleId=post.article_id,
        parentId=post.parent_id,
        name=display_name(post.name),
        body=post.body,
        createdAt=created,
        status=post.status,
        authorId=post.author_id,
        clientId="",
        verdict="publish" if post.status == "published" else "hold",
        hits=[] if post.status == "published" else [held_at_source(post.source)],
        policyVersion=IMPORTED_POLICY_VERSION,
        history=[
            {
                "at": iso(now),
                "event": "imported",
                "status": post.status,
                "source": post.source,
                "sourceId": post.source_id,
            }
        ],
    )
