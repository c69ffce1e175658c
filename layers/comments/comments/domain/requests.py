"""What clients send, validated: every request body the API accepts, in one place. Each field's
rule is a `constraints.TextRule` (or a pydantic bound) that its JSON Schema publishes as it is."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationInfo

from comments.domain.constraints import (
    BODY,
    EMAIL,
    EMAIL_MAX,
    NAME,
    PAGE_TITLE,
    PAGE_URL,
    free_text,
    origin,
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


def _page_url(value: str, info: ValidationInfo) -> str:
    """A canonical https URL of one of the site's pages: no credentials, no fragment, no spaces,
    on one of the origins the site allows (`origins` in the validation context: the template's
    AllowedOrigins; none given, none allowed)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if "@" in parts.netloc or origin(value) is None:
        raise ValueError("must be an https URL with a host and no credentials")
    allowed = {origin(o) for o in ((info.context or {}).get("origins") or ())}
    if origin(value) not in allowed:
        raise ValueError("must be a page of this site (on one of its allowed origins)")
    return value


class PageIn(BaseModel):
    """The embedding page a submission comes from: `"page": {"title", "url"}` (optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: text(PAGE_TITLE)  # type: ignore[valid-type]
    url: text(PAGE_URL, AfterValidator(_page_url))  # type: ignore[valid-type]


class CommentDraft(BaseModel):
    """A submission as a comment form sends it (POST .../comments and .../validate). Validate it
    with `context={"origins": [...]}` (the site's allowed origins) for `page` to be accepted."""

    # hide_input_in_errors: an error's text must never carry the email (logs, traces).
    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    name: text(NAME)  # type: ignore[valid-type]
    email: Email
    body: CommentBody
    parentId: StrictStr | None = None
    page: PageIn | None = None
    #: the form's hidden field (people never see it; robots fill it in): filled, the comment is
    #: held as spam. Never stored.
    honeypot: (
        Annotated[
            StrictStr,
            Field(
                max_length=2000,
                description=(
                    "The form's hidden field (people never see it; programs fill it in). Filled, the "
                    "comment is held for a moderator as spam; leave it out or empty. Never stored."
                ),
            ),
        ]
        | None
    ) = None

    @property
    def filled_honeypot(self) -> bool:
        return bool(self.honeypot and self.honeypot.strip())


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
    """POST /moderation/comments/{commentId}/release and .../renew"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    claim: StrictStr = Field(min_length=1, max_length=4096)


class ReopenIn(BaseModel):
    """POST /moderation/comments/{commentId}/reopen"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    note: text(free_text(max_length=2000)) | None = None  # type: ignore[valid-type]


class AuthorIn(BaseModel):
    """POST /moderation/authors/export and /erase: the author, by email."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)
    email: StrictStr = Field(min_length=1, max_length=EMAIL_MAX)
