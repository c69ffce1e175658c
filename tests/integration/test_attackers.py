"""Forgery, in the functions themselves (extends test_read.py's forged and cross-article cursors
and test_moderation.py's cross-comment and altered claims): signed tokens cannot be moved between
purposes, articles, comments or deployments, and the claims the authorizer passes are read
strictly. Over HTTP: tests/e2e/test_attackers_http.py."""

import base64
import json
import uuid

import pytest
from conftest import MODERATOR

ARTICLE = "attack-a"
LINKS = "See https://a.example.com https://b.example.com https://c.example.com"


def post(api, article: str = ARTICLE, body: str | None = None):
    reply = api.call(
        "POST",
        f"/articles/{article}/comments",
        {
            "name": "Eve",
            "email": f"e-{uuid.uuid4().hex[:8]}@example.org",
            "body": body or f"An opinion, {uuid.uuid4().hex[:6]}.",
        },
    )
    assert reply.status in (201, 202), reply.text
    return reply.json


def cursor_for(api, article: str) -> str:
    for _ in range(2):
        post(api, article)
    return api.call("GET", f"/articles/{article}/comments", query="limit=1").json["nextCursor"]


def claim_for(api, relay_mapping) -> tuple[str, str]:
    held = post(api, body=LINKS)["comment"]["id"]
    for _ in range(3):
        relay_mapping.poll_once()
    [item] = api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR).json["items"]
    return held, item["claim"]


@pytest.fixture
def relay_mapping(api, aws_stack):
    from comments_dev.streams import stream_mappings

    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    return mapping


def test_a_claim_is_not_a_cursor_and_a_cursor_is_not_a_claim(api, relay_mapping):
    held, claim = claim_for(api, relay_mapping)
    cursor = cursor_for(api, ARTICLE)
    assert api.call("GET", f"/articles/{ARTICLE}/comments", query=f"cursor={claim}").status == 400
    reply = api.call(
        "POST",
        f"/moderation/comments/{held}/decision",
        {"decision": "approve", "claim": cursor},
        claims=MODERATOR,
    )
    assert reply.status == 400


@pytest.mark.parametrize("other", ["attack-a.", "Attack-A", "attack-a-b", "attack"])
def test_a_cursor_does_not_read_a_look_alike_article(api, other):
    cursor = cursor_for(api, ARTICLE)
    assert api.call("GET", f"/articles/{other}/comments", query=f"cursor={cursor}").status == 400


def test_a_cursor_re_signed_with_another_deployments_secret_is_refused(api, monkeypatch):
    from comments.domain.hmac_keys import HmacKeys

    another_deployment = HmacKeys(b"another-deployment-" + b"x" * 40)
    foreign = another_deployment.sign(
        "cursor",
        json.dumps({"a": ARTICLE, "k": {"pk": "C#x", "gsi1pk": f"A#{ARTICLE}", "gsi1sk": "x"}}).encode(),
    )
    assert api.call("GET", f"/articles/{ARTICLE}/comments", query=f"cursor={foreign}").status == 400


def test_a_cursor_pointed_at_another_article_by_editing_its_payload_is_refused(api):
    cursor = cursor_for(api, ARTICLE)
    body, mac = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["a"] = "attack-b"
    payload["k"]["gsi1pk"] = "A#attack-b"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert api.call("GET", "/articles/attack-b/comments", query=f"cursor={forged}.{mac}").status == 400


def test_a_claim_with_its_comment_id_edited_decides_nothing(api, relay_mapping):
    _held, claim = claim_for(api, relay_mapping)
    other = post(api, body=LINKS)["comment"]["id"]
    body, mac = claim.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["c"] = other
    forged = (
        base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
    )
    reply = api.call(
        "POST",
        f"/moderation/comments/{other}/decision",
        {"decision": "approve", "claim": f"{forged}.{mac}"},
        claims=MODERATOR,
    )
    assert reply.status == 400
    detail = api.call("GET", f"/moderation/comments/{other}", claims=MODERATOR).json
    assert detail["comment"]["status"] == "pending"


@pytest.mark.parametrize(
    "claims",
    [
        {"username": "x", "cognito:groups": "[moderators]"},  # no sub
        {"sub": "", "cognito:groups": "[moderators]"},
    ],
)
def test_claims_without_a_subject_are_unauthorized(api, claims):
    assert api.call("GET", "/moderation/queue", claims=claims).status == 401


@pytest.mark.parametrize(
    "groups",
    [
        "",
        "[]",
        "[moderators-evil]",
        "[Moderators]",
        "[admins]",
        "moderator",
        '["moderators"]',
        "[mod erators]",
    ],
)
def test_only_the_exact_moderators_group_is_let_in(api, groups):
    claims = {"sub": "u-1", "username": "u", "cognito:groups": groups}
    reply = api.call("GET", "/moderation/queue", claims=claims)
    assert reply.status == 403 and reply.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "groups", ["[moderators]", "[admins moderators]", "moderators,admins", ["moderators"]]
)
def test_the_moderators_group_in_any_of_the_gateways_forms_is_let_in(api, groups):
    claims = {"sub": "u-1", "username": "u", "cognito:groups": groups}
    assert api.call("GET", "/moderation/queue", claims=claims).status == 200


def test_an_edit_token_opens_only_its_own_comment(api):
    mine, theirs = post(api), post(api)
    base = f"/articles/{ARTICLE}/comments"
    stolen = {"editToken": mine["editToken"], "body": "Rewritten by someone else."}
    assert api.call("PATCH", f"{base}/{theirs['comment']['id']}", stolen).status == 403
    assert (
        api.call("DELETE", f"{base}/{theirs['comment']['id']}", {"editToken": mine["editToken"]}).status
        == 403
    )
    # Nor the same comment under another article's path
    other = f"/articles/attack-b/comments/{mine['comment']['id']}"
    assert api.call("PATCH", other, {"editToken": mine["editToken"], "body": "Moved."}).status in (403, 404)
    listed = api.call("GET", base).json["comments"]
    assert {c["id"]: c["body"] for c in listed}[theirs["comment"]["id"]] == theirs["comment"]["body"]


def test_a_report_under_another_articles_path_is_not_found(api):
    comment = post(api)["comment"]["id"]
    reply = api.call("POST", f"/articles/attack-b/comments/{comment}/reports", {"reason": "rude"})
    assert reply.status == 404
