"""Identifiers: article ids as the contract defines them, and comment ids."""

import re
import secrets
import time

ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
COMMENT_ID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


def is_article_id(value: str) -> bool:
    return ARTICLE_ID.fullmatch(value) is not None


def is_comment_id(value: str) -> bool:
    return COMMENT_ID.fullmatch(value) is not None


def new_comment_id(now_ms: int | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32, sortable by time."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return comment_id_at(ms, secrets.token_bytes(10))


def comment_id_at(ms: int, entropy: bytes) -> str:
    """The ULID of a moment (milliseconds since 1970, 0 to 2**48 - 1) and 80 bits of entropy
    (the first 10 bytes): random for a new comment, a keyed hash for an imported one."""
    if not 0 <= ms < 1 << 48 or len(entropy) < 10:
        raise ValueError("a comment id needs a time from 1970 to 10889 and 10 bytes of entropy")
    return crockford((ms << 80) | int.from_bytes(entropy[:10], "big"))


def crockford(value: int) -> str:
    """A 128-bit number as a comment id: 26 characters of Crockford base32."""
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_queue_token() -> str:
    """Names one queue message of a held comment (see `moderation`): random, 96 bits."""
    return secrets.token_urlsafe(12)
