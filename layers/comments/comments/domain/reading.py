"""Reading an article's published comments, page by page, oldest or newest first, behind signed
cursors bound to their article and their order, and counting them for article lists."""

import json
import re
from typing import Any

from comments.domain.errors import BadRequest
from comments.domain.hmac_keys import HmacKeys
from comments.domain.ids import ARTICLE_ID, is_article_id
from comments.domain.ports import CommentStore

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_COUNT_IDS = 100
ORDERS = ("oldest", "newest")
MAX_CURSOR = 1024
_CURSOR = "cursor"
#: `ids` of GET /articles/comment-counts: 1 to 100 article ids, separated by single commas.
COUNT_IDS_PATTERN = rf"^{ARTICLE_ID.pattern}(?:,{ARTICLE_ID.pattern}){{0,{MAX_COUNT_IDS - 1}}}$"


def parse_limit(raw: str | None) -> int:
    if raw is None:  # absent; an empty `limit=` is as bad as any other non-number
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def parse_order(raw: str | None) -> str:
    if raw is None:
        return "oldest"
    if raw not in ORDERS:
        raise BadRequest("order must be oldest or newest.")
    return raw


def encode_cursor(keys: HmacKeys, article_id: str, last_key: dict[str, str], order: str = "oldest") -> str:
    payload: dict[str, Any] = {"a": article_id, "k": last_key}
    if order != "oldest":  # cursors issued before there was an order read as oldest-first
        payload["o"] = order
    return keys.sign(_CURSOR, json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())


def decode_cursor(keys: HmacKeys, article_id: str, cursor: str, order: str = "oldest") -> dict[str, str]:
    """The page position, if this service issued the cursor for this article and this order;
    else a 400."""
    raw = keys.unsign(_CURSOR, cursor) if len(cursor) <= MAX_CURSOR else None
    if raw is not None:
        payload = json.loads(raw)
        if payload.get("a") == article_id and payload.get("o", "oldest") == order:
            return dict(payload["k"])
    raise BadRequest("cursor is not valid for this article and order.")


def published_page(
    store: CommentStore,
    keys: HmacKeys,
    article_id: str,
    limit: str | None,
    cursor: str | None,
    order: str | None = None,
) -> dict[str, Any]:
    size = parse_limit(limit)
    sort = parse_order(order)
    # `cursor=` (empty) was not issued either: decode_cursor refuses it.
    after = decode_cursor(keys, article_id, cursor, sort) if cursor is not None else None
    comments, last = store.list_published(article_id, size, after, newest_first=sort == "newest")
    return {
        "articleId": article_id,
        "comments": [c.model_dump() for c in comments],
        "nextCursor": encode_cursor(keys, article_id, last, sort) if last else None,
    }


def comment_counts(store: CommentStore, ids_raw: str | None) -> dict[str, Any]:
    """Published comments per article, from the counters kept with every status change."""
    if ids_raw is None or re.fullmatch(COUNT_IDS_PATTERN, ids_raw) is None:
        ids = (ids_raw or "").split(",")
        if len(ids) > MAX_COUNT_IDS:
            raise BadRequest(f"ids must list at most {MAX_COUNT_IDS} article ids.")
        if ids_raw and all(is_article_id(i) for i in ids if i):
            raise BadRequest("ids must be separated by single commas, with none empty.")
        if ids_raw:
            raise BadRequest("ids must be article ids (A-Z a-z 0-9 . _ ~ -, 1 to 128 characters).")
        raise BadRequest(f"ids must list 1 to {MAX_COUNT_IDS} article ids, comma-separated.")
    return {"counts": store.counts(ids_raw.split(","))}
