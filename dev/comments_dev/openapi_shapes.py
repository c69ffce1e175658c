"""The contract's response and error shapes, for the OpenAPI document (`openapi.py`). Closed
models: a response with any other field does not conform. Nothing here runs in Lambda."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(_Closed):
    rule: str
    message: str


class Comment(_Closed):
    """Public: never the email, the IP, or any hash of them."""

    id: str
    articleId: str
    parentId: str | None
    name: str
    body: str
    createdAt: str
    status: Literal["published", "pending", "rejected", "deleted", "erased"]


class Published(_Closed):
    status: Literal["published"]
    comment: Comment
    editToken: str


class Pending(_Closed):
    status: Literal["pending"]
    comment: Comment
    reasons: list[Reason]
    editToken: str


class CheckResult(_Closed):
    verdict: Literal["publish", "hold", "reject"]
    reasons: list[Reason]


class CommentPage(_Closed):
    articleId: str
    comments: list[Comment]
    nextCursor: str | None


class CommentCounts(_Closed):
    counts: dict[str, int]


class Received(_Closed):
    status: Literal["received"]


class Edited(_Closed):
    status: Literal["published", "pending"]
    comment: Comment


class ClaimedItem(_Closed):
    claim: str
    comment: Comment
    reasons: list[Reason]


class Claimed(_Closed):
    items: list[ClaimedItem]
    claimSeconds: int = Field(description="How long each claim lasts unless renewed.")


class Renewed(_Closed):
    claim: str
    claimSeconds: int


class QueueCounts(_Closed):
    waiting: int
    claimed: int


class Depth(_Closed):
    queue: QueueCounts
    deadLetters: QueueCounts


class DecisionOut(_Closed):
    comment: Comment


class Released(_Closed):
    released: bool = Field(description="False when there was nothing to give back.")


class Reopened(_Closed):
    comment: Comment
    banLifted: bool


class ArticleContext(_Closed):
    id: str
    title: str | None = Field(description="The page's title, as the widget last sent it.")
    url: str | None


class EarlierText(_Closed):
    at: str | None
    previousBody: str
    status: str | None


class AuthorCounts(_Closed):
    comments: int
    published: int
    pending: int
    approved: int
    rejected: int
    reported: int


class AuthorComment(_Closed):
    id: str
    articleId: str
    createdAt: str
    status: str
    body: str
    clipped: bool
    reports: int
    decisions: list[dict[str, Any]]


class AuthorHistory(_Closed):
    name: str
    recent: list[AuthorComment] = Field(description="The author's latest 20 other comments, newest first.")
    counts: AuthorCounts
    counted: int
    window: int


class CommentDetail(BaseModel):
    comment: Comment
    reasons: list[Reason]
    hits: list[dict[str, Any]]
    policyVersion: str
    history: list[dict[str, Any]]
    article: ArticleContext
    parent: Comment | None
    edits: list[EarlierText]
    author: AuthorHistory


class DeadLetters(BaseModel):
    items: list[dict[str, Any]]


class Moved(_Closed):
    moved: int


class SettingsOut(BaseModel):
    articleId: str
    settings: dict[str, Any]


class RuleStatsOut(_Closed):
    rule: str
    held: int
    approved: int
    rejected: int
    approvedShare: float | None = Field(
        description="approved / (approved + rejected); None before any decision"
    )


class PolicyStats(_Closed):
    """Per rule, over the last `days` days (UTC): the comments it held, and how many of those
    moderators approved and rejected (a decision counts on the day its comment was held)."""

    days: int
    from_: str = Field(alias="from")
    to: str
    rules: list[RuleStatsOut]


class Exported(_Closed):
    comments: list[Comment]


class Erased(_Closed):
    erased: int


# -- errors: always JSON with an `error` code, never a stack trace ------------------------------
class BadRequestBody(_Closed):
    error: Literal["bad_request"]
    message: str


class Detail(_Closed):
    field: str
    message: str
    type: str


class ValidationErrorBody(_Closed):
    error: Literal["validation_error"]
    details: list[Detail]


class PolicyViolationBody(_Closed):
    error: Literal["policy_violation"]
    violations: list[Reason] = Field(min_length=1)


class Unprocessable(RootModel[ValidationErrorBody | PolicyViolationBody]):
    pass


def _error(*codes: str, message: bool = False) -> type[BaseModel]:
    fields: dict[str, Any] = {"error": (Literal[codes], ...)}  # type: ignore[valid-type]
    if message:
        fields["message"] = (str, ...)
    from pydantic import create_model

    name = "".join(c.title().replace("_", "") for c in codes) + "Error"
    return create_model(name, __base__=_Closed, **fields)


UnsupportedMediaType = _error("unsupported_media_type")
NotFound = _error("not_found")
Unauthorized = _error("unauthorized")
Forbidden = _error("forbidden")
AuthorForbidden = _error("forbidden", "edit_window_closed")
CommentsClosed = _error("comments_closed")
IdempotencyConflict = _error("idempotency_conflict", message=True)
AlreadyDecided = _error("already_decided")
RenewConflict = _error("already_decided", "claim_expired")
NotDecided = _error("not_decided")
PayloadTooLarge = _error("payload_too_large")
RateLimited = _error("rate_limited")
Unavailable = _error("service_unavailable", message=True)
