"""Play API Gateway's JWT authorizer locally.

In AWS the moderation routes sit behind an HTTP API JWT authorizer on the template's Cognito
user pool: API Gateway reads the token from `Authorization: Bearer`, checks its RS256 signature
against the issuer's keys (`{issuer}/.well-known/jwks.json`, by `kid`), `exp`/`nbf`/`iat`, the
issuer, and that an ID token's `aud` or an access token's `client_id` is one of the configured
audiences; otherwise it answers 401 and the function never runs. It hands the token's claims to
the function (`requestContext.authorizer.jwt.claims`, every value a string, lists as "[a b]").
The function itself checks the `moderators` group (403 without it).

The dev server does the same with the issuer and audiences of the template's own JwtConfiguration
(resolved against the emulator: the issuer is the pool's, as moto signs it) and the keys of that
pool on the emulator (`{endpoint}/{poolId}/.well-known/jwks.json`). The local moderator token
(`MODERATOR_TOKEN`) keeps working for API clients and tests: it stands for a Cognito user in the
`moderators` group.

`mint()` signs a token as the emulator's pools do (moto's published test key), for tests that
need expired, foreign or group-less tokens.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LEEWAY_SECONDS = 0
STATIC_TOKEN_CLAIMS = {
    "sub": "local-moderator",
    "username": "local-moderator",
    "cognito:groups": "[moderators]",
}
_REFETCH_SECONDS = 60  # an unknown kid refetches the keys at most this often (a key rotation)


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


def jwks_url(issuer: str, endpoint: str | None) -> str:
    """Where the issuer's keys are: `{issuer}/.well-known/jwks.json` in AWS; on the emulator the
    same path under its endpoint (moto serves `/{poolId}/.well-known/jwks.json`)."""
    if not endpoint:
        return issuer.rstrip("/") + "/.well-known/jwks.json"
    return endpoint.rstrip("/") + urlsplit(issuer).path.rstrip("/") + "/.well-known/jwks.json"


@dataclass
class JwtAuthorizer:
    issuer: str
    audiences: tuple[str, ...]
    keys_url: str
    static_token: str | None = None
    _keys: dict[str, Any] = field(default_factory=dict, repr=False)
    _fetched: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_template(cls, resolve: Any, endpoint: str | None, static_token: str | None) -> "JwtAuthorizer":
        """The template's one JWT authorizer (HttpApi Auth.Authorizers), resolved locally."""
        from comments_dev import template

        api = next(iter(template.resources("AWS::Serverless::HttpApi").values()))
        ((_name, config),) = api["Properties"]["Auth"]["Authorizers"].items()
        jwt_config = resolve(config["JwtConfiguration"])
        issuer = str(jwt_config["issuer"])
        return cls(
            issuer=issuer,
            audiences=tuple(str(a) for a in jwt_config["audience"]),
            keys_url=jwks_url(issuer, endpoint),
            static_token=static_token,
        )

    def verify(self, token: str) -> dict[str, str] | None:
        """The claims to put in the event, or None for a 401 (the function is never invoked)."""
        if not token:
            return None
        if self.static_token and secrets.compare_digest(token.encode(), self.static_token.encode()):
            return dict(STATIC_TOKEN_CLAIMS)
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            key = self._key(str(header.get("kid") or ""))
            if key is None or header.get("alg") != "RS256":
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
                leeway=LEEWAY_SECONDS,
            )
        except (jwt.PyJWTError, ValueError):
            return None
        # An ID token's `aud`, or an access token's `client_id`, must be one of the audiences.
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        named = {str(a) for a in audiences} | {str(claims.get("client_id"))}
        if not named & set(self.audiences):
            return None
        return as_gateway_claims(claims)

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched > _REFETCH_SECONDS:
                self._keys = self._fetch()
                self._fetched = time.monotonic()
            return self._keys.get(kid)

    def _fetch(self) -> dict[str, Any]:
        import json
        import urllib.request

        from jwt.algorithms import RSAAlgorithm

        with urllib.request.urlopen(self.keys_url, timeout=10) as reply:  # noqa: S310 - our own emulator's URL
            document = json.loads(reply.read())
        return {
            str(jwk["kid"]): RSAAlgorithm.from_jwk(jwk)
            for jwk in document.get("keys", [])
            if jwk.get("kty") == "RSA" and jwk.get("kid")
        }


def emulator_signing_key() -> Any:
    """The private key moto signs every emulated pool's tokens with (published with moto)."""
    import json

    from jwt.algorithms import RSAAlgorithm
    from moto.utilities.utils import load_resource

    return RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))


def mint(
    issuer: str,
    client_id: str,
    *,
    sub: str = "mod-jwt",
    groups: list[str] | None = None,
    expires_in: int = 900,
    token_use: str = "access",  # noqa: S107 - a token kind, not a secret
    key: Any = None,
    kid: str = "dummy",
    extra: dict[str, Any] | None = None,
) -> str:
    """A token as the emulator's pool `issuer` would issue it to app client `client_id` (an access
    token names the client in `client_id`, an ID token in `aud`), signed with `key` (default: the
    emulator's own)."""
    import jwt

    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": issuer,
        "token_use": token_use,
        "iat": now if expires_in > 0 else now + expires_in - 900,
        "auth_time": now,
        "exp": now + expires_in,
        "jti": secrets.token_hex(8),
    }
    if token_use == "access":  # noqa: S105
        claims.update({"client_id": client_id, "username": sub, "scope": "aws.cognito.signin.user.admin"})
    else:
        claims.update({"aud": client_id, "cognito:username": sub})
    if groups is not None:
        claims["cognito:groups"] = groups
    claims.update(extra or {})
    return jwt.encode(claims, key or emulator_signing_key(), algorithm="RS256", headers={"kid": kid})
