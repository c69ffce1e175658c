"""A corpus of ugly inputs, sent over real HTTP to `make dev`'s server: every one gets a clean 4xx
with a JSON `error` body (never a 5xx, a stack trace or an HTML page), and nothing is stored."""

import http.client
import json
import uuid
from urllib.parse import urlsplit

import pytest

ARTICLE = f"hostile-{uuid.uuid4().hex[:8]}"
PATH = f"/articles/{ARTICLE}/comments"


def good(**extra) -> dict:
    return {
        "name": "Hal",
        "email": f"h-{uuid.uuid4().hex[:8]}@example.org",
        "body": "A fair point, well made.",
        **extra,
    }


def raw(
    stack,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
    header_list: list[tuple[str, str]] | None = None,
) -> tuple[int, dict, bytes]:
    """One request exactly as given: no client-side normalising of the path, body or headers."""
    url = urlsplit(stack.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if body is not None:
            hdrs["Content-Length"] = str(len(body))
        for k, v in [*hdrs.items(), *(header_list or [])]:
            conn.putheader(k, v)
        try:
            conn.endheaders(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading the whole body (413): read that answer
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def assert_clean(
    status: int, headers: dict, body: bytes, expected: set[int], error: str | None = None
) -> dict:
    assert status in expected, (status, body[:300])
    assert 400 <= status < 500
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers["content-type"].startswith("application/json")
    text = body.decode("utf-8")
    for leak in ("Traceback", "Exception", 'File "', "botocore", "pydantic"):
        assert leak not in text, text[:300]
    payload = json.loads(text)
    assert isinstance(payload.get("error"), str)
    if error:
        assert payload["error"] == error, payload
    return payload


def utf8(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


EMOJI = "\U0001f600"
BODIES: list[tuple[str, bytes, set[int], str]] = [
    (
        "invalid UTF-8",
        b'{"name": "\xff\xfe\xfd", "email": "a@example.org", "body": "hi there"}',
        {400},
        "bad_request",
    ),
    (
        "overlong UTF-8 NUL",
        b'{"name": "\xc0\x80", "email": "a@example.org", "body": "hi there"}',
        {400},
        "bad_request",
    ),
    ("UTF-16 body", utf8(good()).decode().encode("utf-16"), {400}, "bad_request"),
    ("1 MB body", utf8(good(body="x" * 1_000_000)), {413}, "payload_too_large"),
    (
        "11 MB body (over the gateway's limit)",
        b"{" + b" " * (11 * 1024 * 1024) + b"}",
        {413},
        "payload_too_large",
    ),
    ("JSON nested 10,000 deep", b"[" * 10_000 + b"]" * 10_000, {400}, "bad_request"),
    ("a field nested 10,000 deep", b'{"name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", {400}, "bad_request"),
    ("objects nested 5,000 deep", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, {400, 422}, None),
    ("NUL in the body", utf8(good(body="fine\u0000text")), {422}, "validation_error"),
    ("NUL in the name", utf8(good(name="Ha\u0000l")), {422}, "validation_error"),
    ("escape sequences", utf8(good(body="\u001b[31mred\u001b[0m alert")), {422}, "validation_error"),
    ("bell and DEL", utf8(good(body="ring\u0007 ring\u007f")), {422}, "validation_error"),
    ("C1 control", utf8(good(body="next\u0085line")), {422}, "validation_error"),
    ("control character in the email", utf8(good(email="a\u0001@example.org")), {422}, "validation_error"),
    ("RTL override in the body", utf8(good(body="harmless \u202etxt.exe")), {422}, "validation_error"),
    ("RTL override in the name", utf8(good(name="\u202eadmin")), {422}, "validation_error"),
    ("isolate in the name", utf8(good(name="Ha\u2066l")), {422}, "validation_error"),
    (
        "lone surrogate",
        b'{"name": "Hal", "email": "a@example.org", "body": "x\\ud800y"}',
        {422},
        "validation_error",
    ),
    ("10,000 emoji (over 32 KiB)", utf8(good(body=EMOJI * 10_000)), {413}, "payload_too_large"),
    (
        "10,000 emoji as JSON escapes",
        json.dumps(good(body=EMOJI * 10_000)).encode(),
        {413},
        "payload_too_large",
    ),
    (
        "duplicate JSON keys",
        b'{"name": "Hal", "name": "Admin", "email": "a@example.org", "body": "hi there"}',
        {400},
        "bad_request",
    ),
    (
        "duplicate keys, nested",
        b'{"name": "Hal", "email": "a@example.org", "body": "hi", "x": {"a": 1, "a": 2}}',
        {400},
        "bad_request",
    ),
    ("numbers where strings belong", b'{"name": 12, "email": 3, "body": 4.5}', {422}, "validation_error"),
    (
        "booleans where strings belong",
        b'{"name": true, "email": false, "body": null}',
        {422},
        "validation_error",
    ),
    (
        "objects where strings belong",
        b'{"name": {}, "email": [], "body": {"$gt": ""}}',
        {422},
        "validation_error",
    ),
    ("a number parentId", utf8(good(parentId=5)), {422}, "validation_error"),
    ("a huge number", b'{"name": "Hal", "email": "a@example.org", "body": 1e400}', {422}, "validation_error"),
    (
        "a 5,000-digit integer",
        b'{"name": "Hal", "email": "a@example.org", "body": ' + b"9" * 5000 + b"}",
        {400},
        "bad_request",
    ),
    ("NaN", b'{"name": "Hal", "email": "a@example.org", "body": NaN}', {400}, "bad_request"),
    ("Infinity", b'{"name": "Hal", "email": "a@example.org", "body": -Infinity}', {400}, "bad_request"),
    ("not JSON", b"name=Hal&email=a@example.org", {400}, "bad_request"),
    ("JSON null", b"null", {400}, "bad_request"),
    ("a JSON array", b"[]", {400}, "bad_request"),
    ("a JSON string", b'"hello"', {400}, "bad_request"),
    ("empty body", b"", {400}, "bad_request"),
    ("whitespace only", b" \n\t ", {400}, "bad_request"),
    ("trailing garbage", utf8(good()) + b"}}", {400}, "bad_request"),
    ("BOM first", b"\xef\xbb\xbf" + utf8(good()), {400}, "bad_request"),
    ("an email of 300 characters", utf8(good(email="a" * 290 + "@example.org")), {422}, "validation_error"),
    ("an 81-character name", utf8(good(name="N" * 81)), {422}, "validation_error"),
    (
        "a parentId full of traversal",
        utf8(good(parentId="../../C#01ARZ3NDEKTSV4RRFFQ69G5FAV")),
        {404},
        "not_found",
    ),
    ("a parentId of 10,000 characters", utf8(good(parentId="A" * 10_000)), {404}, "not_found"),
]


@pytest.mark.parametrize(("case", "body", "expected", "error"), BODIES, ids=[c[0] for c in BODIES])
def test_ugly_bodies_get_a_clean_4xx(dev_stack, case, body, expected, error):
    for path in (PATH, PATH + "/validate"):
        status, headers, reply = raw(dev_stack, "POST", path, body)
        assert_clean(status, headers, reply, expected, error)


def test_emoji_under_the_byte_limit_but_over_5000_characters_break_the_length_rule(dev_stack):
    body = EMOJI * 6_000  # 24,000 bytes: under 32 KiB, over 5,000 characters
    status, headers, reply = raw(dev_stack, "POST", PATH, utf8(good(body=body)))
    payload = assert_clean(status, headers, reply, {422}, "policy_violation")
    assert "length" in [v["rule"] for v in payload["violations"]]


def test_nothing_ugly_was_stored(dev_stack):
    reply = raw(dev_stack, "GET", PATH)
    assert reply[0] == 200 and json.loads(reply[2])["comments"] == []


PATHS = [
    ("GET", "/articles/..%2F..%2Fetc%2Fpasswd/comments"),
    ("GET", "/articles/%2e%2e/comments"),
    ("GET", "/articles/../comments"),
    ("GET", "/articles/a%2Fb/comments"),
    ("GET", "/articles/a%252Fb/comments"),
    ("GET", "/articles/a%00b/comments"),
    ("GET", "/articles/" + "a" * 129 + "/comments"),
    ("GET", "/articles/-leading-dash/comments"),
    ("GET", "/articles/%E2%80%AEevil/comments"),
    ("POST", "/articles/..%2Fmoderation%2Fqueue/comments"),
    ("POST", "/articles/ok/comments/..%2F..%2Fmoderation%2Fqueue/reports"),
    ("POST", "/articles/ok/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV%2F..%2F../reports"),
    ("PATCH", "/articles/ok/comments/..%2F01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ("DELETE", "/articles/ok/comments/%2e%2e%2f%2e%2e"),
    ("GET", "/static/../../template.yaml"),
    ("GET", "/static/..%2F..%2Ftemplate.yaml"),
    ("GET", "/static/%2e%2e/%2e%2e/pyproject.toml"),
]


@pytest.mark.parametrize(("method", "path"), PATHS, ids=[f"{m} {p}" for m, p in PATHS])
def test_traversal_and_encoded_slashes_in_ids_are_404(dev_stack, method, path):
    body = utf8({"reason": "x", "editToken": "t", "body": "b", **good()}) if method != "GET" else None
    status, headers, reply = raw(dev_stack, method, path, body)
    assert_clean(status, headers, reply, {404}, "not_found")


def test_traversal_in_moderation_ids_is_404_for_a_moderator(dev_stack):
    auth = {"Authorization": f"Bearer {dev_stack.moderator_token}"}
    for path in (
        "/moderation/comments/..%2F..%2Farticles%2Fx/decision",
        "/moderation/comments/%2e%2e",
        "/moderation/articles/..%2F..%2Fetc",
    ):
        method = "GET" if path.endswith("%2e%2e") else ("PUT" if "/articles/" in path else "POST")
        status, headers, reply = raw(dev_stack, method, path, b'{"decision": "approve"}', auth)
        assert_clean(status, headers, reply, {404}, "not_found")


def test_an_oversized_header_is_refused_cleanly(dev_stack):
    status, headers, reply = raw(dev_stack, "GET", PATH, headers={"X-Padding": "a" * 70_000})
    assert_clean(status, headers, reply, {400, 431})


def test_too_many_headers_are_refused_cleanly(dev_stack):
    many = [(f"X-H{i}", "v") for i in range(150)]
    status, headers, reply = raw(dev_stack, "GET", PATH, header_list=many)
    assert_clean(status, headers, reply, {400, 431})


def test_an_oversized_or_binary_idempotency_key_is_a_bad_request(dev_stack):
    for key in ("k" * 65, "k" * 10_000, "caf\u00e9".encode().decode("latin-1"), "tab\there"):
        status, headers, reply = raw(dev_stack, "POST", PATH, utf8(good()), {"Idempotency-Key": key})
        assert_clean(status, headers, reply, {400}, "bad_request")


def test_an_oversized_authorization_header_is_refused(dev_stack):
    status, headers, reply = raw(
        dev_stack, "GET", "/moderation/queue", headers={"Authorization": "Bearer " + "x" * 20_000}
    )
    assert_clean(status, headers, reply, {401}, "unauthorized")


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=0",
        "limit=101",
        "limit=1e3",
        "limit=%00",
        "limit=%D9%A3",
        "limit=99999999999999999999999",
        "cursor=" + "A" * 5000,
        "cursor=%FF%FE",
        "cursor=..%2F..",
        "cursor=a.b",
        "cursor=%E2%80%AE",
    ],
)
def test_hostile_query_strings_are_a_bad_request(dev_stack, query):
    status, headers, reply = raw(dev_stack, "GET", f"{PATH}?{query}")
    assert_clean(status, headers, reply, {400}, "bad_request")


@pytest.mark.parametrize(
    "ids", ["", ",".join(f"a{i}" for i in range(101)), "..%2F..", "a,%00", "a," + "b" * 129]
)
def test_hostile_comment_count_ids_are_a_bad_request(dev_stack, ids):
    status, headers, reply = raw(dev_stack, "GET", f"/articles/comment-counts?ids={ids}")
    assert_clean(status, headers, reply, {400}, "bad_request")


def test_unknown_methods_are_a_json_404_as_api_gateway_answers_them(dev_stack):
    # An undefined method on a route falls to the $default route (a JSON 404), as in API
    # Gateway: never a 405 without an Allow header, never a 501.
    for method in ("TRACE", "CONNECT", "PROPFIND", "FOO"):
        status, headers, reply = raw(dev_stack, method, PATH)
        assert_clean(status, headers, reply, {404}, "not_found")
        assert "allow" not in headers


def test_a_malformed_request_line_is_refused_cleanly(dev_stack):
    import socket

    url = urlsplit(dev_stack.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(b"GET /articles/x/comments HTTP/1.1 extra\r\n\r\n")
        data = s.recv(65536)
    if data.startswith(b"HTTP/"):
        head, _, body = data.partition(b"\r\n\r\n")
        assert 400 <= int(head.split()[1]) < 500
        assert b"nosniff" in head.lower()
    else:
        body = data  # the stdlib answers a request line it cannot read as HTTP/0.9 would: no head
    assert json.loads(body)["error"] == "bad_request"


def test_moderation_bodies_are_checked_like_any_other(dev_stack):
    auth = {"Authorization": f"Bearer {dev_stack.moderator_token}"}
    path = "/moderation/comments/01ARZ3NDEKTSV4RRFFQ69G5FAV/decision"
    for body, expected in (
        (b"[" * 10_000 + b"]" * 10_000, {400}),
        (b'{"decision": "approve", "decision": "x"}', {400}),
        (b'{"decision": 1}', {422}),
        (b'{"decision": "approve", "note": "\\u0000"}', {422}),
        (b'{"decision": "approve", "banDays": -1}', {422}),
        (b"\xff", {400}),
    ):
        status, headers, reply = raw(dev_stack, "POST", path, body, auth)
        payload = assert_clean(status, headers, reply, expected)
        assert headers.get("cache-control") == "no-store", payload
