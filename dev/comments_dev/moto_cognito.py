"""moto's Cognito user pools, made to answer the moderator console as Cognito does.

moto (5.x) issues real RS256 tokens from a user pool and keeps each pool's users, groups and
passwords, which is what the local console and the dev server's authorizer need. Where it is
looser than Cognito in ways the console depends on, this module makes it strict, in the moto
server process (installed by `comments_dev.moto_server`, like its DynamoDB patch):

- USER_SRP_AUTH is real SRP-6a, as Cognito runs it: moto answers InitiateAuth with random
  SALT and SRP_B and accepts any PASSWORD_CLAIM_SIGNATURE, so any password would sign in. Here
  the server side computes B from the user's password verifier and checks the client's proof
  (the parameters and key derivation of AWS's own SRP clients: the 3072-bit group, k = H(N|g),
  x = H(salt | H(poolName userId ":" password)), HKDF "Caldera Derived Key"); a wrong password
  is NotAuthorizedException "Incorrect username or password.".
- An app client's ExplicitAuthFlows are enforced (moto allows every flow on every client), so a
  console that used a flow the template does not allow fails here as it would in AWS.
- Token lifetimes come from the app client (AccessTokenValidity, IdTokenValidity,
  RefreshTokenValidity, TokenValidityUnits); moto issues hour-long tokens and never expires a
  refresh token.
- RevokeToken (the console's sign-out) revokes a refresh token; moto has no such action.
- ForgotPassword sends (in the `x-moto-forgot-password-confirmation-code` header, which the dev
  server prints as the email Cognito would send) a six-digit code, and ConfirmForgotPassword
  checks the code and the pool's password policy; moto takes any code and any password.
- With PreventUserExistenceErrors, an unknown user signs in as "Incorrect username or
  password.", never "User does not exist.".
"""

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

# The SRP group AWS's clients use (RFC 5054's 3072-bit prime, generator 2).
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
WRONG_PASSWORD = "Incorrect username or password."  # noqa: S105 - an error message
# Cognito's TIMESTAMP: "Tue Nov 28 09:05:01 UTC 2026" (the day without a leading zero).
_TIMESTAMP = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} UTC \d{4}$")
_FLOWS = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}
_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# token use -> (the client's validity field, its TokenValidityUnits key, Cognito's default, unit)
_VALIDITY = {
    "access": ("AccessTokenValidity", "AccessToken", 1, "hours"),
    "id": ("IdTokenValidity", "IdToken", 1, "hours"),
    "refresh": ("RefreshTokenValidity", "RefreshToken", 30, "days"),
}


# -- SRP-6a, Cognito's way -----------------------------------------------------------------------
def pad_hex(value: int | str) -> str:
    """Hex of a non-negative number as AWS's SRP clients hash it: even length, and a leading 00
    when the first digit has its high bit set (a positive two's-complement number)."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        text = "0" + text
    elif text[0] in "89abcdefABCDEF":
        text = "00" + text
    return text


def hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = hash_hex(pad_hex(N) + pad_hex(G))


def password_x(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    pool_name = pool_id.split("_", 1)[1]
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return hash_hex(pad_hex(salt_hex) + inner)


def hkdf16(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def claim_signature(pool_id: str, user_id: str, secret_block: str, timestamp: str, key: bytes) -> str:
    message = (
        pool_id.split("_", 1)[1].encode()
        + user_id.encode()
        + base64.b64decode(secret_block)
        + timestamp.encode()
    )
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


class SrpServer:
    """One sign-in's server side: B from the password verifier, then the check of the proof."""

    def __init__(self, pool_id: str, user_id: str, password: str, big_a: int) -> None:
        self.pool_id, self.user_id = pool_id, user_id
        # A salt whose hex has no leading zero: AWS's clients differ on whether such zeros count
        # (amazon-cognito-identity-js reads the salt as a number, pycognito as text).
        self.salt = secrets.token_hex(16)
        while self.salt.startswith("0"):
            self.salt = secrets.token_hex(16)
        self.verifier = pow(G, password_x(pool_id, user_id, password, self.salt), N)
        self.big_a = big_a
        self.small_b = secrets.randbits(1024) % N
        self.big_b = (K * self.verifier + pow(G, self.small_b, N)) % N
        self.secret_block = base64.b64encode(secrets.token_bytes(96)).decode()
        self.started = time.monotonic()

    def expected(self, timestamp: str) -> str:
        u = hash_hex(pad_hex(self.big_a) + pad_hex(self.big_b))
        s = pow(self.big_a * pow(self.verifier, u, N), self.small_b, N)
        key = hkdf16(bytes.fromhex(pad_hex(s)), bytes.fromhex(pad_hex(u)))
        return claim_signature(self.pool_id, self.user_id, self.secret_block, timestamp, key)


# -- the patch -------------------------------------------------------------------------------------
def _seconds(client: Any, token_use: str) -> int:
    config = getattr(client, "extended_config", {}) or {}
    field, unit_key, default, default_unit = _VALIDITY[token_use]
    unit = (config.get("TokenValidityUnits") or {}).get(unit_key) or default_unit
    return int(config.get(field) or default) * _SECONDS[unit]


def _pool_and_client(backend: Any, client_id: str) -> tuple[Any, Any]:
    from moto.cognitoidp.exceptions import ResourceNotFoundError

    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    raise ResourceNotFoundError(client_id)


def _check_flow(client: Any, flow: str) -> None:
    from moto.cognitoidp.exceptions import InvalidParameterException

    allowed = (getattr(client, "extended_config", {}) or {}).get("ExplicitAuthFlows")
    if allowed and _FLOWS.get(flow) not in allowed:
        raise InvalidParameterException(f"{flow} flow not enabled for this client")


def _unknown_user(client: Any) -> Exception:
    from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError

    hidden = (getattr(client, "extended_config", {}) or {}).get("PreventUserExistenceErrors") == "ENABLED"
    return NotAuthorizedError(WRONG_PASSWORD) if hidden else UserNotFoundError("User does not exist.")


def install() -> None:
    """Patch moto's Cognito backend in this process (idempotent)."""
    from moto.cognitoidp import models, responses
    from moto.cognitoidp.exceptions import (
        CodeMismatchException,
        InvalidParameterException,
        NotAuthorizedError,
        UserNotConfirmedException,
    )
    from moto.core.responses import EmptyResult

    backend_type = models.CognitoIdpBackend
    if getattr(backend_type, "_comments_dev_patched", False):
        return
    pool_type = models.CognitoIdpUserPool
    srp: dict[str, SrpServer] = {}  # secret block -> the sign-in it belongs to
    refresh_issued: dict[str, float] = {}  # refresh token -> when it was issued

    original_initiate: Callable[..., Any] = backend_type.initiate_auth
    original_admin_initiate: Callable[..., Any] = backend_type.admin_initiate_auth
    original_respond: Callable[..., Any] = backend_type.respond_to_auth_challenge
    original_forgot: Callable[..., Any] = backend_type.forgot_password
    original_confirm: Callable[..., Any] = backend_type.confirm_forgot_password
    original_jwt: Callable[..., Any] = pool_type.create_jwt
    original_refresh: Callable[..., Any] = pool_type.create_refresh_token

    def initiate_auth(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        pool, client = _pool_and_client(self, client_id)
        _check_flow(client, auth_flow)
        if auth_flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            token = auth_parameters.get("REFRESH_TOKEN") or ""
            issued = refresh_issued.get(token)
            if issued is not None and time.time() - issued > _seconds(client, "refresh"):
                raise NotAuthorizedError("Refresh Token has expired")
        if auth_flow == "USER_PASSWORD_AUTH" and not pool._get_user(auth_parameters.get("USERNAME") or ""):
            raise _unknown_user(client)
        if auth_flow != "USER_SRP_AUTH":
            return original_initiate(self, client_id, auth_flow, auth_parameters)
        user = pool._get_user(auth_parameters.get("USERNAME") or "")
        if not user or not user.enabled:
            raise _unknown_user(client) if not user else NotAuthorizedError("User is disabled.")
        if user.status == models.UserStatus.UNCONFIRMED:
            raise UserNotConfirmedException("User is not confirmed.")
        try:
            big_a = int(auth_parameters.get("SRP_A") or "", 16)
        except ValueError:
            raise InvalidParameterException("SRP_A is not a hex number") from None
        if big_a % N == 0:
            raise InvalidParameterException("SRP_A is not valid")
        server = SrpServer(pool.id, user.username, user.password or "", big_a)
        srp[server.secret_block] = server
        self.sessions[server.secret_block] = (user.username, pool)
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": server.secret_block,
            "ChallengeParameters": {
                "SALT": server.salt,
                "SRP_B": f"{server.big_b:x}",
                "USERNAME": user.username,
                "USER_ID_FOR_SRP": user.username,
                "SECRET_BLOCK": server.secret_block,
            },
        }

    def admin_initiate_auth(
        self: Any, user_pool_id: str, client_id: str, auth_flow: str, auth_parameters: dict[str, str]
    ) -> Any:
        _check_flow(_pool_and_client(self, client_id)[1], auth_flow)
        return original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters)

    def respond_to_auth_challenge(
        self: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict[str, str]
    ) -> Any:
        if challenge_name == "PASSWORD_VERIFIER":
            block = challenge_responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
            server = srp.pop(block, None)
            timestamp = challenge_responses.get("TIMESTAMP") or ""
            given = challenge_responses.get("PASSWORD_CLAIM_SIGNATURE") or ""
            if server is None or time.monotonic() - server.started > 180:
                raise NotAuthorizedError("Invalid session for the user, session is expired.")
            if not _TIMESTAMP.match(timestamp):
                raise InvalidParameterException("TIMESTAMP format is invalid")
            if not hmac.compare_digest(server.expected(timestamp), given):
                self.sessions.pop(block, None)
                raise NotAuthorizedError(WRONG_PASSWORD)
        return original_respond(self, session, client_id, challenge_name, challenge_responses)

    def revoke_token(self: Any, token: str, client_id: str) -> None:
        pool, _client = _pool_and_client(self, client_id)
        issued = pool.refresh_tokens.get(token)
        if issued is not None and issued[0] == client_id:
            pool.refresh_tokens[token] = None
            refresh_issued.pop(token, None)

    def forgot_password(self: Any, client_id: str, username: str) -> Any:
        _code, details = original_forgot(self, client_id, username)
        pool, _client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            return None, details
        user.confirmation_code = f"{secrets.randbelow(1_000_000):06d}"
        return user.confirmation_code, details

    def confirm_forgot_password(
        self: Any, client_id: str, username: str, password: str, confirmation_code: str
    ) -> None:
        pool, _client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if (
            user is None
            or not user.confirmation_code
            or not hmac.compare_digest(user.confirmation_code, confirmation_code or "")
        ):
            raise CodeMismatchException("Invalid verification code provided, please try again.")
        self._validate_password(pool.id, password)
        original_confirm(self, client_id, username, password, user.confirmation_code)
        user.status = models.UserStatus.CONFIRMED

    def create_jwt(
        self: Any,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 3600,
        extra_data: dict[str, Any] | None = None,
    ) -> Any:
        client = self.clients.get(client_id)
        if client is not None and token_use in ("access", "id"):
            expires_in = _seconds(client, token_use)
        user = self._get_user(username)
        email = user.attribute_lookup.get("email") if user is not None else None
        if token_use == "id" and email:  # noqa: S105 - a token kind
            # moto writes the internal username into an ID token's email when email is the username
            extra_data = {**(extra_data or {}), "email": email}
        return original_jwt(self, client_id, username, token_use, expires_in, extra_data)

    def create_refresh_token(self: Any, client_id: str, username: str) -> Any:
        token, origin = original_refresh(self, client_id, username)
        refresh_issued[token] = time.time()
        return token, origin

    def revoke_token_response(self: Any) -> Any:
        client_id = self._get_param("ClientId")
        account, region = responses.find_account_region_by_value(
            "client_id", client_id, fallback=(self.current_account, self.region)
        )
        revoke_token(models.cognitoidp_backends[account][region], self._get_param("Token"), client_id)
        return EmptyResult()

    backend_type.initiate_auth = initiate_auth  # type: ignore[method-assign]
    backend_type.admin_initiate_auth = admin_initiate_auth  # type: ignore[method-assign]
    backend_type.respond_to_auth_challenge = respond_to_auth_challenge  # type: ignore[method-assign]
    backend_type.revoke_token = revoke_token  # type: ignore[attr-defined]
    backend_type.forgot_password = forgot_password  # type: ignore[method-assign]
    backend_type.confirm_forgot_password = confirm_forgot_password  # type: ignore[method-assign]
    pool_type.create_jwt = create_jwt  # type: ignore[method-assign]
    pool_type.create_refresh_token = create_refresh_token  # type: ignore[method-assign]
    responses.CognitoIdpResponse.revoke_token = revoke_token_response  # type: ignore[attr-defined]
    backend_type._comments_dev_patched = True  # type: ignore[attr-defined]
