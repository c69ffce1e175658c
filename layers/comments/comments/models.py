"""The shapes the service speaks: what a comment form sends, what readers see, what is stored."""

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from comments.policy.model import Reason

Status = Literal["published", "pending", "rejected", "deleted", "erased"]

# Control characters (Unicode category Cc), lone surrogates (Cs) and the bidi embedding, override
# and isolate controls: invisible, and used to make text read differently from what is stored
# (Trojan Source). One regular expression, so a 2,000-character body is checked at C speed.
_OTHER_CONTROLS = r"\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL = re.compile(rf"[\x00-\x0a{_OTHER_CONTROLS}]")
_CONTROL_BUT_TAB_NEWLINE = re.compile(rf"[\x00-\x08{_OTHER_CONTROLS}]")


def _refuse_controls(value: str, pattern: re.Pattern[str]) -> str:
    if pattern.search(value):
        raise ValueError("must not contain control characters")
    return value


def _name(value: str) -> str:
    value = _refuse_controls(value, _ANY_CONTROL).strip()
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 80:
        raise ValueError("must be at most 80 characters")
    return value


def _body(value: str) -> str:
    value = _refuse_controls(value, _CONTROL_BUT_TAB_NEWLINE)
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _email(value: str) -> str:
    value = _refuse_controls(value, _ANY_CONTROL).strip()
    if len(value) > 254:
        raise ValueError("must be at most 254 characters")
    from email_validator import EmailNotValidError, validate_email  # lazy: only a submission pays

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("is not a valid email address") from None
    return value


def refuse_controls(value: str) -> str:
    """For free text other than a comment body: tab and newline allowed, other controls not."""
    return _refuse_controls(value, _CONTROL_BUT_TAB_NEWLINE)


CommentBody = Annotated[StrictStr, AfterValidator(_body)]


class CommentDraft(BaseModel):
    """A submission as a comment form sends it (POST .../comments and .../validate)."""

    # hide_input_in_errors: an error's text must never carry the email (logs, traces).
    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    name: Annotated[StrictStr, AfterValidator(_name)]
    email: Annotated[StrictStr, AfterValidator(_email)]
    body: CommentBody
    parentId: StrictStr | None = None


class DeleteIn(BaseModel):
    """DELETE /articles/{articleId}/comments/{commentId}"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    editToken: StrictStr = Field(min_length=1, max_length=200)


class EditIn(DeleteIn):
    """PATCH /articles/{articleId}/comments/{commentId}"""

    body: CommentBody


class Comment(BaseModel):
    """A comment as the public sees it: never the email, the IP, or any hash of them."""

    id: str
    articleId: str
    parentId: str | None = None
    name: str
    body: str
    createdAt: str
    status: Status


class PolicyRecord(BaseModel):
    """What the policy said when the comment was stored or last changed."""

    verdict: Literal["publish", "hold", "reject"]
    hits: list[dict[str, Any]] = Field(default_factory=list)
    policyVersion: str


class HeldMessage(BaseModel):
    """The moderation queue message (SQS body), exactly as the contract gives it."""

    type: Literal["comment.held"] = "comment.held"
    version: Literal[1] = 1
    comment: Comment
    reasons: list[Reason]
    policyVersion: str


def validation_details(exc: Any) -> list[dict[str, Any]]:
    """pydantic errors as contract `details`, without echoing the input (it may hold an email)."""
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        msg = str(err.get("msg", "invalid"))
        details.append(
            {
                "field": ".".join(str(p) for p in err.get("loc", ())) or "body",
                "message": msg.removeprefix("Value error, "),
                "type": err.get("type", "value_error"),
            }
        )
    return details


class ArticleSettings(BaseModel):
    """Per-article settings an operator sets: closed, every comment held first, auto-close."""

    closed: bool = False
    premoderation: bool = False
    auto_close_days: int | None = None
    opened_at: str | None = None  # ISO time of the article's first comment (for auto-close)


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

    def public(self) -> Comment:
        # The fields were validated as this model's; the public model has the same types.
        return Comment.model_construct(**self.model_dump(include=_PUBLIC_FIELDS))

    def reasons(self) -> list[Reason]:
        return [Reason(rule=h["rule"], message=h["message"]) for h in self.hits]
