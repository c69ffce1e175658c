"""Domain errors. One exception handler per function maps them to the contract's HTTP bodies."""

from typing import Any


class CommentError(Exception):
    """Base of every error a client may see: `status`, and a body `{"error": code}` with an
    optional `message` and the error's own fields; `Retry-After` when it says when to retry."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str | None = None, retry_after: int | None = None, **fields: Any) -> None:
        super().__init__(message or self.code)
        self.message = message
        self.retry_after = retry_after
        self.fields = fields

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code}
        if self.message is not None:
            body["message"] = self.message
        return {**body, **self.fields}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


class BadRequest(CommentError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ValidationFailed(CommentError):
    status = 422
    code = "validation_error"

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__(details=details)
        self.details = details


class PolicyViolation(CommentError):
    status = 422
    code = "policy_violation"

    def __init__(self, violations: list[dict[str, str]]) -> None:
        super().__init__(violations=violations)
        self.violations = violations


class Forbidden(CommentError):
    status = 403
    code = "forbidden"


class EditWindowClosed(CommentError):
    status = 403
    code = "edit_window_closed"


class CommentsClosed(CommentError):
    status = 403
    code = "comments_closed"


class NotFound(CommentError):
    status = 404
    code = "not_found"


class AlreadyDecided(CommentError):
    status = 409
    code = "already_decided"


class ClaimExpired(CommentError):
    """A claim that is no longer the comment's live one: it lapsed and another moderator claimed
    the comment, or it was given back."""

    status = 409
    code = "claim_expired"


class NotDecided(CommentError):
    """Reopen: the comment is not one a moderator decided (pending, deleted, erased, or
    published by the policy without a moderator)."""

    status = 409
    code = "not_decided"


class IdempotencyConflict(CommentError):
    status = 409
    code = "idempotency_conflict"

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message, retry_after)


class PayloadTooLarge(CommentError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(CommentError):
    """A request that carries a body in anything but JSON (a cross-site form could send it
    without a CORS preflight)."""

    status = 415
    code = "unsupported_media_type"


class RateLimited(CommentError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=max(1, retry_after))


class Unauthorized(CommentError):
    status = 401
    code = "unauthorized"


class ServiceUnavailable(CommentError):
    """Storage is throttled or unreachable: nothing was written, the client may retry."""

    status = 503
    code = "service_unavailable"

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("Please try again in a moment.", retry_after)


class DuplicateComment(Exception):
    """Storage found the same author's same text within the window (by a write condition)."""


class RequestAlreadyStored(Exception):
    """The comment's put found its id taken: another invocation with the same Idempotency-Key
    stored the comment first, and the caller replays that answer."""

    def __init__(self) -> None:
        super().__init__("request already stored")
