"""A comment's way in: judge a draft by the policy and the stored state, then store it.

Pure: storage comes in through the `CommentStore` port, time and identities through
`Submission`. No environment, no AWS, no clock of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from comments.domain.errors import CommentsClosed, DuplicateComment, NotFound, PolicyViolation
from comments.domain.ids import is_comment_id
from comments.domain.models import ArticlePage, ArticleSettings, Comment, StoredComment, iso
from comments.domain.ports import CommentStore, SubmissionState
from comments.domain.requests import CommentDraft
from comments.domain.stateful_rules import decide, stored_hits

if TYPE_CHECKING:
    from comments.domain.classifiers import Screen, Screened, Sender
    from comments.policy.model import Policy, Reason, Verdict

STATUS_FOR = {"publish": "published", "hold": "pending"}
#: A duplicate marker whose comment is missing this long after it was written belongs to a
#: submission that stopped between its two writes (the function's timeout is 10 s): stale.
STALE_MARKER_SECONDS = 30


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
    #: the id the comment will have: derived from the request's Idempotency-Key when it has one
    #: (so a retry names the same comment), else new
    comment_id: str
    # The same author under the secret's older key versions: their bans and duplicate markers
    # still count (read in the same round trip); empty until the secret has been rotated.
    older_author_ids: tuple[str, ...] = ()
    #: the client's IP and User-Agent, for a classifier that asks for them: never stored
    sender: "Sender | None" = field(default=None, repr=False)
    _state: SubmissionState | None = field(default=None, repr=False)
    _engine: "Verdict | None" = field(default=None, repr=False)
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

    def forget_state(self) -> None:
        """Read the stored state again on next use (another request changed it)."""
        self._state = None

    def state(self, store: CommentStore) -> SubmissionState:
        """The stored state, with the duplicate marker judged: a marker this submission wrote
        itself (a retry) or one whose comment was never stored does not make it a duplicate."""
        if self._state is None:
            self.read_state(store)
        state = self._state
        assert state is not None
        marker = state.duplicate_of
        if marker is not None and (marker == self.comment_id or self._stale(store, state)):
            state = self._state = replace(
                state, duplicate_of=None, stale_duplicate=marker if marker != self.comment_id else None
            )
        return state

    def _stale(self, store: CommentStore, state: SubmissionState) -> bool:
        marked = state.duplicate_marked_at or 0
        if marked == 0 or self.epoch - marked < STALE_MARKER_SECONDS:
            return False  # written with its comment (an old marker), or by a submission in flight
        assert state.duplicate_of is not None
        return store.get(state.duplicate_of) is None


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


def _judge(
    policy: "Policy",
    store: CommentStore,
    sub: Submission,
    screened: "Screened | None" = None,
    honeypot: bool = True,
) -> "Verdict":
    """Every rule (`stateful_rules`), the engine's reading of the text done once per request."""
    if sub._engine is None or sub._engine.policy_version != policy.version:
        from comments.policy.engine import evaluate

        sub._engine = evaluate(policy, body=sub.draft.body, name=sub.draft.name)
    return decide(
        policy,
        sub.state(store),
        sub._engine,
        now_epoch=sub.epoch,
        honeypot=honeypot and sub.draft.filled_honeypot,
        screened=screened,
    )


def _screened(screen: "Screen", sub: Submission, created: str) -> "Screened":
    from comments.domain.classifiers import Sender, ToScreen  # only with a classifier configured

    return screen.screen(
        ToScreen(
            article_id=sub.article_id,
            comment_id=sub.comment_id,
            body=sub.draft.body,
            name=sub.draft.name,
            sender=sub.sender or Sender(ip=""),
            created_at=created,
        )
    )


def validate(policy: "Policy", store: CommentStore, sub: Submission) -> "Verdict":
    """What a submission would get, without storing or counting anything (nor asking the
    classifiers: they are paid per call, and a form checking as the writer types must not
    become a free spam oracle). The honeypot is not looked at either: a program probing the
    check must not learn which field is the trap."""
    _check_open_and_parent(store, sub)
    return _judge(policy, store, sub, honeypot=False)


def submit(
    policy: "Policy",
    store: CommentStore,
    sub: Submission,
    *,
    edit_token_hash: str,
    rate_limit_per_minute: int,
    receipt: Callable[[Accepted], dict[str, Any] | None] | None = None,
    screen: "Screen | None" = None,
) -> Accepted:
    """Store a comment the policy lets in, or raise the contract's error for it. `receipt` gives
    the idempotent request's record, stored on the comment itself. `screen`: the configured
    classifiers, asked about a comment the rules let in once its rate tokens are taken (a client
    over its limit cannot make the service call them); a classifier that fails or runs out of
    time says nothing, and the rules alone decide.

    The writes, in this order, each a single conditional write (no transaction):
    1. a token from the client's and the author's rate windows (every judged submission: a
       rejected one counts too, and a client over the limit hears 429, not the reasons);
    2. the duplicate marker (unless the rule is off): a live marker naming another comment makes
       this a duplicate, so of two identical texts racing only one gets past here;
    3. for an article's first comment, when it opened (and the page it is on, whenever that is
       new or changed);
    4. the comment, with its receipt: the only write a reader or moderator can see, and the last.
    A stop between any two leaves nothing visible: tokens taken count as the submission they
    were; a marker without its comment is replaced by a retry (same comment id) or, once stale,
    by anyone; an article opened a moment before its first comment is stored is harmless."""
    from comments.policy.engine import stateful_hit

    settings = _check_open_and_parent(store, sub)
    epoch = sub.epoch
    verdict = _judge(policy, store, sub)
    _take_rate_tokens(store, sub, rate_limit_per_minute)
    if verdict.outcome == "reject":
        raise PolicyViolation([r.model_dump() for r in verdict.reasons()])

    created = iso(sub.now)
    screened = _screened(screen, sub, created) if screen is not None else None
    if screened is not None and screened.findings:
        verdict = _judge(policy, store, sub, screened)
        if verdict.outcome == "reject":  # an operator may make a classifier's rule reject
            raise PolicyViolation([r.model_dump() for r in verdict.reasons()])
    status = STATUS_FOR[verdict.outcome]
    comment = StoredComment(
        id=sub.comment_id,
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
        classifiers=screened.kept() if screened is not None else None,
    )
    accepted = Accepted(comment=comment.public(), reasons=verdict.reasons())
    if policy.rules.duplicate.enabled:
        until = epoch + policy.duplicate_window_hours * 3600
        replacing = sub.state(store).stale_duplicate
        try:
            store.mark_duplicate(sub.author_id, sub.fingerprint, sub.comment_id, until, epoch, replacing)
        except DuplicateComment:
            # The same text raced past the read above; the marker's condition caught it.
            dup = stateful_hit(policy, "duplicate")
            raise PolicyViolation(
                [*(r.model_dump() for r in verdict.reasons()), dup.reason().model_dump()]
            ) from None
    # The article's page, as the widget says it is: written with the article's first comment, or
    # when it changed (a typical submission, on an article already open, writes nothing here).
    page = ArticlePage(title=sub.draft.page.title, url=sub.draft.page.url) if sub.draft.page else None
    new_page = page if page is not None and page != sub.state(store).page else None
    if settings.opened_at is None or new_page is not None:
        store.open_article(sub.article_id, created, new_page)
    store.insert(comment, receipt(accepted) if receipt is not None else None)
    return accepted


def _take_rate_tokens(store: CommentStore, sub: Submission, limit: int) -> None:
    """One token from the client's and one from the author's window."""
    if limit > 0:
        store.take_rate_token("client", sub.client_id, sub.epoch, limit)
        store.take_rate_token("author", sub.author_id, sub.epoch, limit)
