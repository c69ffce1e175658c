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
    ValidationFailed,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from comments.domain.classifiers import Sender

MAX_BODY_BYTES = 32 * 1024
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}


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


def parse_body[M: "BaseModel"](model: type[M], event: dict[str, Any]) -> tuple[dict[str, Any], M]:
    """The request body as a JSON object and as `model`: a clean 400 for a body that is not a
    JSON object, a 422 with the contract's details for one the model refuses."""
    from pydantic import ValidationError

    payload = json_object(event)
    try:
        return payload, model.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None


def source_ip(event: dict[str, Any]) -> str:
    """The client, as API Gateway saw it (`requestContext.http.sourceIp`); never a header the
    client can write."""
    return str(event["requestContext"]["http"]["sourceIp"])


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
    """The single mapping from exceptions to HTTP: contract errors as they are, storage trouble
    as 503 with Retry-After, anything else as a bare 500 with no internals. `headers` go on
    every error response too (the moderation API's `Cache-Control: no-store`)."""

    @app.exception_handler(CommentError)
    def _domain(exc: CommentError) -> Any:
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
