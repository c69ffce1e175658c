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

from comments_dev import template
from comments_dev.openapi_shapes import (
    AlreadyDecided,
    AuthorForbidden,
    BadRequestBody,
    CheckResult,
    Claimed,
    CommentCounts,
    CommentDetail,
    CommentPage,
    CommentsClosed,
    DeadLetters,
    DecisionOut,
    Depth,
    Edited,
    Erased,
    Exported,
    Forbidden,
    IdempotencyConflict,
    Moved,
    NotDecided,
    NotFound,
    PayloadTooLarge,
    Pending,
    PolicyStats,
    Published,
    RateLimited,
    Received,
    Released,
    RenewConflict,
    Renewed,
    Reopened,
    SettingsOut,
    Unauthorized,
    Unavailable,
    Unprocessable,
    UnsupportedMediaType,
    ValidationErrorBody,
)

SECURITY_SCHEME = "moderatorJwt"

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
_SHARED_ERRORS: dict[int, Any] = {400: BadRequestBody, 404: NotFound, 413: PayloadTooLarge, 503: Unavailable}
_MODERATION_ERRORS: dict[int, Any] = {**_SHARED_ERRORS, 401: Unauthorized, 403: Forbidden}


@dataclass(frozen=True)
class Param:
    """A query parameter: its type, the constraints the function checks (Query kwargs), and
    whether it must be there."""

    kind: Any  # a type, or a Literal of the values allowed
    constraints: dict[str, Any] = field(default_factory=dict)
    required: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, Any]  # status -> response model (None: no content)
    body: Any = None  # request body model
    query: dict[str, Param] = field(default_factory=dict)
    idempotency_key: bool = False
    tags: tuple[str, ...] = ("comments",)


def _operations() -> dict[str, Operation]:
    from comments.domain.models import ArticleSettings
    from comments.domain.reading import COUNT_IDS_PATTERN, MAX_CURSOR, MAX_LIMIT
    from comments.domain.requests import (
        AuthorIn,
        CommentDraft,
        DecisionIn,
        DeleteIn,
        EditIn,
        ReleaseIn,
        ReopenIn,
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
                "limit": Param(int, {"ge": 1, "le": MAX_LIMIT}),
                "cursor": Param(
                    str,
                    {
                        "max_length": MAX_CURSOR,
                        "description": "A `nextCursor` this service issued for this article and this "
                        "order (signed): any other value is a 400.",
                    },
                ),
                "order": Param(
                    Literal["oldest", "newest"],
                    {"description": "oldest first (the default) or newest first; a cursor is bound to it"},
                ),
            },
        ),
        "GET /articles/comment-counts": Operation(
            "Published comments per article",
            {200: CommentCounts, **_SHARED_ERRORS},
            query={
                "ids": Param(
                    str,
                    {"pattern": COUNT_IDS_PATTERN, "description": "1 to 100 article ids, comma-separated."},
                    required=True,
                )
            },
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
            query={"max": Param(int, {"ge": 1, "le": 10})},
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
        "POST /moderation/comments/{commentId}/renew": Operation(
            "Keep a claim while the comment is on screen",
            {200: Renewed, **_MODERATION_ERRORS, 409: RenewConflict, 422: ValidationErrorBody},
            body=ReleaseIn,
            tags=("moderation",),
        ),
        "POST /moderation/comments/{commentId}/reopen": Operation(
            "Undo a decision: the comment is pending and queued again",
            {200: Reopened, **_MODERATION_ERRORS, 409: NotDecided, 422: ValidationErrorBody},
            body=ReopenIn,
            tags=("moderation",),
        ),
        "GET /moderation/comments/{commentId}": Operation(
            "A comment with its moderation record and the context to decide it",
            {200: CommentDetail, **_MODERATION_ERRORS},
            tags=("moderation",),
        ),
        "GET /moderation/dlq": Operation(
            "Look at the dead-letter queue",
            {200: DeadLetters, **_MODERATION_ERRORS},
            query={"max": Param(int, {"ge": 1, "le": 10})},
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
            query={"days": Param(int, {"ge": 1, "le": 90})},
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
    from comments.domain.ids import ARTICLE_ID, COMMENT_ID

    pattern = {"articleId": f"^{ARTICLE_ID.pattern}$", "commentId": f"^{COMMENT_ID.pattern}$"}.get(name)
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
    for name, param in op.query.items():
        if param.required:
            annotation: Any = Annotated[param.kind, Query(**param.constraints)]
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation))
            continue
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[param.kind | None, Query(**param.constraints)],
            )
        )
    if op.idempotency_key:
        from comments.api.submit import IDEMPOTENCY_KEY_PATTERN

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


def _responses(op: Operation, method: str) -> dict[int, Any]:
    from comments.api.http import BODY_METHODS

    out: dict[int, Any] = {}
    responses = dict(op.responses)
    if method.upper() in BODY_METHODS:
        responses[415] = UnsupportedMediaType
    for status, model in sorted(responses.items()):
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
    415: "A body (or a Content-Type) other than application/json (a UTF-8 charset is allowed)",
    422: "Validation error or policy violation",
    429: "Too many comments from this client or author",
    503: "Storage throttled or unreachable: nothing was written",
}


@cache
def document(server: str = "", origins: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every HttpApi route of template.yaml. With the site's
    `origins` (AllowedOrigins), a submission's `page.url` is published as the pattern of the
    URLs on them, which is what the functions accept."""
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
            responses=_responses(op, route.method),
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
    if origins is not None:
        from comments.domain.constraints import page_url_pattern

        page = doc.get("components", {}).get("schemas", {}).get("PageIn", {})
        if "url" in page.get("properties", {}):
            page["properties"]["url"]["pattern"] = page_url_pattern(origins)
    return doc


def _operation_id(route: template.Route) -> str:
    import re

    words = re.sub(r"[{}]", "", route.path).strip("/").replace("/", "_").replace("-", "_")
    return f"{route.method.lower()}_{words}"


def _tidy(doc: dict[str, Any]) -> None:
    """Drop Powertools' own validation error schemas (validation is not on in the functions, so
    no response uses them) and the 200 it adds to operations that never answer 200. What the
    request bodies may hold needs nothing added: the layer's models carry every rule their
    validators enforce in their JSON Schema (`comments.domain.constraints.TextRule`)."""
    schemas = doc.get("components", {}).get("schemas", {})
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


def document_json(server: str = "", origins: tuple[str, ...] | None = None) -> str:
    return json.dumps(document(server, origins), indent=2)
