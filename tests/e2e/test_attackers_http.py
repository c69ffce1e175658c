"""Attackers over real HTTP, against a dev server of their own that plays API Gateway's JWT
authorizer on its emulator's Cognito user pool (tokens signed with the emulator's key, see
`comments_dev.authorizer.mint`) and limits each client and author to 3 submissions a minute:

- moderation refuses a missing, expired, badly signed, wrongly issued, foreign or group-less
  token, and a real token of another user pool;
- CORS never reflects an unlisted origin;
- every response says `X-Content-Type-Options: nosniff`; moderation responses `no-store`;
- rate limits cannot be dodged with X-Forwarded-For and friends, nor with a changed email case;
- no email or IP address used here appears in any log line or metric the server printed, in any
  queue message or event, or in the table.
"""

import base64
import http.client
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from comments_dev import authorizer
from comments_dev.launch import DevProcess, start_dev_server

LIMIT = 3
SITE = "https://news.example"
CANARY_IP = "127.83.41.77"  # a loopback address of its own: it must never be printed or stored
CANARY_EMAILS = ["Canary.Reader+leak@Leak-Test.example", "second.canary@leak-test.example"]


@pytest.fixture(scope="module")
def stack() -> Iterator[DevProcess]:
    proc = start_dev_server(
        {
            "RATE_LIMIT_PER_MINUTE": str(LIMIT),
            "ALLOWED_ORIGINS": SITE,
            # The functions' JSON logs and metric blobs too: the privacy test searches them.
            "DEV_LOG_JSON": "1",
        }
    )
    yield proc
    proc.stop()


_ips = iter(f"127.90.{a}.{b}" for a in range(1, 250) for b in range(1, 250))


def fresh_ip() -> str:
    return next(_ips)


def call(
    stack: DevProcess,
    method: str,
    path: str,
    body: Any = None,
    headers: dict | None = None,
    source: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    url = urlsplit(stack.base_url)
    conn = http.client.HTTPConnection(
        url.hostname, url.port, timeout=30, source_address=(source or fresh_ip(), 0)
    )
    try:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        reply = conn.getresponse()
        raw = reply.read()
        hdrs = {k.lower(): v for k, v in reply.getheaders()}
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return reply.status, hdrs, payload
    finally:
        conn.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def draft(email: str | None = None, body: str | None = None) -> dict[str, Any]:
    return {
        "name": "Ann",
        "email": email or f"a-{uuid.uuid4().hex[:8]}@example.org",
        "body": body or f"A reasonable remark, {uuid.uuid4().hex[:6]}.",
    }


# -- moderation: the authorizer and the group ------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """The dev server's user pool (from its /config.json): who issues tokens, for which client."""

    issuer: str
    client_id: str

    def token(self, **kwargs: Any) -> str:
        return authorizer.mint(self.issuer, self.client_id, **kwargs)


@pytest.fixture(scope="module")
def pool(stack) -> Pool:
    _, _, config = call(stack, "GET", "/config.json")
    return Pool(
        f"https://cognito-idp.{config['region']}.amazonaws.com/{config['userPoolId']}", config["clientId"]
    )


def _tamper(token: str, **changes: Any) -> str:
    head, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{sig}"


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _unsigned(p: Pool, groups: list[str]) -> str:
    now = int(time.time())
    claims = {"sub": "x", "iss": p.issuer, "client_id": p.client_id, "exp": now + 600, "iat": now}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({**claims, 'cognito:groups': groups})}."


def _hs256_with_the_public_key(p: Pool) -> str:
    """The algorithm-confusion attack: HS256 keyed with the pool's public key."""
    import hashlib
    import hmac

    now = int(time.time())
    claims = {"sub": "x", "iss": p.issuer, "client_id": p.client_id, "exp": now + 600, "iat": now}
    head = _b64({"alg": "HS256", "typ": "JWT", "kid": "dummy"})
    body = _b64({**claims, "cognito:groups": ["moderators"]})
    public = authorizer.emulator_signing_key().public_key()
    from cryptography.hazmat.primitives import serialization

    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    sig = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def _another_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


MOD = ["moderators"]
REFUSED_401: dict[str, Callable[[Pool], str | None]] = {
    "missing": lambda p: None,
    "empty bearer": lambda p: "",
    "not a JWT": lambda p: "nope",
    "expired": lambda p: p.token(groups=MOD, expires_in=-60),
    "signed with another key": lambda p: p.token(groups=MOD, key=_another_key()),
    "a key the pool does not have": lambda p: p.token(groups=MOD, kid="someone-elses-key"),
    "another issuer": lambda p: authorizer.mint("https://evil.example", p.client_id, groups=MOD),
    "another pool's issuer": lambda p: authorizer.mint(
        p.issuer.rsplit("/", 1)[0] + "/us-east-1_AnotherPool", p.client_id, groups=MOD
    ),
    "an access token for another app client": lambda p: p.token(groups=MOD, extra={"client_id": "other-app"}),
    "an ID token for another app client": lambda p: p.token(groups=MOD, token_use="id", extra={"aud": "x"}),
    "alg none": lambda p: _unsigned(p, MOD),
    "HS256 keyed with the public key": _hs256_with_the_public_key,
    "group added after signing": lambda p: _tamper(p.token(groups=["readers"]), **{"cognito:groups": MOD}),
    "expiry extended after signing": lambda p: _tamper(
        p.token(groups=MOD, expires_in=-60), exp=int(time.time()) + 3600
    ),
    "not yet valid": lambda p: p.token(groups=MOD, extra={"nbf": int(time.time()) + 3600}),
    "issued in the future": lambda p: p.token(groups=MOD, extra={"iat": int(time.time()) + 3600}),
}
REFUSED_403: dict[str, Callable[[Pool], str]] = {
    "no groups claim": lambda p: p.token(),
    "another group": lambda p: p.token(groups=["readers"]),
    "a group that only starts like it": lambda p: p.token(groups=["moderators-evil"]),
    "the group in another claim": lambda p: p.token(extra={"groups": MOD, "custom:role": "moderators"}),
    "empty groups": lambda p: p.token(groups=[]),
}
MODERATION_ROUTES = [
    ("GET", "/moderation/queue?max=1", None),
    ("GET", "/moderation/queue/depth", None),
    ("POST", "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV/decision", {"decision": "approve"}),
    ("POST", "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV/release", {"claim": "x"}),
    ("GET", "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV", None),
    ("GET", "/moderation/dlq", None),
    ("POST", "/moderation/dlq/redrive", None),
    ("PUT", "/moderation/articles/some-article", {"closed": True}),
    ("POST", "/moderation/authors/export", {"email": "x@example.org"}),
    ("POST", "/moderation/authors/erase", {"email": "x@example.org"}),
]


@pytest.mark.parametrize("case", list(REFUSED_401))
def test_moderation_refuses_a_bad_token_with_401(stack, pool, case):
    token = REFUSED_401[case](pool)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    for method, path, body in MODERATION_ROUTES:
        status, hdrs, payload = call(stack, method, path, body, headers)
        assert status == 401 and payload == {"error": "unauthorized"}, (case, path, status, payload)
        assert hdrs["cache-control"] == "no-store"


@pytest.mark.parametrize("case", list(REFUSED_403))
def test_moderation_refuses_a_token_without_the_moderators_group_with_403(stack, pool, case):
    token = REFUSED_403[case](pool)
    for method, path, body in MODERATION_ROUTES:
        status, hdrs, payload = call(stack, method, path, body, bearer(token))
        assert status == 403 and payload == {"error": "forbidden"}, (case, path, status, payload)
        assert hdrs["cache-control"] == "no-store"


def test_a_valid_moderators_token_is_let_in(stack, pool):
    for token in (
        pool.token(groups=MOD),
        pool.token(groups=["admins", "moderators"]),
        pool.token(groups=MOD, token_use="id"),
        pool.token(groups=MOD, extra={"aud": "x"}),
    ):
        status, hdrs, payload = call(stack, "GET", "/moderation/queue/depth", headers=bearer(token))
        assert status == 200, payload
        assert hdrs["cache-control"] == "no-store"


def _signed_in(stack: DevProcess, pool_id: str, client_id: str, email: str, password: str) -> dict:
    """A real sign-in on the emulator (SRP, by an independent client): the tokens Cognito gives."""
    from pycognito.aws_srp import AWSSRP

    srp = AWSSRP(email, password, pool_id, client_id, client=stack.client("cognito-idp"))
    return srp.authenticate_user()["AuthenticationResult"]


def test_the_pool_moderators_real_tokens_are_let_in_and_another_pools_are_not(stack):
    # Given the local moderator's real tokens from the dev server's pool
    _, _, config = call(stack, "GET", "/config.json")
    mine = _signed_in(
        stack, config["userPoolId"], config["clientId"], stack.moderator_email, stack.moderator_password
    )
    # And a moderator of another pool on the same emulator, in a group of the same name
    idp = stack.client("cognito-idp")
    other = idp.create_user_pool(PoolName="another-site", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=other,
        ClientName="console",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=other, GroupName="moderators")
    idp.admin_create_user(UserPoolId=other, Username="mod@another.example", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=other, Username="mod@another.example", Password="Another-Pass-123", Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=other, Username="mod@another.example", GroupName="moderators")
    theirs = _signed_in(stack, other, client, "mod@another.example", "Another-Pass-123")
    for kind in ("AccessToken", "IdToken"):
        # Then this pool's access and ID tokens open the moderation API
        status, _, payload = call(stack, "GET", "/moderation/queue/depth", headers=bearer(mine[kind]))
        assert status == 200, (kind, payload)
        # And the other pool's are refused as API Gateway refuses them: 401
        status, _, payload = call(stack, "GET", "/moderation/queue/depth", headers=bearer(theirs[kind]))
        assert status == 401 and payload == {"error": "unauthorized"}, (kind, payload)


def test_a_token_is_only_read_from_the_authorization_header(stack, pool):
    token = pool.token(groups=MOD)
    for headers, query in (
        ({}, f"?access_token={token}"),
        ({"Cookie": f"token={token}"}, ""),
        ({"X-Authorization": f"Bearer {token}"}, ""),
        ({"Authorization": f"Basic {token}"}, ""),
    ):
        status, _, _ = call(stack, "GET", f"/moderation/queue/depth{query}", headers=headers)
        assert status == 401


# -- CORS ------------------------------------------------------------------------------------
UNLISTED = [
    "https://evil.example",
    "null",
    "https://news.example.evil.example",
    "https://evil.example/news.example",
    "http://news.example",
    "https://news.example:8443",
    "https://NEWS.example",
    "https://news.example/",
    "https://sub.news.example",
    "*",
    "https://news.example, https://evil.example",
]


@pytest.mark.parametrize("origin", UNLISTED)
def test_cors_never_reflects_an_unlisted_origin(stack, origin):
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    requests_ = [
        ("OPTIONS", "/articles/a/comments", None, asked),
        ("OPTIONS", "/moderation/queue", None, {**asked, "Access-Control-Request-Headers": "authorization"}),
        ("GET", "/articles/a/comments", None, {}),
        ("POST", "/articles/a/comments", draft(), {}),
        ("POST", "/articles/a/comments", b"not json", {}),
        ("GET", "/moderation/queue", None, bearer(stack.moderator_token)),
        ("GET", "/moderation/queue", None, {}),
        ("GET", "/no/such/route", None, {}),
    ]
    for method, path, body, headers in requests_:
        _, hdrs, _ = call(stack, method, path, body, {"Origin": origin, **headers})
        assert "access-control-allow-origin" not in hdrs, (method, path, hdrs)
        assert "access-control-allow-credentials" not in hdrs


def test_a_listed_origin_gets_exactly_itself_back(stack):
    _, hdrs, _ = call(stack, "GET", "/articles/a/comments", headers={"Origin": SITE})
    assert hdrs["access-control-allow-origin"] == SITE and "Origin" in hdrs.get("vary", "")
    _, pre, _ = call(
        stack,
        "OPTIONS",
        "/articles/a/comments",
        headers={"Origin": SITE, "Access-Control-Request-Method": "POST"},
    )
    assert pre["access-control-allow-origin"] == SITE
    assert "access-control-allow-credentials" not in pre


# -- headers on every response ---------------------------------------------------------------
def test_every_response_says_nosniff_and_moderation_says_no_store(stack, pool):
    token = bearer(stack.moderator_token)
    mod_token = bearer(pool.token(groups=MOD))
    outsider = bearer(pool.token(groups=["readers"]))
    published = call(stack, "POST", "/articles/hdr/comments", draft())[2]["comment"]["id"]
    requests_ = [
        ("GET", "/", None, {}),
        ("GET", "/policy", None, {}),
        ("GET", "/static/comments-widget.js", None, {}),
        ("GET", "/static/nope.js", None, {}),
        ("GET", "/openapi.json", None, {}),
        ("OPTIONS", "/articles/a/comments", None, {"Origin": SITE, "Access-Control-Request-Method": "POST"}),
        ("GET", "/articles/hdr/comments", None, {}),
        ("GET", "/articles/hdr/comments?limit=0", None, {}),
        ("GET", "/articles/comment-counts?ids=hdr", None, {}),
        ("POST", "/articles/hdr/comments", draft(), {}),
        ("POST", "/articles/hdr/comments", b"{", {}),
        ("POST", "/articles/hdr/comments", {"name": 1}, {}),
        ("POST", "/articles/hdr/comments/validate", draft(), {}),
        ("POST", "/articles/hdr/comments", draft(body="x" * 40_000), {}),
        ("POST", f"/articles/hdr/comments/{published}/reports", {"reason": "rude"}, {}),
        ("PATCH", f"/articles/hdr/comments/{published}", {"editToken": "forged", "body": "changed"}, {}),
        ("DELETE", f"/articles/hdr/comments/{published}", {"editToken": "forged"}, {}),
        ("GET", "/no/such/route", None, {}),
        ("FOO", "/articles/hdr/comments", None, {}),
    ]
    moderation = [
        ("GET", "/moderation/queue", None, token),
        ("GET", "/moderation/queue?max=99", None, token),
        ("GET", "/moderation/queue", None, {}),
        ("GET", "/moderation/queue", None, outsider),
        ("GET", "/moderation/queue/depth", None, mod_token),
        ("GET", "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV", None, token),
        ("GET", f"/moderation/comments/{published}", None, token),
        ("POST", f"/moderation/comments/{published}/decision", {"decision": "approve"}, token),  # 409
        ("POST", "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV/decision", {"decision": "maybe"}, token),
        ("POST", "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV/decision", b"[", token),
        ("POST", "/moderation/authors/export", {"email": "nobody@example.org"}, token),
    ]
    seen = set()
    for method, path, body, headers in requests_ + moderation:
        status, hdrs, _ = call(stack, method, path, body, headers)
        seen.add(status)
        assert hdrs.get("x-content-type-options") == "nosniff", (method, path, status)
        if path.startswith("/moderation"):
            assert hdrs.get("cache-control") == "no-store", (method, path, status)
    assert {200, 201, 204, 400, 401, 403, 404, 409, 413, 422} <= seen | {204}


# -- rate limits -----------------------------------------------------------------------------
SPOOFS = [
    "X-Forwarded-For",
    "X-Real-IP",
    "Forwarded",
    "True-Client-IP",
    "CF-Connecting-IP",
    "X-Client-IP",
    "X-Originating-IP",
    "Client-IP",
    "X-Cluster-Client-IP",
]


def room_in_this_window(seconds: float = 20.0) -> None:
    """The limit counts per fixed clock minute: a sequence that expects the limit to bite must not
    straddle two windows. With fewer than `seconds` left in this minute, wait for the next one."""
    left = 60 - time.time() % 60
    if left < seconds:
        time.sleep(left + 0.05)


def test_rate_limits_cannot_be_dodged_with_forwarding_headers(stack):
    room_in_this_window()
    source = fresh_ip()
    article = f"/articles/rl-{uuid.uuid4().hex[:6]}/comments"
    codes = []
    for i in range(LIMIT + len(SPOOFS)):
        spoof = (
            {}
            if i < LIMIT
            else {
                SPOOFS[i - LIMIT]: f"203.0.113.{i}"
                if SPOOFS[i - LIMIT] != "Forwarded"
                else f"for=203.0.113.{i}"
            }
        )
        status, hdrs, payload = call(stack, "POST", article, draft(), spoof, source=source)
        codes.append(status)
        if status == 429:
            assert payload == {"error": "rate_limited"} and int(hdrs["retry-after"]) >= 1
    assert codes == [201] * LIMIT + [429] * len(SPOOFS)


def test_rate_limits_follow_the_author_across_addresses_and_spellings(stack):
    email = f"Prolific.{uuid.uuid4().hex[:6]}@Example.org"
    article = f"/articles/rl-{uuid.uuid4().hex[:6]}/comments"
    spellings = [email, email.lower(), f"  {email.upper()}  ", email.swapcase()]
    room_in_this_window()
    codes = [call(stack, "POST", article, draft(e), source=fresh_ip())[0] for e in spellings]
    assert codes == [201] * LIMIT + [429]


def test_checking_a_comment_counts_toward_no_limit(stack):
    source = fresh_ip()
    for _ in range(LIMIT + 2):
        assert call(stack, "POST", "/articles/rl/comments/validate", draft(), source=source)[0] == 200
    assert call(stack, "POST", "/articles/rl/comments", draft(), source=source)[0] == 201


# -- nothing personal in logs, metrics, queues, events or the table --------------------------


def test_no_email_or_ip_in_any_log_line_metric_queue_message_event_or_item(stack):
    token = bearer(stack.moderator_token)
    article = f"leak-{uuid.uuid4().hex[:6]}"
    path = f"/articles/{article}/comments"
    first, second = CANARY_EMAILS
    links = "See https://a.example.com https://b.example.com https://c.example.com for context."
    # Every outcome, from the canary address: published, held, rejected, invalid, duplicate,
    # idempotent replay and conflict, rate limited, reported, decided with a ban, exported, erased.
    room_in_this_window()
    published = call(stack, "POST", path, draft(first, "A fair and careful remark."), source=CANARY_IP)
    assert published[0] == 201
    held = call(stack, "POST", path, draft(second, links), {"Idempotency-Key": "leak-key"}, source=CANARY_IP)
    assert held[0] == 202
    assert (
        call(stack, "POST", path, draft(second, links), {"Idempotency-Key": "leak-key"}, source=CANARY_IP)[0]
        == 202
    )
    assert (
        call(stack, "POST", path, draft(second, "Other."), {"Idempotency-Key": "leak-key"}, source=CANARY_IP)[
            0
        ]
        == 409
    )
    assert call(stack, "POST", path, draft(first, "What utter shit."), source=CANARY_IP)[0] in (422, 429)
    assert call(stack, "POST", path, {"name": "x", "email": first + "@@", "body": "y"}, source=CANARY_IP)[
        0
    ] in (422, 429)
    assert (
        call(stack, "POST", path + "/validate", draft(first, "A fair and careful remark."), source=CANARY_IP)[
            0
        ]
        == 200
    )
    assert call(stack, "POST", path, draft(first, "One more."), source=CANARY_IP)[0] == 429
    report = f"{path}/{published[2]['comment']['id']}/reports"
    assert call(stack, "POST", report, {"reason": "spam"}, source=CANARY_IP)[0] == 202
    held_id = held[2]["comment"]["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # let the relay queue the held comment and publish events
        detail = call(stack, "GET", f"/moderation/comments/{held_id}", headers=token)[2]
        depth = call(stack, "GET", "/moderation/queue/depth", headers=token)[2]
        if depth["queue"]["waiting"] + depth["queue"]["claimed"] >= 1:
            break
        time.sleep(0.3)
    queue_url = call(stack, "GET", "/_dev/stack")[2]["queues"]
    sqs = stack.client("sqs")
    messages = []
    for url in queue_url.values():
        for _ in range(3):
            got = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageAttributeNames=["All"]
            ).get("Messages", [])
            messages += [json.dumps(m, default=str) for m in got]
    assert any(held_id in m for m in messages), "the held comment should be on the moderation queue"
    decided = call(
        stack,
        "POST",
        f"/moderation/comments/{held_id}/decision",
        {"decision": "reject", "banAuthor": True, "note": "spam"},
        token,
    )
    assert decided[0] == 200 and detail["comment"]["id"] == held_id
    assert call(stack, "POST", "/moderation/authors/export", {"email": first}, token)[0] == 200
    assert call(stack, "POST", "/moderation/authors/erase", {"email": second}, token)[0] == 200
    time.sleep(2)  # the relay and the event tap print what they handle
    events = call(stack, "GET", "/_dev/events")
    table = call(stack, "GET", "/_dev/stack")[2]["tables"]["CommentsTable"]
    items = stack.client("dynamodb").scan(TableName=table)["Items"]

    haystacks = {
        "the server's output (function logs, metrics, access log)": "".join(stack.output),
        "queue messages": "\n".join(messages),
        "events": json.dumps(events[2]) if events[0] == 200 else "",
        "table items": json.dumps(items),
    }
    needles = [
        CANARY_IP,
        CANARY_IP.replace(".", "-"),
        *CANARY_EMAILS,
        *(e.lower() for e in CANARY_EMAILS),
        "leak-test.example",
        "canary.reader",
    ]
    for where, text in haystacks.items():
        lowered = text.lower()
        for needle in needles:
            assert needle.lower() not in lowered, f"{needle!r} found in {where}"
    assert "function_name" in haystacks["the server's output (function logs, metrics, access log)"]
