"""Keys derived from the one service secret: author identity, client identity, cursors, edit tokens.

The secret is 64 random characters held in Secrets Manager (created by the template) and read
once per container through Powertools Parameters; locally the dev server passes it in the
environment. Each purpose gets its own key (HMAC of the purpose), so a leak of one derived
value reveals nothing about another.
"""

import base64
import hashlib
import hmac
from functools import cache

from comments.settings import settings


@cache
def _root() -> bytes:
    cfg = settings()
    if cfg.dev_secret:
        return cfg.dev_secret.encode()
    if not cfg.secret_arn:
        raise RuntimeError("SECRET_ARN is not set")
    import boto3  # lazy: cold start
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    # Powertools' get_secret() would build its client on a new boto3 Session, which loads
    # botocore's data files again (~45 ms of CPU at a cold start); a client of the default
    # session shares what the DynamoDB client has loaded already.
    provider = SecretsProvider(boto3_client=boto3.client("secretsmanager"))
    return str(provider.get(cfg.secret_arn, max_age=3600)).encode()


@cache
def _key(purpose: str) -> bytes:
    return hmac.new(_root(), purpose.encode(), hashlib.sha256).digest()


def _mac(purpose: str, message: str) -> bytes:
    # hmac.digest: OpenSSL's one-shot HMAC, the same bytes as hmac.new(...).digest() without
    # building an HMAC object in Python (a few µs on each of a submission's keyed hashes).
    return hmac.digest(_key(purpose), message.encode(), "sha256")


def author_id(email: str) -> str:
    """Who wrote it, without the email: a keyed hash of the normalised address."""
    return _mac("author", email.strip().casefold()).hex()[:32]


def client_id(source_ip: str) -> str:
    """The client (API Gateway's sourceIp), as a keyed hash: never the IP itself."""
    return _mac("client", source_ip).hex()[:32]


def edit_token(comment_id: str) -> str:
    """The author's secret for PATCH/DELETE. Derived, so it is never stored (not even in the
    idempotency record); the comment keeps only `edit_token_hash` of it."""
    return base64.urlsafe_b64encode(_mac("edit-token", comment_id)).rstrip(b"=").decode()


def edit_token_hash(token: str) -> str:
    return _mac("edit-token-hash", token).hex()


def edit_token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(edit_token_hash(token), stored_hash)


def sign(purpose: str, payload: bytes) -> str:
    """payload.mac, both base64url: for cursors and claims that must not be forged."""
    mac = hmac.new(_key(purpose), payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def unsign(purpose: str, token: str) -> bytes | None:
    try:
        body, mac = token.split(".", 1)
        payload = _unb64(body)
        expected = hmac.new(_key(purpose), payload, hashlib.sha256).digest()[:16]
        if hmac.compare_digest(expected, _unb64(mac)):
            return payload
    except (ValueError, UnicodeError):
        pass
    return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
