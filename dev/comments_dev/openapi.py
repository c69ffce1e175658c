"""The OpenAPI 3 document of the HTTP API, served by the dev server at /openapi.json.

The functions use Powertools' APIGatewayHttpResolver *without* `enable_validation` (cold start:
bodies are parsed by `comments.api.http.json_object` and validated by the layer's pydantic models),
so their routes carry no request or response models for Powertools to describe. This builds a
documentation-only resolver instead: one route per `HttpApi` event of template.yaml (so the
document cannot drift from what is deployed), each with the layer's own pydantic models as its
request body and the contract's response and error shapes, and lets Powertools' OpenAPI
generator write the document. Nothing here runs in Lambda.
"""

import inspect
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from comments_dev import template

ARTICLE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$"
COMMENT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
IDEMPOTENCY_KEY_PATTERN = r"^[ -~]{1,64}$"
SECURITY_SCHEME = "moderatorJwt"


# -- the contract's response shapes (closed: a response with any other field does not conform) --
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


class QueueCounts(_Closed):
    waiting: int
    claimed: int


class Depth(_Closed):
    queue: QueueCounts
    deadLetters: QueueCounts


class DecisionOut(_Closed):
    comment: Comment


class Released(_Closed):
    released: bool


class CommentDetail(BaseModel):
    comment: Comment
    reasons: list[Reason]
    hits: list[dict[str, Any]]
    policyVersion: str
    history: list[dict[str, Any]]


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


NotFound = _error("not_found")
Unauthorized = _error("unauthorized")
Forbidden = _error("forbidden")
AuthorForbidden = _error("forbidden", "edit_window_closed")
CommentsClosed = _error("comments_closed")
IdempotencyConflict = _error("idempotency_conflict", message=True)
AlreadyDecided = _error("already_decided")
PayloadTooLarge = _error("payload_too_large")
RateLimited = _error("rate_limited")
Unavailable = _error("service_unavailable", message=True)

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
_SHARED_ERRORS: dict[int, Any] = {400: BadRequestBody, 404: NotFound, 413: PayloadTooLarge, 503: Unavailable}
_MODERATION_ERRORS: dict[int, Any] = {**_SHARED_ERRORS, 401: Unauthorized, 403: Forbidden}


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, Any]  # status -> response model (None: no content)
    body: Any = None  # request body model
    query: dict[str, tuple[Any, dict[str, Any]]] = field(default_factory=dict)  # name -> (type, Query kwargs)
    idempotency_key: bool = False
    tags: tuple[str, ...] = ("comments",)


def _operations() -> dict[str, Operation]:
    from comments.domain.models import ArticleSettings
    from comments.domain.requests import (
        AuthorIn,
        CommentDraft,
        DecisionIn,
        DeleteIn,
        EditIn,
        ReleaseIn,
        ReportIn,
    )

    submit_errors = {
        **_SHARED_ERRORS,
        403: CommentsClosed,
        409: IdempotencyConflict,
        422: Unprocessable,
        429: RateLimited,
    }
    return {
        "POST /articles/{articleId}/comments": Operation(
            "Submit a comment",
            {201: Published, 202: Pending, **submit_errors},
            body=CommentDraft,
            idempotency_key=True,
        ),
        "POST /articles/{articleId}/comments/validate": Operation(
            "Check a comment against the policy without storing it",
            {200: CheckResult, **_SHARED_ERRORS, 403: CommentsClosed, 422: Unprocessable},
            body=CommentDraft,
        ),
        "GET /articles/{articleId}/comments": Operation(
            "An article's published comments, oldest (default) or newest first",
            {200: CommentPage, **_SHARED_ERRORS},
            query={
                "limit": (int, {"ge": 1, "le": 100}),
                "cursor": (str, {"max_length": 1024}),
                "order": (Literal["oldest", "newest"], {}),
            },
        ),
        "GET /articles/comment-counts": Operation(
            "Published comments per article", {200: CommentCounts, **_SHARED_ERRORS}, query={"ids": (str, {})}
        ),
        "POST /articles/{articleId}/comments/{commentId}/reports": Operation(
            "Report a published comment",
            {202: Received, **_SHARED_ERRORS, 422: ValidationErrorBody},
            body=ReportIn,
        ),
        "PATCH /articles/{articleId}/comments/{commentId}": Operation(
            "Edit your own comment within the edit window",
            {200: Edited, **_SHARED_ERRORS, 403: AuthorForbidden, 409: AlreadyDecided, 422: Unprocessable},
            body=EditIn,
        ),
        "DELETE /articles/{articleId}/comments/{commentId}": Operation(
            "Delete your own comment within the edit window",
            {
                204: None,
                **_SHARED_ERRORS,
                403: AuthorForbidden,
                409: AlreadyDecided,
                422: ValidationErrorBody,
            },
            body=DeleteIn,
        ),
        "GET /moderation/queue": Operation(
            "Claim held comments",
            {200: Claimed, **_MODERATION_ERRORS},
            query={"max": (int, {"ge": 1, "le": 10})},
            tags=("moderation",),
        ),
        "GET /moderation/queue/depth": Operation(
            "Queue depth", {200: Depth, **_MODERATION_ERRORS}, tags=("moderation",)
        ),
        "POST /moderation/comments/{commentId}/decision": Operation(
            "Approve or reject a held comment",
            {200: DecisionOut, **_MODERATION_ERRORS, 409: AlreadyDecided, 422: ValidationErrorBody},
            body=DecisionIn,
            tags=("moderation",),
        ),
        "POST /moderation/comments/{commentId}/release": Operation(
            "Give a claimed comment back to the queue",
            {200: Released, **_MODERATION_ERRORS, 422: ValidationErrorBody},
            body=ReleaseIn,
            tags=("moderation",),
        ),
        "GET /moderation/comments/{commentId}": Operation(
            "A comment with its moderation record",
            {200: CommentDetail, **_MODERATION_ERRORS},
            tags=("moderation",),
        ),
        "GET /moderation/dlq": Operation(
            "Look at the dead-letter queue",
            {200: DeadLetters, **_MODERATION_ERRORS},
            query={"max": (int, {"ge": 1, "le": 10})},
            tags=("moderation",),
        ),
        "POST /moderation/dlq/redrive": Operation(
            "Move dead-lettered messages back to the queue",
            {200: Moved, **_MODERATION_ERRORS},
            tags=("moderation",),
        ),
        "PUT /moderation/articles/{articleId}": Operation(
            "Close an article, or hold all its comments",
            {200: SettingsOut, **_MODERATION_ERRORS, 422: ValidationErrorBody},
            body=ArticleSettings,
            tags=("moderation",),
        ),
        "GET /moderation/policy/stats": Operation(
            "Which rules hold what, and what moderators made of it",
            {200: PolicyStats, **_MODERATION_ERRORS},
            query={"days": (int, {"ge": 1, "le": 90})},
            tags=("moderation",),
        ),
        "POST /moderation/authors/export": Operation(
            "Every comment by one author",
            {200: Exported, **_MODERATION_ERRORS, 422: ValidationErrorBody},
            body=AuthorIn,
            tags=("moderation",),
        ),
        "POST /moderation/authors/erase": Operation(
            "Erase an author (the right to be forgotten)",
            {200: Erased, **_MODERATION_ERRORS, 422: ValidationErrorBody},
            body=AuthorIn,
            tags=("moderation",),
        ),
    }


def _fallback(route: template.Route) -> Operation:
    """A route of the template this module does not know yet: documented with the error shapes
    only, so that the document still lists every deployed route."""
    errors = _MODERATION_ERRORS if route.authorizer else _SHARED_ERRORS
    return Operation(route.route_key, {200: dict[str, Any], **errors})


def _path_param(name: str) -> Any:
    from aws_lambda_powertools.event_handler.openapi.params import Path

    pattern = {"articleId": ARTICLE_ID_PATTERN, "commentId": COMMENT_ID_PATTERN}.get(name)
    return Annotated[str, Path(pattern=pattern) if pattern else Path()]


def _handler(route: template.Route, op: Operation) -> Any:
    """A stand-in function whose signature tells Powertools the route's parameters and body."""
    from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query

    params: list[inspect.Parameter] = []
    for name in _path_names(route.path):
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=_path_param(name)))
    if op.body is not None:
        params.append(
            inspect.Parameter(
                "body", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[op.body, Body(embed=False)]
            )
        )
    for name, (kind, constraints) in op.query.items():
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[kind | None, Query(**constraints)],
            )
        )
    if op.idempotency_key:
        params.append(
            inspect.Parameter(
                "idempotency_key",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    str | None, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY_PATTERN)
                ],
            )
        )

    def handler(**_: Any) -> None:
        return None

    handler.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    handler.__name__ = route.function + "_" + route.method.lower()
    return handler


def _path_names(path: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\+?\}", path)


def _responses(op: Operation) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for status, model in op.responses.items():
        entry: dict[str, Any] = {"description": _DESCRIPTIONS.get(status, "")}
        if model is not None:
            entry["content"] = {"application/json": {"model": model}}
        if status in (429, 503):
            entry["headers"] = RETRY_AFTER
        out[status] = entry
    return out


_DESCRIPTIONS = {
    200: "OK",
    201: "Published",
    202: "Accepted: held for moderation, or received",
    204: "Done",
    400: "Not JSON, not an object, a bad parameter",
    401: "No valid moderator token",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Request body over 32 KiB",
    422: "Validation error or policy violation",
    429: "Too many comments from this client or author",
    503: "Storage throttled or unreachable: nothing was written",
}


@cache
def document(server: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every HttpApi route of template.yaml."""
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

    docs = APIGatewayHttpResolver()  # documentation only: never resolves a request
    operations = _operations()
    for route in template.http_routes():
        if route.path == "$default":
            continue
        op = operations.get(route.route_key) or _fallback(route)
        rule = route.path.replace("{", "<").replace("}", ">")
        docs.route(
            rule,
            route.method,
            summary=op.summary,
            responses=_responses(op),
            tags=list(op.tags),
            operation_id=_operation_id(route),
            security=[{SECURITY_SCHEME: []}] if route.authorizer else None,
        )(_handler(route, op))
    raw = docs.get_openapi_json_schema(
        title="Comment service",
        version="1",
        description="Submit, read and moderate comments on news articles. See the README's contract.",
        servers=[Server(url=server or "/")],
        security_schemes={
            SECURITY_SCHEME: HTTPBearer(
                bearerFormat="JWT",
                description=(
                    "A Cognito user pool token (API Gateway's JWT authorizer); the user must be in the "
                    "`moderators` group."
                ),
            )
        },
    )
    doc: dict[str, Any] = json.loads(raw)
    _tidy(doc)
    return doc


def _operation_id(route: template.Route) -> str:
    import re

    words = re.sub(r"[{}]", "", route.path).strip("/").replace("/", "_").replace("-", "_")
    return f"{route.method.lower()}_{words}"


# What the layer's validators enforce beyond the types pydantic can describe.
_CONSTRAINTS: dict[str, dict[str, dict[str, Any]]] = {
    "CommentDraft": {
        "name": {"minLength": 1, "maxLength": 80},
        "email": {"format": "email", "maxLength": 254},
        "body": {"minLength": 1},
        "honeypot": {
            "description": (
                "The form's hidden field (people never see it; programs fill it in). Filled, the "
                "comment is held for a moderator as spam; leave it out or empty. Never stored."
            )
        },
    },
    "EditIn": {"body": {"minLength": 1}},
}


def _tidy(doc: dict[str, Any]) -> None:
    """Drop Powertools' own validation error schemas (validation is not on in the functions, so
    no response uses them) and the 200 it adds to operations that never answer 200; add what
    the layer's validators enforce to the request schemas."""
    schemas = doc.get("components", {}).get("schemas", {})
    for model, fields in _CONSTRAINTS.items():
        for name, extra in fields.items():
            if model in schemas and name in schemas[model].get("properties", {}):
                schemas[model]["properties"][name].update(extra)
    text = json.dumps(doc.get("paths", {}))
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f'#/components/schemas/{name}"' not in text:
            schemas.pop(name, None)
    operations = _operations()
    for path, methods in doc.get("paths", {}).items():
        for method, operation in methods.items():
            key = f"{method.upper()} {path}"
            known = operations.get(key)
            if known and 200 not in known.responses:
                operation.get("responses", {}).pop("200", None)


def document_json(server: str = "") -> str:
    return json.dumps(document(server), indent=2)
