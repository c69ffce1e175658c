"""Undo and reopen: POST /moderation/comments/{commentId}/reopen sends a moderator's decision back
to pending, audited; the change stream queues it again and moves the article's count. Handler ->
domain -> DynamoDB, SQS and the relay on moto."""

import uuid

import pytest
from comments_dev.streams import stream_mappings
from conftest import MODERATOR

PATH = "/articles/reopen-test/comments"
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"


@pytest.fixture
def relay(api, aws_stack):
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    return mapping.drain


def held(api, email: str | None = None) -> dict:
    email = email or f"h-{uuid.uuid4().hex[:6]}@example.org"
    reply = api.call("POST", PATH, {"name": "Hal", "email": email, "body": LINKS})
    assert reply.status == 202, reply.text
    return reply.json["comment"]


def decide(api, comment_id: str, decision: str, **extra):
    return api.call(
        "POST",
        f"/moderation/comments/{comment_id}/decision",
        {"decision": decision, **extra},
        claims=MODERATOR,
    )


def reopen(api, comment_id: str, body: dict | None = None, claims=MODERATOR):
    return api.call("POST", f"/moderation/comments/{comment_id}/reopen", body or {}, claims=claims)


def claimable(api) -> list[dict]:
    return api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR).json["items"]


def count(api) -> int:
    return api.call("GET", "/articles/comment-counts", query="ids=reopen-test").json["counts"]["reopen-test"]


def public_ids(api) -> list[str]:
    return [c["id"] for c in api.call("GET", PATH).json["comments"]]


def test_undoing_an_approval_takes_it_off_the_list_and_puts_it_back_on_the_queue(api, relay):
    # Given a held comment a moderator approved, counted and listed
    comment = held(api)
    relay()
    [item] = claimable(api)
    assert decide(api, comment["id"], "approve", claim=item["claim"]).status == 200
    relay()
    assert public_ids(api) == [comment["id"]] and count(api) == 1
    # When the moderator undoes it a moment later
    reply = reopen(api, comment["id"], {"note": "approved the wrong one"})
    # Then it is pending again, off the public list, uncounted, and back on the queue with its reasons
    assert reply.status == 200, reply.text
    assert reply.json == {"comment": {**comment, "status": "pending"}, "banLifted": False}
    assert public_ids(api) == []
    relay()
    assert count(api) == 0
    [again] = claimable(api)
    assert again["comment"]["id"] == comment["id"]
    assert [r["rule"] for r in again["reasons"]] == ["links"]
    # and the trail says who reopened it, when and why
    history = api.call("GET", f"/moderation/comments/{comment['id']}", claims=MODERATOR).json["history"]
    entry = history[-1]
    assert entry["event"] == "reopened" and entry["previousStatus"] == "published"
    assert (
        entry["moderator"] == "mia"
        and entry["note"] == "approved the wrong one"
        and entry["at"].endswith("Z")
    )
    # and it is decided again exactly once
    assert decide(api, comment["id"], "reject", claim=again["claim"]).status == 200
    assert decide(api, comment["id"], "approve").status == 409


def test_undoing_a_rejection_with_a_ban_lifts_the_ban(api, relay):
    email = f"t-{uuid.uuid4().hex[:6]}@example.org"
    comment = held(api, email)
    assert decide(api, comment["id"], "reject", banAuthor=True).status == 200
    banned = api.call("POST", PATH, {"name": "Hal", "email": email, "body": "Polite now."})
    assert banned.status == 422
    reply = reopen(api, comment["id"])
    assert reply.status == 200 and reply.json["banLifted"] is True
    assert reply.json["comment"]["status"] == "pending"
    assert api.call("POST", PATH, {"name": "Hal", "email": email, "body": "Polite now."}).status == 201


def test_only_a_decided_comment_reopens(api):
    pending = held(api)
    clean = api.call("POST", PATH, {"name": "Cy", "email": "cy@example.org", "body": "Fair and calm."})
    for comment_id in (pending["id"], clean.json["comment"]["id"]):
        reply = reopen(api, comment_id)
        assert reply.status == 409 and reply.json == {"error": "not_decided"}
    assert decide(api, pending["id"], "approve").status == 200
    assert reopen(api, pending["id"]).status == 200
    assert reopen(api, pending["id"]).status == 409  # twice: the second finds it pending
    assert reopen(api, "01ARZ3NDEKTSV4RRFFQ69G5FAV").status == 404
    assert reopen(api, "..%2F..").status == 404
    assert reopen(api, pending["id"], {"note": "x" * 2001}).status == 422
    assert reopen(api, pending["id"], claims=None).status == 401
    outsider = {"sub": "u-9", "username": "reader", "cognito:groups": "[readers]"}
    assert reopen(api, pending["id"], claims=outsider).status == 403
