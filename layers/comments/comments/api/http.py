"""HTTP edges shared by the API functions: reading a body safely, JSON responses, and the one
place where domain errors become the contract's error bodies."""

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from comments.adapters.dynamo import is_throttling
from comments.domain.errors import (
    BadRequest,
    CommentError,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from comments.domain.classifiers import Sender

MAX_BODY_BYTES = 32 * 1024
# The methods that may carry a body: such a request must say it is JSON (415 otherwise), so that a
# page on another site cannot post with a "simple" content type that needs no CORS preflight.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON_CHARSETS = frozenset({"utf-8", "utf8"})
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header (API Gateway 2.0 lowercases names and joins repeats with a comma)."""
    headers = event.get("headers") or {}
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return None if value is None else str(value)


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json`, any case, with at most a UTF-8 `charset` among its parameters."""
    if content_type is None:
        return False
    media, _, params = content_type.partition(";")
    if media.strip().lower() != "application/json":
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _JSON_CHARSETS:
            return False
    return True


def refuse_unsupported_media(event: dict[str, Any]) -> None:
    """415 for a POST, PUT, PATCH or DELETE that carries a body, or names a content type, other
    than JSON. A request with neither goes on to its route (which answers 400 if it needs a body)."""
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method", "")).upper()
    if method not in BODY_METHODS:
        return
    content_type = header(event, "content-type")
    if content_type is None and not event.get("body"):
        return
    if not is_json_media_type(content_type):
        raise UnsupportedMediaType()


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("The request body could not be decoded.") from None
    return body.encode("utf-8", "surrogatepass")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder for every request (json.loads with options builds a new one each call).
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def json_object(event: dict[str, Any]) -> dict[str, Any]:
    """The request body as a JSON object, or a clean 400/413: never a 500 on hostile bytes."""
    raw = raw_body(event)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The request body is not valid UTF-8.") from None
    if not text.strip():
        raise BadRequest("The request body must be a JSON object.")
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise BadRequest(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(value, dict):
        raise BadRequest("The request body must be a JSON object.")
    return value


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


def parse_body[M: "BaseModel"](
    model: type[M], event: dict[str, Any], context: dict[str, Any] | None = None
) -> tuple[dict[str, Any], M]:
    """The request body as a JSON object and as `model` (validated with `context`, if any): a
    clean 400 for a body that is not a JSON object, a 422 with the contract's details for one the
    model refuses."""
    from pydantic import ValidationError

    payload = json_object(event)
    try:
        return payload, model.model_validate(payload, context=context)
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None


class MalformedEvent(BadRequest):
    """An event API Gateway would never send (no client address): refused with a 400 and logged
    by the error mapping, never a KeyError."""

    def __init__(self, missing: str) -> None:
        super().__init__("The request could not be attributed to a client.")
        self.missing = missing


def source_ip(event: dict[str, Any]) -> str:
    """The client, as API Gateway saw it (`requestContext.http.sourceIp`); never a header the
    client can write."""
    address = ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp")
    if not isinstance(address, str) or not address:
        raise MalformedEvent("requestContext.http.sourceIp")
    return address


def sender(event: dict[str, Any]) -> "Sender":
    """The client's IP (API Gateway's) and User-Agent, for a classifier that asks for them (never
    stored)."""
    from comments.domain.classifiers import Sender

    agent = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == "user-agent"), "")
    return Sender(ip=source_ip(event), user_agent=str(agent)[:512])


def query(event: dict[str, Any], name: str) -> str | None:
    value = (event.get("queryStringParameters") or {}).get(name)
    return None if value is None else str(value)


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    from aws_lambda_powertools.event_handler import Response

    merged = dict(SECURITY_HEADERS)
    if headers:
        merged.update(headers)
    if body is None:
        return Response(status_code=status, body="", headers=merged)
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(status_code=status, content_type="application/json", body=payload, headers=merged)


def error_response(exc: CommentError, headers: dict[str, str] | None = None) -> Any:
    return response(exc.status, exc.body(), {**(headers or {}), **exc.headers()})


def install_error_handlers(app: Any, logger: Any, headers: dict[str, str] | None = None) -> None:
    """Every API function's HTTP edge, installed on its resolver: the 415 for a body that is not
    JSON, checked before any route runs (so before any body is parsed), and the single mapping
    from exceptions to HTTP: contract errors as they are, storage trouble as 503 with
    Retry-After, anything else as a bare 500 with no internals. `headers` go on every error
    response too (the moderation API's `Cache-Control: no-store`)."""

    def json_bodies_only(app: Any, next_middleware: Any) -> Any:
        # Not for a path no route matches (Powertools runs middlewares for its 404 too): that is
        # a 404 whatever it carries, as API Gateway answers a route that does not exist.
        route = app.context.get("_route")
        if getattr(getattr(route, "func", None), "__name__", "") != "not_found_handler":
            try:
                refuse_unsupported_media(app.current_event.raw_event)
            except UnsupportedMediaType as exc:
                return error_response(exc, headers)
        return next_middleware(app)

    app.use(middlewares=[json_bodies_only])

    @app.exception_handler(CommentError)
    def _domain(exc: CommentError) -> Any:
        if isinstance(exc, MalformedEvent):
            logger.warning("malformed event refused", extra={"missing": exc.missing})
        return error_response(exc, headers)

    @app.not_found
    def _not_found(_exc: Exception) -> Any:
        return response(404, {"error": "not_found"}, headers)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if is_throttling(exc):
            logger.warning("storage unavailable", extra={"error": type(exc).__name__})
            return error_response(ServiceUnavailable(retry_after=1), headers)
        logger.exception("unhandled error")
        return response(500, {"error": "internal_error"}, headers)


def resolve(app: Any, event: dict[str, Any], context: Any) -> Any:
    """The resolver's answer to API Gateway, without the empty `cookies` list Powertools adds to
    every HTTP API response."""
    answer = app.resolve(event, context)
    if isinstance(answer, dict) and not answer.get("cookies"):
        answer.pop("cookies", None)
    return answer
