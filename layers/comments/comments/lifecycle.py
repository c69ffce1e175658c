"""A comment's way in: assess a draft against the policy and the stored state, then store it.

Pure: storage comes in through the `CommentStore` protocol, time and identities through
`Submission`. No environment, no AWS, no clock of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from comments.errors import CommentsClosed, DuplicateComment, NotFound, PolicyViolation
from comments.models import ArticleSettings, Comment, CommentDraft, StoredComment

if TYPE_CHECKING:
    from comments.policy.model import Policy, Reason, Verdict

STATUS_FOR = {"publish": "published", "hold": "pending"}


@dataclass(frozen=True)
class SubmissionState:
    """What the stored state says about a submission, read in one round trip."""

    settings: ArticleSettings
    banned: bool
    duplicate_of: str | None  # the comment this author's same text already is, within the window


class CommentStore(Protocol):
    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None: ...
    def submission_state(
        self, article_id: str, author_id: str, fingerprint: str, now_epoch: int, also: str | None = None
    ) -> tuple[SubmissionState, dict[str, Any] | None]: ...
    def take_rate_token(self, scope: str, ident: str, now_epoch: int, limit: int) -> None: ...
    def insert(
        self,
        comment: StoredComment,
        fingerprint: str | None,
        duplicate_until: int,
        now_epoch: int,
        rate_limit_per_minute: int = 0,
        receipt: dict[str, Any] | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class Submission:
    article_id: str
    draft: CommentDraft
    author_id: str  # keyed hash of the email
    client_id: str  # keyed hash of API Gateway's sourceIp
    now: datetime

    @cached_property
    def fingerprint(self) -> str:
        """The body as the duplicate rule compares it: computed once per request."""
        from comments.policy.engine import duplicate_fingerprint

        return duplicate_fingerprint(self.draft.body)


def read_state(store: "CommentStore", sub: Submission, also: str | None = None) -> dict[str, Any] | None:
    """Read the submission's state (kept for the rest of the request) and, in the same round
    trip, the item `also` names (the idempotency record); returns that item, if there is one."""
    state, item = store.submission_state(
        sub.article_id, sub.author_id, sub.fingerprint, int(sub.now.timestamp()), also
    )
    sub.__dict__["_state"] = state
    return item


def _state(store: "CommentStore", sub: Submission) -> SubmissionState:
    """The article's settings, the author's ban and the duplicate marker: one read per request."""
    if "_state" not in sub.__dict__:
        read_state(store, sub)
    return sub.__dict__["_state"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Accepted:
    """A stored comment: published (201) or held for a moderator (202)."""

    comment: Comment
    reasons: list["Reason"]

    @property
    def held(self) -> bool:
        return self.comment.status == "pending"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_closed(settings: ArticleSettings, now: datetime) -> bool:
    if settings.closed:
        return True
    if settings.auto_close_days is not None and settings.opened_at:
        opened = datetime.fromisoformat(settings.opened_at.replace("Z", "+00:00"))
        return now >= opened + timedelta(days=settings.auto_close_days)
    return False


def _check_open_and_parent(store: CommentStore, sub: Submission) -> ArticleSettings:
    settings = _state(store, sub).settings
    if is_closed(settings, sub.now):
        raise CommentsClosed()
    if sub.draft.parentId is not None:
        parent = (
            store.get(sub.draft.parentId, consistent=False) if _plausible_id(sub.draft.parentId) else None
        )
        if parent is None or parent.status != "published" or parent.articleId != sub.article_id:
            raise NotFound()
    return settings


def _plausible_id(value: str) -> bool:
    from comments.ids import is_comment_id

    return is_comment_id(value)


def assess(policy: "Policy", store: CommentStore, sub: Submission, settings: ArticleSettings) -> "Verdict":
    """Every rule, stateless and stateful, reported together (reject > hold > publish)."""
    from comments.policy.engine import evaluate, stateful_hit

    verdict = evaluate(policy, body=sub.draft.body, name=sub.draft.name)
    extra = []
    rules = policy.rules
    state = _state(store, sub)
    if rules.banned_author.enabled and state.banned:
        extra.append(stateful_hit(policy, "banned_author"))
    if rules.duplicate.enabled and state.duplicate_of:
        extra.append(stateful_hit(policy, "duplicate"))
    if rules.premoderation.enabled and settings.premoderation:
        extra.append(stateful_hit(policy, "premoderation"))
    return verdict.with_hits(extra) if extra else verdict


def validate(policy: "Policy", store: CommentStore, sub: Submission) -> "Verdict":
    """What a submission would get, without storing or counting anything."""
    settings = _check_open_and_parent(store, sub)
    return assess(policy, store, sub, settings)


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
    epoch = int(sub.now.timestamp())
    verdict = assess(policy, store, sub, settings)
    if verdict.outcome == "reject":
        # A rejected submission counts toward the limits too (and a client over them hears 429,
        # not the reasons); a stored one takes its tokens in the transaction that stores it.
        _take_rate_tokens(store, sub, epoch, rate_limit_per_minute)
        raise PolicyViolation([r.model_dump() for r in verdict.reasons()])

    created = iso(sub.now)
    comment = StoredComment(
        id=comment_id,
        articleId=sub.article_id,
        parentId=sub.draft.parentId,
        name=sub.draft.name,
        body=sub.draft.body,
        createdAt=created,
        status=STATUS_FOR[verdict.outcome],  # type: ignore[arg-type]
        authorId=sub.author_id,
        clientId=sub.client_id,
        verdict=verdict.outcome,
        hits=[h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits],
        policyVersion=verdict.policy_version,
        editTokenHash=edit_token_hash,
        history=[{"at": created, "event": "submitted", "status": STATUS_FOR[verdict.outcome]}],
    )
    window = epoch + policy.duplicate_window_hours * 3600
    accepted = Accepted(comment=comment.public(), reasons=verdict.reasons())
    try:
        fingerprint = sub.fingerprint if policy.rules.duplicate.enabled else None
        store.insert(
            comment,
            fingerprint,
            window,
            epoch,
            rate_limit_per_minute,
            receipt(accepted) if receipt is not None else None,
        )
    except DuplicateComment:
        # Two identical submissions raced past the read above; the marker's condition caught it.
        # The cancelled transaction took no rate tokens: take them as a rejection does.
        _take_rate_tokens(store, sub, epoch, rate_limit_per_minute)
        dup = stateful_hit(policy, "duplicate")
        raise PolicyViolation(
            [*(r.model_dump() for r in verdict.reasons()), dup.reason().model_dump()]
        ) from None
    return accepted


def _take_rate_tokens(store: CommentStore, sub: Submission, epoch: int, limit: int) -> None:
    """One token from the client's and one from the author's window, for a submission that is
    not stored (a stored one takes them in its transaction)."""
    if limit > 0:
        store.take_rate_token("client", sub.client_id, epoch, limit)
        store.take_rate_token("author", sub.author_id, epoch, limit)
