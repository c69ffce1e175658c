"""Play API Gateway (HTTP API, payload 2.0): turn an HTTP request into the event AWS would send,
including the JWT authorizer's claims for routes behind it, and the CORS answers the gateway
gives itself."""

import base64
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote


def http_api_event(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    route_key: str,
    path_parameters: dict[str, str],
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    query: dict[str, str] = {}
    for k, v in parse_qsl(raw_query, keep_blank_values=True):
        query[k] = f"{query[k]},{v}" if k in query else v
    now = datetime.now(UTC)
    try:
        text: str | None = body.decode("utf-8")
        encoded = False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": merged.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = {k: unquote(v) for k, v in path_parameters.items()}
    if body:
        event["body"] = text
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def cors_headers(origin: str | None, allowed: list[str], config: dict[str, Any]) -> dict[str, str]:
    """What API Gateway adds to a response for a listed origin; nothing for any other."""
    if not origin or (origin not in allowed and "*" not in allowed):
        return {}
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if config.get("ExposeHeaders"):
        headers["Access-Control-Expose-Headers"] = ",".join(config["ExposeHeaders"])
    return headers


def preflight_headers(origin: str | None, allowed: list[str], config: dict[str, Any]) -> dict[str, str]:
    headers = cors_headers(origin, allowed, config)
    if not headers:
        return {}
    headers["Access-Control-Allow-Methods"] = ",".join(config.get("AllowMethods", []))
    headers["Access-Control-Allow-Headers"] = ",".join(config.get("AllowHeaders", []))
    if config.get("MaxAge") is not None:
        headers["Access-Control-Max-Age"] = str(config["MaxAge"])
    return headers
