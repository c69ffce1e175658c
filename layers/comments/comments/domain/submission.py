"""A comment's way in: judge a draft by the policy and the stored state, then store it.

Pure: storage comes in through the `CommentStore` port, time and identities through
`Submission`. No environment, no AWS, no clock of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from comments.domain.errors import CommentsClosed, DuplicateComment, NotFound, PolicyViolation
from comments.domain.ids import is_comment_id
from comments.domain.models import ArticleSettings, Comment, StoredComment, iso
from comments.domain.ports import CommentStore, SubmissionState
from comments.domain.requests import CommentDraft
from comments.domain.stateful_rules import judge, stored_hits

if TYPE_CHECKING:
    from comments.policy.model import Policy, Reason, Verdict

STATUS_FOR = {"publish": "published", "hold": "pending"}


@dataclass
class Submission:
    """One submission: the draft, who sent it (keyed hashes only) and when. The stored state it
    is judged against is read once per request (`state`), possibly by the idempotency receipt's
    read, which fetches it in the same round trip as the request's record."""

    article_id: str
    draft: CommentDraft
    author_id: str  # keyed hash of the email (the service secret's current key version)
    client_id: str  # keyed hash of API Gateway's sourceIp
    now: datetime
    # The same author under the secret's older key versions: their bans and duplicate markers
    # still count (read in the same round trip); empty until the secret has been rotated.
    older_author_ids: tuple[str, ...] = ()
    _state: SubmissionState | None = field(default=None, repr=False)
    _fingerprint: str | None = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        """The body as the duplicate rule compares it: computed once per request."""
        if self._fingerprint is None:
            from comments.policy.engine import duplicate_fingerprint

            self._fingerprint = duplicate_fingerprint(self.draft.body)
        return self._fingerprint

    @property
    def epoch(self) -> int:
        return int(self.now.timestamp())

    def read_state(self, store: CommentStore, also: str | None = None) -> dict[str, Any] | None:
        """Read the stored state (kept for the rest of the request) and, in the same round trip,
        the item `also` names (the idempotency record); returns that item, if there is one."""
        self._state, item = store.submission_state(
            self.article_id, self.author_id, self.fingerprint, self.epoch, also, self.older_author_ids
        )
        return item

    def state(self, store: CommentStore) -> SubmissionState:
        if self._state is None:
            self.read_state(store)
        assert self._state is not None
        return self._state


@dataclass(frozen=True)
class Accepted:
    """A stored comment: published (201) or held for a moderator (202)."""

    comment: Comment
    reasons: list["Reason"]

    @property
    def held(self) -> bool:
        return self.comment.status == "pending"


def _check_open_and_parent(store: CommentStore, sub: Submission) -> ArticleSettings:
    settings = sub.state(store).settings
    if settings.is_closed(sub.now):
        raise CommentsClosed()
    parent_id = sub.draft.parentId
    if parent_id is not None:
        parent = store.get(parent_id, consistent=False) if is_comment_id(parent_id) else None
        if parent is None or parent.status != "published" or parent.articleId != sub.article_id:
            raise NotFound()
    return settings


def _judge(policy: "Policy", store: CommentStore, sub: Submission) -> "Verdict":
    return judge(policy, sub.state(store), body=sub.draft.body, name=sub.draft.name)


def validate(policy: "Policy", store: CommentStore, sub: Submission) -> "Verdict":
    """What a submission would get, without storing or counting anything."""
    _check_open_and_parent(store, sub)
    return _judge(policy, store, sub)


def submit(
    policy: "Policy",
    store: CommentStore,
    sub: Submission,
    *,
    comment_id: str,
    edit_token_hash: str,
    rate_limit_per_minute: int,
    receipt: Callable[[Accepted], dict[str, Any] | None] | None = None,
) -> Accepted:
    """Store a comment the policy lets in, or raise the contract's error for it. `receipt` gives
    what the idempotent request's record is, to be stored in the same transaction."""
    from comments.policy.engine import stateful_hit

    settings = _check_open_and_parent(store, sub)
    epoch = sub.epoch
    verdict = _judge(policy, store, sub)
    if verdict.outcome == "reject":
        # A rejected submission counts toward the limits too (and a client over them hears 429,
        # not the reasons); a stored one takes its tokens in the transaction that stores it.
        _take_rate_tokens(store, sub, rate_limit_per_minute)
        raise PolicyViolation([r.model_dump() for r in verdict.reasons()])

    created = iso(sub.now)
    status = STATUS_FOR[verdict.outcome]
    comment = StoredComment(
        id=comment_id,
        articleId=sub.article_id,
        parentId=sub.draft.parentId,
        name=sub.draft.name,
        body=sub.draft.body,
        createdAt=created,
        status=status,  # type: ignore[arg-type]
        authorId=sub.author_id,
        clientId=sub.client_id,
        verdict=verdict.outcome,
        hits=stored_hits(verdict),
        policyVersion=verdict.policy_version,
        editTokenHash=edit_token_hash,
        history=[{"at": created, "event": "submitted", "status": status}],
    )
    window = epoch + policy.duplicate_window_hours * 3600
    accepted = Accepted(comment=comment.public(), reasons=verdict.reasons())
    try:
        store.insert(
            comment,
            sub.fingerprint if policy.rules.duplicate.enabled else None,
            window,
            epoch,
            rate_limit_per_minute,
            receipt(accepted) if receipt is not None else None,
            # The article's first comment records when it opened (for auto-close).
            open_article=settings.opened_at is None,
        )
    except DuplicateComment:
        # Two identical submissions raced past the read above; the marker's condition caught it.
        # The cancelled transaction took no rate tokens: take them as a rejection does.
        _take_rate_tokens(store, sub, rate_limit_per_minute)
        dup = stateful_hit(policy, "duplicate")
        raise PolicyViolation(
            [*(r.model_dump() for r in verdict.reasons()), dup.reason().model_dump()]
        ) from None
    return accepted


def _take_rate_tokens(store: CommentStore, sub: Submission, limit: int) -> None:
    """One token from the client's and one from the author's window, for a submission that is
    not stored (a stored one takes them in its transaction)."""
    if limit > 0:
        store.take_rate_token("client", sub.client_id, sub.epoch, limit)
        store.take_rate_token("author", sub.author_id, sub.epoch, limit)
