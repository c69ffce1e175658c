"""What clients send, validated: every request body the API accepts, in one place."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr

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


class CommentDraft(BaseModel):
    """A submission as a comment form sends it (POST .../comments and .../validate)."""

    # hide_input_in_errors: an error's text must never carry the email (logs, traces).
    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    name: Annotated[StrictStr, AfterValidator(_name)]
    email: Email
    body: CommentBody
    parentId: StrictStr | None = None
    #: the form's hidden field (people never see it; robots fill it in): filled, the comment is
    #: held as spam. Never stored.
    honeypot: Annotated[StrictStr, Field(max_length=2000)] | None = None

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
    """POST /moderation/comments/{commentId}/release"""

    model_config = ConfigDict(extra="ignore", frozen=True)
    claim: StrictStr = Field(min_length=1, max_length=4096)


class AuthorIn(BaseModel):
    """POST /moderation/authors/export and /erase: the author, by email."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)
    email: StrictStr = Field(min_length=1, max_length=254)
