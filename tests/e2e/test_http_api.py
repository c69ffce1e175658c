"""The contract's public routes over real HTTP against the local stack (`make dev`'s server):
one request per status of the submission table, as a curl from a comment form would see it."""

import json
import time
import uuid

import pytest
import requests


def good() -> dict:
    """A clean comment from a new author (the stack is shared, and duplicates are per author)."""
    return {
        "name": "Ada",
        "email": f"ada-{uuid.uuid4().hex[:8]}@example.org",
        "body": "A thoughtful, well argued piece. Thank you.",
    }


def article() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def post(stack, art: str, body, **kwargs) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    return requests.post(
        f"{stack.base_url}/articles/{art}/comments", data=data, headers=headers, timeout=15, **kwargs
    )


def local_resources(stack) -> dict:
    return requests.get(f"{stack.base_url}/_dev/stack", timeout=5).json()


def test_201_published(dev_stack):
    r = post(dev_stack, article(), good())
    assert r.status_code == 201
    assert r.json()["status"] == "published" and r.json()["editToken"]
    assert r.headers["Content-Type"].startswith("application/json")


def test_202_held_and_queued(dev_stack):
    art = article()
    r = post(
        dev_stack,
        art,
        {**good(), "body": "Links: https://a.example.com https://b.example.com https://c.example.com"},
    )
    assert r.status_code == 202
    assert r.json()["status"] == "pending" and r.json()["reasons"]
    comment_id = r.json()["comment"]["id"]
    # The relay (the stream poller playing Lambda's event source mapping) queues it.
    sqs = dev_stack.client("sqs")
    url = local_resources(dev_stack)["queues"]["ModerationQueue"]
    deadline, found = time.monotonic() + 20, None
    while time.monotonic() < deadline and found is None:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        ):
            body = json.loads(m["Body"])
            if body["comment"]["id"] == comment_id:
                found = body
        time.sleep(0.2)
    assert found is not None and found["type"] == "comment.held"


def test_422_policy_violation(dev_stack):
    r = post(dev_stack, article(), {**good(), "body": "What utter shit this is."})
    assert r.status_code == 422
    assert r.json()["error"] == "policy_violation" and r.json()["violations"]


def test_422_validation_error(dev_stack):
    r = post(dev_stack, article(), {"name": "", "email": "nope", "body": ""})
    assert r.status_code == 422
    assert r.json()["error"] == "validation_error"
    assert {d["field"] for d in r.json()["details"]} == {"name", "email", "body"}


def test_400_not_json(dev_stack):
    r = post(dev_stack, article(), b"{not json")
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request"


def test_403_comments_closed(dev_stack):
    from comments.adapters.comment_table import CommentTable
    from comments.domain.models import ArticleSettings

    art = article()
    table = CommentTable(local_resources(dev_stack)["tables"]["CommentsTable"], dev_stack.client("dynamodb"))
    table.put_article_settings(art, ArticleSettings(closed=True))
    r = post(dev_stack, art, good())
    assert r.status_code == 403
    assert r.json() == {"error": "comments_closed"}


def test_404_unknown_parent(dev_stack):
    r = post(dev_stack, article(), {**good(), "parentId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
    assert r.status_code == 404
    assert r.json() == {"error": "not_found"}


def test_413_payload_too_large(dev_stack):
    r = post(dev_stack, article(), {**good(), "body": "x" * 40000})
    assert r.status_code == 413
    assert r.json() == {"error": "payload_too_large"}


def test_409_idempotency_conflict_and_replay(dev_stack):
    art, key, g = article(), str(uuid.uuid4()), good()
    first = post(dev_stack, art, g, headers={"Idempotency-Key": key})
    replay = post(dev_stack, art, g, headers={"Idempotency-Key": key})
    conflict = post(dev_stack, art, {**g, "body": "Changed my mind."}, headers={"Idempotency-Key": key})
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert conflict.status_code == 409 and conflict.json()["error"] == "idempotency_conflict"
    listed = requests.get(f"{dev_stack.base_url}/articles/{art}/comments", timeout=5).json()
    assert len(listed["comments"]) == 1


def test_list_and_validate(dev_stack):
    art, g = article(), good()
    posted = post(dev_stack, art, g).json()["comment"]
    listed = requests.get(f"{dev_stack.base_url}/articles/{art}/comments?limit=10", timeout=5)
    assert listed.status_code == 200
    assert listed.json() == {"articleId": art, "comments": [posted], "nextCursor": None}
    checked = requests.post(f"{dev_stack.base_url}/articles/{art}/comments/validate", json=g, timeout=5)
    assert checked.status_code == 200 and checked.json()["verdict"] == "reject"  # a duplicate now
    assert [r["rule"] for r in checked.json()["reasons"]] == ["duplicate"]


def test_cors_preflight_only_for_listed_origins(dev_stack):
    url = f"{dev_stack.base_url}/articles/{article()}/comments"
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,idempotency-key",
    }
    listed = requests.options(url, headers={"Origin": dev_stack.extra_origin_url, **asked}, timeout=5)
    assert listed.headers["Access-Control-Allow-Origin"] == dev_stack.extra_origin_url
    assert "idempotency-key" in listed.headers["Access-Control-Allow-Headers"]
    stranger = requests.options(url, headers={"Origin": "https://evil.example", **asked}, timeout=5)
    assert "Access-Control-Allow-Origin" not in stranger.headers
    got = requests.get(url, headers={"Origin": "https://evil.example"}, timeout=5)
    assert "Access-Control-Allow-Origin" not in got.headers


def test_unknown_route_is_a_json_404(dev_stack):
    r = requests.get(f"{dev_stack.base_url}/no/such/route", timeout=5)
    assert r.status_code == 404
    assert r.json() == {"error": "not_found"}


@pytest.fixture(scope="module")
def limited_stack():
    from comments_dev.launch import start_dev_server

    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "2"})
    yield proc
    proc.stop()


def test_429_rate_limited_with_retry_after(limited_stack):
    art = article()
    codes = [
        post(
            limited_stack, art, {**good(), "email": f"x{i}@example.org", "body": f"Point {i} stands."}
        ).status_code
        for i in range(3)
    ]
    assert codes[:2] == [201, 201]
    r = post(
        limited_stack,
        art,
        {**good(), "email": "y@example.org", "body": "One more point."},
        headers={"X-Forwarded-For": "203.0.113.5"},
    )
    assert r.status_code == 429
    assert r.json() == {"error": "rate_limited"}
    assert int(r.headers["Retry-After"]) >= 1


# -- bodies are JSON or nothing: a cross-site form cannot post without a CORS preflight -----------
SOME_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
BODY_ROUTES = [
    ("POST", "/articles/{a}/comments", {"name": "Ada", "email": "a@example.org", "body": "Fine."}),
    ("POST", "/articles/{a}/comments/validate", {"name": "Ada", "email": "a@example.org", "body": "Fine."}),
    ("POST", f"/articles/{{a}}/comments/{SOME_ID}/reports", {"reason": "rude"}),
    ("PATCH", f"/articles/{{a}}/comments/{SOME_ID}", {"editToken": "t", "body": "Fixed."}),
    ("DELETE", f"/articles/{{a}}/comments/{SOME_ID}", {"editToken": "t"}),
    ("POST", f"/moderation/comments/{SOME_ID}/decision", {"decision": "approve"}),
    ("POST", f"/moderation/comments/{SOME_ID}/release", {"claim": "c"}),
    ("POST", "/moderation/dlq/redrive", {}),
    ("PUT", "/moderation/articles/{a}", {"closed": False}),
    ("POST", "/moderation/authors/export", {"email": "a@example.org"}),
    ("POST", "/moderation/authors/erase", {"email": "nobody@example.org"}),
]


def _send(stack, method: str, path: str, body: bytes, headers: dict) -> requests.Response:
    if path.startswith("/moderation"):
        headers = {**headers, "Authorization": f"Bearer {stack.moderator_token}"}
    return requests.request(method, f"{stack.base_url}{path}", data=body, headers=headers, timeout=15)


@pytest.mark.parametrize(
    ("method", "path", "body"), BODY_ROUTES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_body_sent_as_anything_but_json_is_415_on_every_route_with_a_body(dev_stack, method, path, body):
    path = path.format(a=article())
    as_json = json.dumps(body).encode()
    refused = {
        "text/plain": (as_json, {"Content-Type": "text/plain"}),
        "form": (
            b"name=Ada&email=a%40example.org&body=Fine.",
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        "multipart": (
            b'--b\r\nContent-Disposition: form-data; name="body"\r\n\r\nFine.\r\n--b--\r\n',
            {"Content-Type": "multipart/form-data; boundary=b"},
        ),
        "no content type": (as_json, {}),
    }
    for kind, (data, headers) in refused.items():
        r = _send(dev_stack, method, path, data, headers)
        assert r.status_code == 415, (kind, r.status_code, r.text)
        assert r.json() == {"error": "unsupported_media_type"}, kind
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    accepted = _send(dev_stack, method, path, as_json, {"Content-Type": "application/json; charset=utf-8"})
    assert accepted.status_code != 415, accepted.text


def test_json_with_a_charset_is_accepted_and_stored(dev_stack):
    art = article()
    r = post(dev_stack, art, good(), headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201
    listed = requests.get(f"{dev_stack.base_url}/articles/{art}/comments", timeout=5).json()
    assert [c["id"] for c in listed["comments"]] == [r.json()["comment"]["id"]]


def test_no_response_carries_set_cookie(dev_stack):
    r = post(dev_stack, article(), good())
    assert r.status_code == 201 and "Set-Cookie" not in r.headers


@pytest.mark.parametrize(
    "headers",
    [[("Idempotency-Key", "a"), ("Idempotency-Key", "b")], [("Idempotency-Key", "")]],
    ids=["repeated", "empty"],
)
def test_a_repeated_or_empty_idempotency_key_is_400(dev_stack, headers):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(dev_stack.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    body = json.dumps(good()).encode()
    conn.putrequest("POST", f"/articles/{article()}/comments")
    for name, value in [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers]:
        conn.putheader(name, value)
    conn.endheaders(body)
    reply = conn.getresponse()
    payload = json.loads(reply.read())
    conn.close()
    assert reply.status == 400 and payload["error"] == "bad_request"
    assert "Idempotency-Key" in payload["message"]


@pytest.mark.parametrize(("method", "path"), [("POST", "/no/such/route"), ("PUT", "/articles/x/comments")])
def test_a_route_that_does_not_exist_is_404_whatever_its_body(dev_stack, method, path):
    r = requests.request(
        method, f"{dev_stack.base_url}{path}", data="x", headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert r.status_code == 404 and r.json() == {"error": "not_found"}
