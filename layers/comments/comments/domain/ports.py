"""What the domain needs from the outside world, as small protocols. The boto3 adapters
(`comments.adapters`) implement them in Lambda and in the operator tools; unit tests pass fakes."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from comments.domain.models import ArticlePage, ArticleSettings, Comment, StoredComment
from comments.domain.trust import AuthorRecord

if TYPE_CHECKING:
    from comments.domain.tallies import Tally


@dataclass(frozen=True)
class SubmissionState:
    """What the stored state says about a comment about to be stored or changed, read in one
    round trip: the article's settings, the author's ban, the duplicate marker, and what
    moderators' decisions say about the author."""

    settings: ArticleSettings
    banned: bool
    duplicate_of: str | None  # the comment this author's same text already is, within the window
    duplicate_marked_at: int | None = None  # when that marker was written (epoch seconds)
    stale_duplicate: str | None = None  # a marker whose comment was never stored: may be replaced
    page: ArticlePage | None = None  # the article's page (title and URL), as last stored
    author: AuthorRecord = field(default_factory=AuthorRecord)


class CommentStore(Protocol):
    """The comments table."""

    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None: ...

    def submission_state(
        self,
        article_id: str,
        author_id: str,
        fingerprint: str | None,
        now_epoch: int,
        also: str | None = None,
        older_author_ids: tuple[str, ...] = (),
    ) -> tuple[SubmissionState, dict[str, Any] | None]: ...

    def take_rate_token(self, scope: str, ident: str, now_epoch: int, limit: int) -> None: ...

    def mark_duplicate(
        self,
        author_id: str,
        fingerprint: str,
        comment_id: str,
        until_epoch: int,
        now_epoch: int,
        replacing: str | None = None,
    ) -> None: ...

    def insert(self, comment: StoredComment, receipt: dict[str, Any] | None = None) -> None: ...

    def open_article(self, article_id: str, at: str, page: ArticlePage | None = None) -> None: ...

    def article_page(self, article_id: str) -> ArticlePage | None: ...

    def move_queue_token(self, comment_id: str, old: str | None, new: str) -> bool: ...

    def lift_ban(self, author_id: str, comment_id: str) -> bool: ...

    def author_recent(self, author_id: str, limit: int) -> list[StoredComment]: ...

    def count_changes(self, changes: list[tuple[str, str, int]], now_epoch: int) -> list[str]: ...

    def apply_tallies(self, tallies: list[tuple[str, "Tally"]], now_epoch: int) -> Any: ...

    def policy_stats(self, days: list[str]) -> dict[str, dict[tuple[str, str], int]]: ...

    def forget_author(self, author_id: str) -> None: ...

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

    def decide(
        self, comment: StoredComment, status: str, entry: dict[str, Any], now: str
    ) -> StoredComment: ...

    def ban(self, author_id: str, until_epoch: int | None, entry: dict[str, Any]) -> None: ...

    def report(
        self,
        comment: StoredComment,
        client_id: str,
        reason: str,
        now: str,
        ttl: int,
        older_client_ids: tuple[str, ...] = (),
    ) -> int | None: ...

    def send_back(
        self, comment: StoredComment, threshold: int, hit: dict[str, Any], entry: dict[str, Any], now: str
    ) -> bool: ...

    def list_published(
        self, article_id: str, limit: int, after: dict[str, str] | None, newest_first: bool = False
    ) -> tuple[list[Comment], dict[str, str] | None]: ...

    def counts(self, article_ids: list[str]) -> dict[str, int]: ...

    def article_settings(self, article_id: str) -> ArticleSettings: ...

    def put_article_settings(self, article_id: str, settings: ArticleSettings) -> None: ...

    def author_comments(self, author_id: str) -> list[StoredComment]: ...

    def erase(self, comment: StoredComment, entry: dict[str, Any], now: str) -> StoredComment: ...

    def forget_duplicate_marker(self, author_id: str, fingerprint: str) -> None: ...


class Queue(Protocol):
    """An SQS queue: the moderation queue or its dead-letter queue. A received message is SQS's
    own shape (`Body`, `ReceiptHandle`, `MessageAttributes` as {name: {"StringValue": ...}})."""

    def send(self, body: str, attributes: dict[str, str] | None = None, delay_seconds: int = 0) -> str: ...
    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]: ...
    def delete(self, receipt_handle: str) -> bool: ...
    def depth(self) -> dict[str, int]: ...


class EventBus(Protocol):
    """The EventBridge bus for lifecycle events."""

    def publish(self, entry: dict[str, Any]) -> None: ...
