"""The shapes of a comment's life: what readers see, what is stored, what the queue carries, and
an article's settings. What clients send is in `requests`."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from comments.domain.constraints import PAGE_TITLE, PAGE_URL, TIME, text, whole_number
from comments.policy.model import Reason

Status = Literal["published", "pending", "rejected", "deleted", "erased"]


def iso(moment: datetime) -> str:
    """A time as the service writes it: ISO 8601 UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Comment(BaseModel):
    """A comment as the public sees it: never the email, the IP, or any hash of them."""

    id: str
    articleId: str
    parentId: str | None = None
    name: str
    body: str
    createdAt: str
    status: Status


_PUBLIC_FIELDS: set[str] = set(Comment.model_fields)


class StoredComment(Comment):
    """A comment as DynamoDB holds it: the public fields plus what moderation needs."""

    model_config = ConfigDict(hide_input_in_errors=True)

    # Empty once the author is erased (the right to be forgotten).
    authorId: str = ""
    clientId: str = ""
    verdict: Literal["publish", "hold", "reject"]
    hits: list[dict[str, Any]] = Field(default_factory=list)
    policyVersion: str
    editTokenHash: str = ""
    updatedAt: str | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)
    #: while pending: which of the comment's queue messages is the live one (moderation.claim_next);
    #: None for the message the relay queued when it became pending
    queueToken: str | None = None
    #: distinct readers who reported it (the reports' own count, moved by `report`)
    reports: int | None = None
    #: what each configured classifier said of it (Akismet's "spam"/"ham"), for the feedback a
    #: moderator's decision sends back; None when no classifier was asked
    classifiers: dict[str, str] | None = None

    def public(self) -> Comment:
        # The fields were validated as this model's; the public model has the same types.
        return Comment.model_construct(**self.model_dump(include=_PUBLIC_FIELDS))

    def reasons(self) -> list[Reason]:
        return [Reason(rule=h["rule"], message=h["message"]) for h in self.hits]


class HeldMessage(BaseModel):
    """The moderation queue message (SQS body), exactly as the contract gives it."""

    type: Literal["comment.held"] = "comment.held"
    version: Literal[1] = 1
    comment: Comment
    reasons: list[Reason]
    policyVersion: str


def _utc_time(value: str) -> str:
    """An ISO 8601 time with its offset, written back as UTC (`...Z`); a time without an offset
    is refused rather than guessed."""
    try:
        moment = parse_iso(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 time such as 2026-11-28T09:00:00Z") from None
    if moment.tzinfo is None:
        raise ValueError("must say its offset from UTC (for example Z or +01:00)")
    return iso(moment)


class ArticleSettings(BaseModel):
    """Per-article settings an operator sets: closed, every comment held first, auto-close, new
    writers held first.

    Validated when written (`PUT /moderation/articles/{id}`), and read back field by field
    (`from_stored`), so that no stored value can make a later request fail."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    closed: StrictBool = False
    premoderation: StrictBool = False
    #: closed this many days after `opened_at`
    auto_close_days: whole_number(1, 3650) | None = None  # type: ignore[valid-type]
    #: when the article opened for comments: its first stored comment, unless the operator says
    opened_at: Annotated[StrictStr, AfterValidator(TIME.check), TIME, AfterValidator(_utc_time)] | None = None
    #: this article's `new_author` threshold (approved comments before a writer's appear
    #: straight away; 0 = off here), instead of the policy's; None: the policy's
    newAuthorPremoderation: whole_number(0, 1000) | None = None  # type: ignore[valid-type]

    @classmethod
    def from_stored(cls, values: dict[str, Any] | None) -> "ArticleSettings":
        """The settings in a stored item; a field that does not validate (written by hand, or by
        an older version) is left at its default instead of failing every request."""
        if not values:
            return cls()
        known = {k: v for k, v in values.items() if k in cls.model_fields}
        try:
            return cls.model_validate(known)
        except ValidationError:
            good = {}
            for key, value in known.items():
                try:
                    cls.model_validate({key: value})
                except ValidationError:
                    continue
                good[key] = value
            return cls.model_validate(good)

    def is_closed(self, now: datetime) -> bool:
        if self.closed:
            return True
        if self.auto_close_days is not None and self.opened_at:
            return now >= parse_iso(self.opened_at) + timedelta(days=self.auto_close_days)
        return False


class ArticlePage(BaseModel):
    """What the embedding page said it is (its title and canonical URL), kept per article so that
    moderators see what a comment is about. Validated on the way in (`requests.PageIn`) and read
    back through `from_stored`, so a stored value never exceeds these bounds."""

    model_config = ConfigDict(frozen=True)

    title: text(PAGE_TITLE)  # type: ignore[valid-type]
    url: text(PAGE_URL)  # type: ignore[valid-type]

    @classmethod
    def from_stored(cls, value: Any) -> "ArticlePage | None":
        """The stored page, or None when there is none or it does not validate."""
        if not isinstance(value, dict):
            return None
        try:
            return cls.model_validate({"title": value.get("title"), "url": value.get("url")})
        except ValidationError:
            return None
