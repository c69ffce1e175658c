"""What clients send, validated: every request body the API accepts, in one place."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationInfo

from comments.domain.models import PAGE_TITLE_MAX, PAGE_URL_MAX

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
Email = Annotated[StrictStr, AfterValidator(_email)]
FreeText = Annotated[StrictStr, AfterValidator(refuse_controls)]


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, lower case, without the scheme's default port; None for
    anything that is not an absolute http(s) URL with a host."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{parts.hostname}" + (f":{port}" if port not in (None, default) else "")


def _page_title(value: str) -> str:
    value = _refuse_controls(value, _ANY_CONTROL).strip()
    if not value:
        raise ValueError("must not be empty")
    if len(value) > PAGE_TITLE_MAX:
        raise ValueError(f"must be at most {PAGE_TITLE_MAX} characters")
    return value


def _page_url(value: str, info: ValidationInfo) -> str:
    """A canonical https URL of one of the site's pages: no credentials, no fragment, no spaces,
    on one of the origins the site allows (`origins` in the validation context: the template's
    AllowedOrigins; none given, none allowed)."""
    from urllib.parse import urlsplit

    if len(value) > PAGE_URL_MAX:
        raise ValueError(f"must be at most {PAGE_URL_MAX} characters")
    if _ANY_CONTROL.search(value) or any(ch.isspace() for ch in value) or "#" in value:
        raise ValueError("must be a canonical URL (no spaces, control characters or #fragment)")
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError("must be an https URL")
    if "@" in parts.netloc or origin(value) is None:
        raise ValueError("must be an https URL with a host and no credentials")
    allowed = {origin(o) for o in ((info.context or {}).get("origins") or ())}
    if origin(value) not in allowed:
        raise ValueError("must be a page of this site (on one of its allowed origins)")
    return value


class PageIn(BaseModel):
    """The embedding page a submission comes from: `"page": {"title", "url"}` (optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[StrictStr, AfterValidator(_page_title)]
    url: Annotated[StrictStr, AfterValidator(_page_url)]


class CommentDraft(BaseModel):
    """A submission as a comment form sends it (POST .../comments and .../validate). Validate it
    with `context={"origins": [...]}` (the site's allowed origins) for `page` to be accepted."""

    # hide_input_in_errors: an error's text must never carry the email (logs, traces).
    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    name: Annotated[StrictStr, AfterValidator(_name)]
    email: Email
    body: CommentBody
    parentId: StrictStr | None = None
    page: PageIn | None = None


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
    reason: Annotated[FreeText, Field(min_length=1, max_length=500)]


class DecisionIn(BaseModel):
    """POST /moderation/comments/{commentId}/decision"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    decision: Literal["approve", "reject"]
    note: Annotated[FreeText, Field(max_length=2000)] | None = None
    claim: StrictStr | None = Field(default=None, max_length=4096)
    banAuthor: StrictBool = False
    banDays: int | None = Field(default=None, ge=1, le=3650)


class ReleaseIn(BaseModel):
    """POST /moderation/comments/{commentId}/release and .../renew"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    claim: StrictStr = Field(min_length=1, max_length=4096)


class ReopenIn(BaseModel):
    """POST /moderation/comments/{commentId}/reopen"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    note: Annotated[FreeText, Field(max_length=2000)] | None = None


class AuthorIn(BaseModel):
    """POST /moderation/authors/export and /erase: the author, by email."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)
    email: StrictStr = Field(min_length=1, max_length=254)
