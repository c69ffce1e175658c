"""Reading an article's published comments, page by page, behind signed cursors."""

import json
from typing import Any

from comments import keys, runtime
from comments.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
_CURSOR = "cursor"


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def encode_cursor(article_id: str, last_key: dict[str, str]) -> str:
    payload = {"a": article_id, "k": last_key}
    return keys.sign(_CURSOR, json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())


def decode_cursor(article_id: str, cursor: str) -> dict[str, str]:
    """The page position, if this service issued the cursor for this article; else a 400."""
    raw = keys.unsign(_CURSOR, cursor) if len(cursor) <= 1024 else None
    if raw is not None:
        payload = json.loads(raw)
        if payload.get("a") == article_id:
            return dict(payload["k"])
    raise BadRequest("cursor is not valid for this article.")


def published_page(article_id: str, limit: str | None, cursor: str | None) -> dict[str, Any]:
    size = parse_limit(limit)
    after = decode_cursor(article_id, cursor) if cursor else None
    comments, last = runtime.table().list_published(article_id, size, after)
    return {
        "articleId": article_id,
        "comments": [c.model_dump() for c in comments],
        "nextCursor": encode_cursor(article_id, last) if last else None,
    }
