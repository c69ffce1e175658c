"""Play API Gateway's JWT authorizer locally.

In AWS the moderation routes sit behind an HTTP API JWT authorizer (Cognito user pool): API
Gateway checks the token's signature, `exp`/`nbf`/`iat`, issuer and audience (or `client_id`
for an access token) before the function runs, refuses with 401 otherwise, and passes the
token's claims into the event (`requestContext.authorizer.jwt.claims`, every value a string,
lists as "[a b]"). The function itself still checks the `moderators` group.

The dev server does the same for two kinds of bearer token:
- the local moderator token (`MODERATOR_TOKEN`), standing for a Cognito user in `moderators`;
- an HS256 JWT signed with `MODERATOR_JWT_SECRET` (generated when absent), issued by
  `MODERATOR_JWT_ISSUER` for `MODERATOR_JWT_AUDIENCE`: tests mint expired, badly signed and
  group-less tokens with `mint()` and see the same refusals AWS would give.
"""

import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

LOCAL_ISSUER = "https://cognito-idp.local/comments-dev"
LOCAL_AUDIENCE = "comments-dev-moderation"
LEEWAY_SECONDS = 0


@dataclass(frozen=True)
class JwtSettings:
    secret: str
    issuer: str = LOCAL_ISSUER
    audience: str = LOCAL_AUDIENCE

    @classmethod
    def from_env(cls) -> "JwtSettings":
        secret = os.environ.get("MODERATOR_JWT_SECRET") or secrets.token_urlsafe(32)
        os.environ["MODERATOR_JWT_SECRET"] = secret
        return cls(
            secret=secret,
            issuer=os.environ.get("MODERATOR_JWT_ISSUER") or LOCAL_ISSUER,
            audience=os.environ.get("MODERATOR_JWT_AUDIENCE") or LOCAL_AUDIENCE,
        )


STATIC_TOKEN_CLAIMS = {
    "sub": "local-moderator",
    "username": "local-moderator",
    "cognito:groups": "[moderators]",
}


def bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or '' (API Gateway's identity source)."""
    if not header:
        return ""
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def as_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's JWT authorizer hands them to the function: strings only, lists as
    "[a b]" (so `cognito:groups: ["moderators"]` arrives as "[moderators]")."""
    out: dict[str, str] = {}
    for key, value in claims.items():
        if isinstance(value, list):
            out[key] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def verify(token: str, cfg: JwtSettings, static_token: str | None = None) -> dict[str, str] | None:
    """The claims to put in the event, or None for a 401 (the function is never invoked)."""
    if not token:
        return None
    if static_token and secrets.compare_digest(token.encode(), static_token.encode()):
        return dict(STATIC_TOKEN_CLAIMS)
    import jwt

    try:
        claims = jwt.decode(
            token,
            cfg.secret,
            algorithms=["HS256"],
            issuer=cfg.issuer,
            options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.PyJWTError:
        return None
    # API Gateway: an ID token's `aud`, or an access token's `client_id`, must be an audience.
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if cfg.audience not in audiences and claims.get("client_id") != cfg.audience:
        return None
    return as_gateway_claims(claims)


def mint(
    cfg: JwtSettings,
    *,
    sub: str = "mod-jwt",
    groups: list[str] | None = None,
    expires_in: int = 3600,
    issuer: str | None = None,
    audience: str | None = None,
    secret: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A token as Cognito would issue it (for tests and local tools)."""
    import jwt

    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": issuer or cfg.issuer,
        "aud": audience or cfg.audience,
        "iat": now if expires_in > 0 else now + expires_in - 3600,
        "exp": now + expires_in,
        "token_use": "id",
        "cognito:username": sub,
    }
    if groups is not None:
        claims["cognito:groups"] = groups
    claims.update(extra or {})
    return jwt.encode(claims, secret or cfg.secret, algorithm="HS256")
