"""What clients send, validated: every request body the API accepts, in one place. Each field's
rule is a `constraints.TextRule` (or a pydantic bound) that its JSON Schema publishes as it is."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr

from comments.domain.constraints import (
    BODY,
    EMAIL,
    EMAIL_MAX,
    NAME,
    free_text,
    text,
    whole_number,
)


def _email(value: str) -> str:
    # email-validator as a second opinion: the pattern accepts nothing it refuses (tested), and
    # it still catches whatever the pattern might let through.
    from email_validator import EmailNotValidError, validate_email  # lazy: only a submission pays

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("is not a valid email address") from None
    return value


CommentBody: Any = text(BODY)
Email: Any = text(EMAIL, AfterValidator(_email))


class CommentDraft(BaseModel):
    """A submission as a comment form sends it (POST .../comments and .../validate)."""

    # hide_input_in_errors: an error's text must never carry the email (logs, traces).
    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    name: text(NAME)  # type: ignore[valid-type]
    email: Email
    body: CommentBody
    parentId: StrictStr | None = None


class DeleteIn(BaseModel):
    """DELETE /articles/{articleId}/comments/{commentId}"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    editToken: StrictStr = Field(min_length=1, max_length=200)


class EditIn(DeleteIn):
    """PATCH /articles/{articleId}/comments/{commentId}"""

    body: CommentBody


class ReportIn(BaseModel):
    """POST /articles/{articleId}/comments/{commentId}/reports"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    reason: text(free_text(1, 500))  # type: ignore[valid-type]


class DecisionIn(BaseModel):
    """POST /moderation/comments/{commentId}/decision"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    decision: Literal["approve", "reject"]
    note: text(free_text(max_length=2000)) | None = None  # type: ignore[valid-type]
    # A claim is a value this service signed (GET /moderation/queue); an empty one never is.
    claim: Annotated[StrictStr, Field(min_length=1, max_length=4096)] | None = None
    banAuthor: StrictBool = False
    banDays: whole_number(1, 3650) | None = None  # type: ignore[valid-type]


class ReleaseIn(BaseModel):
    """POST /moderation/comments/{commentId}/release"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    claim: StrictStr = Field(min_length=1, max_length=4096)


class AuthorIn(BaseModel):
    """POST /moderation/authors/export and /erase: the author, by email."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)
    email: StrictStr = Field(min_length=1, max_length=EMAIL_MAX)
