"""Domain errors. One exception handler per function maps them to the contract's HTTP bodies."""

from typing import Any


class CommentError(Exception):
    """Base of every error a client may see. `status` and `body()` follow the contract."""

    status = 400
    code = "bad_request"

    def body(self) -> dict[str, Any]:
        return {"error": self.code}

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(CommentError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}


class ValidationFailed(CommentError):
    status = 422
    code = "validation_error"

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("validation failed")
        self.details = details

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "details": self.details}


class PolicyViolation(CommentError):
    status = 422
    code = "policy_violation"

    def __init__(self, violations: list[dict[str, str]]) -> None:
        super().__init__("policy violation")
        self.violations = violations

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "violations": self.violations}


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


class IdempotencyConflict(CommentError):
    status = 409
    code = "idempotency_conflict"

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


class PayloadTooLarge(CommentError):
    status = 413
    code = "payload_too_large"


class RateLimited(CommentError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = max(1, retry_after)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Unauthorized(CommentError):
    status = 401
    code = "unauthorized"


class ServiceUnavailable(CommentError):
    """Storage is throttled or unreachable: nothing was written, the client may retry."""

    status = 503
    code = "service_unavailable"

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("service unavailable")
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": "Please try again in a moment."}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class DuplicateComment(Exception):
    """Storage found the same author's same text within the window (by a write condition)."""
