"""Moderators work the queue: claim, decide exactly once, ban; readers report. Handler -> domain
-> DynamoDB and SQS on moto, with the stream relay run as Lambda's event source mapping would."""

import json
import threading
import time
import uuid

import pytest
from comments_dev.streams import stream_mappings
from conftest import MODERATOR

ARTICLE = "/articles/mod-test/comments"
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"


def held(api, body: str = LINKS, email: str | None = None) -> dict:
    email = email or f"h-{uuid.uuid4().hex[:6]}@example.org"
    reply = api.call("POST", ARTICLE, {"name": "Hal", "email": email, "body": body})
    assert reply.status == 202, reply.text
    return reply.json["comment"]


@pytest.fixture
def relay(api, aws_stack):
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})

    def run() -> None:
        for _ in range(3):
            mapping.poll_once()

    return run


def claim(api, n: int = 10, claims=MODERATOR) -> list[dict]:
    reply = api.call("GET", "/moderation/queue", query=f"max={n}", claims=claims)
    assert reply.status == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    return reply.json["items"]


def decide(api, comment_id: str, decision: str = "approve", claims=MODERATOR, **extra):
    body = {"decision": decision, "note": None, "claim": None, "banAuthor": False, **extra}
    return api.call("POST", f"/moderation/comments/{comment_id}/decision", body, claims=claims)


def public_ids(api) -> list[str]:
    return [c["id"] for c in api.call("GET", ARTICLE).json["comments"]]


def test_a_held_comment_travels_queue_claim_approve_list(api, relay):
    # Given a held comment, relayed to the queue
    comment = held(api)
    relay()
    # When a moderator claims it and approves it with the claim
    [item] = claim(api)
    assert item["comment"] == comment and item["claim"]
    assert "links" in [r["rule"] for r in item["reasons"]]
    reply = decide(api, comment["id"], "approve", claim=item["claim"], note="fine sources")
    # Then it is published, listed, and its message is gone from the queue
    assert reply.status == 200
    assert reply.json["comment"]["status"] == "published"
    assert public_ids(api) == [comment["id"]]
    assert claim(api) == []


def test_a_rejected_comment_stays_out_of_the_list(api, relay):
    comment = held(api)
    relay()
    [item] = claim(api)
    reply = decide(api, comment["id"], "reject", claim=item["claim"])
    assert reply.json["comment"]["status"] == "rejected"
    assert public_ids(api) == []


def test_a_decided_comment_answers_409(api):
    comment = held(api)
    assert decide(api, comment["id"]).status == 200
    again = decide(api, comment["id"], "reject")
    assert again.status == 409
    assert again.json == {"error": "already_decided"}


def test_an_unknown_comment_is_404(api):
    assert decide(api, "01ARZ3NDEKTSV4RRFFQ69G5FAV").status == 404
    assert decide(api, "..%2F..%2Fetc").status == 404


def test_rejecting_with_a_ban_rejects_the_authors_next_comment(api):
    comment = held(api, email="troll@example.org")
    assert decide(api, comment["id"], "reject", banAuthor=True).status == 200
    nxt = api.call(
        "POST", ARTICLE, {"name": "Hal", "email": "TROLL@example.org", "body": "Perfectly polite now."}
    )
    assert nxt.status == 422
    assert "banned_author" in [v["rule"] for v in nxt.json["violations"]]


def test_a_ban_with_a_duration_ends(api, aws_stack):
    comment = held(api, email="brief@example.org")
    assert decide(api, comment["id"], "reject", banAuthor=True, banDays=1).status == 200
    item = aws_stack.client("dynamodb").scan(TableName=aws_stack.tables["CommentsTable"])["Items"]
    [ban] = [i for i in item if i["pk"]["S"].startswith("BAN#")]
    assert 86000 < int(ban["expiration"]["N"]) - time.time() <= 86400


def test_two_racing_decisions_make_one_change_and_one_audit_entry(api, aws_stack):
    # Given a held comment and two moderators deciding it at the same moment
    comment = held(api)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}
    other = {**MODERATOR, "sub": "mod-2", "username": "max"}

    def moderate(who: dict, decision: str) -> None:
        _name, event = api.event(
            "POST", f"/moderation/comments/{comment['id']}/decision", {"decision": decision}, claims=who
        )
        from comments_dev.lambdas import Function

        fn = Function("ModerationFunction", size=1)
        barrier.wait()
        results[who["username"]] = fn.invoke(event)["statusCode"]

    threads = [
        threading.Thread(target=moderate, args=(MODERATOR, "approve")),
        threading.Thread(target=moderate, args=(other, "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then exactly one wins, the other is told it is already decided, and one audit entry exists
    assert sorted(results.values()) == [200, 409]
    detail = api.call("GET", f"/moderation/comments/{comment['id']}", claims=MODERATOR).json
    decided = [h for h in detail["history"] if h["event"] == "decided"]
    assert len(decided) == 1
    winner = next(k for k, v in results.items() if v == 200)
    assert decided[0]["moderator"] == winner
    assert detail["comment"]["status"] == ("published" if winner == "mia" else "rejected")


def test_the_audit_entry_says_who_when_what_and_why(api):
    comment = held(api)
    decide(api, comment["id"], "reject", note="spam links")
    detail = api.call("GET", f"/moderation/comments/{comment['id']}", claims=MODERATOR).json
    entry = detail["history"][-1]
    assert entry["moderator"] == "mia" and entry["decision"] == "reject" and entry["note"] == "spam links"
    assert entry["rules"] == ["links"] and entry["at"].endswith("Z")


def test_a_claim_cannot_decide_another_comment(api, relay):
    first, second = held(api), held(api)
    relay()
    items = {i["comment"]["id"]: i["claim"] for i in claim(api)}
    reply = decide(api, second["id"], claim=items[first["id"]])
    assert reply.status == 400
    forged = decide(api, first["id"], claim=items[first["id"]][:-3] + "abc")
    assert forged.status == 400


def test_a_decision_after_the_claim_expired_is_still_correct(api, aws_stack, relay, monkeypatch):
    from tests_support import reset

    # Given one-second claims and a held comment claimed by mia
    monkeypatch.setenv("CLAIM_SECONDS", "1")
    reset()
    comment = held(api)
    relay()
    [item] = claim(api)
    # When her claim lapses, another moderator's view takes the comment
    other = {**MODERATOR, "sub": "mod-2", "username": "max"}
    taken = _claim_within(api, other, seconds=5)
    assert [i["comment"]["id"] for i in taken] == [comment["id"]]
    # Then mia's late decision still counts, exactly once, and max's is told it is decided
    reply = decide(api, comment["id"], "approve", claim=item["claim"])
    assert reply.status == 200 and reply.json["comment"]["status"] == "published"
    assert decide(api, comment["id"], "reject", claims=other, claim=taken[0]["claim"]).status == 409
    # and the comment's leftover message is dropped when it comes round, never shown again
    time.sleep(1.2)
    assert claim(api) == []


def _claim_within(api, who: dict, seconds: float) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        items = claim(api, claims=who)
        if items:
            return items
        time.sleep(0.2)
    return []


def test_skipping_releases_the_claim_for_the_next_moderator(api, relay):
    comment = held(api)
    relay()
    [item] = claim(api)
    assert claim(api) == []
    released = api.call(
        "POST", f"/moderation/comments/{comment['id']}/release", {"claim": item["claim"]}, claims=MODERATOR
    )
    assert released.status == 200
    assert [i["comment"]["id"] for i in claim(api)] == [comment["id"]]


def test_moderation_needs_the_authorizer_and_the_group(api):
    assert api.call("GET", "/moderation/queue").status == 401
    outsider = {"sub": "u-9", "username": "reader", "cognito:groups": "[readers]"}
    reply = api.call("GET", "/moderation/queue", claims=outsider)
    assert reply.status == 403 and reply.json == {"error": "forbidden"}
    assert decide(api, "01ARZ3NDEKTSV4RRFFQ69G5FAV", claims=outsider).status == 403


@pytest.mark.parametrize("max_", ["0", "11", "x"])
def test_a_bad_max_is_a_bad_request(api, max_):
    assert api.call("GET", "/moderation/queue", query=f"max={max_}", claims=MODERATOR).status == 400


def test_three_reports_send_a_published_comment_back_to_the_queue(api, aws_stack, relay):
    # Given a published comment
    comment = api.call(
        "POST", ARTICLE, {"name": "Pat", "email": "pat@example.org", "body": "An opinion."}
    ).json["comment"]
    path = f"/articles/mod-test/comments/{comment['id']}/reports"
    # When three different readers report it (one of them twice)
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.2"):
        assert api.call("POST", path, {"reason": "rude"}, source_ip=ip).status == 202
    assert public_ids(api) == [comment["id"]]
    reply = api.call("POST", path, {"reason": "offensive"}, source_ip="203.0.113.3")
    assert reply.status == 202 and reply.json == {"status": "received"}
    # Then it leaves the public list and is queued with "reported" among its reasons
    assert public_ids(api) == []
    relay()
    [item] = claim(api)
    assert item["comment"]["id"] == comment["id"] and item["comment"]["status"] == "pending"
    assert "reported" in [r["rule"] for r in item["reasons"]]


def test_reporting_an_unknown_or_unpublished_comment_is_404(api):
    hidden = held(api)
    for cid in (hidden["id"], "01ARZ3NDEKTSV4RRFFQ69G5FAV", "..%2F.."):
        reply = api.call("POST", f"/articles/mod-test/comments/{cid}/reports", {"reason": "x"})
        assert reply.status == 404


def test_a_report_needs_a_reason(api):
    comment = api.call("POST", ARTICLE, {"name": "Q", "email": "q@example.org", "body": "Fine words."}).json[
        "comment"
    ]
    path = f"/articles/mod-test/comments/{comment['id']}/reports"
    assert api.call("POST", path, {"reason": ""}).status == 422
    assert api.call("POST", path, {"reason": "x" * 501}).status == 422


def test_dead_letters_can_be_listed_and_redriven(api, aws_stack, relay):
    # Given a held message that was received five times without a decision (maxReceiveCount)
    comment = held(api)
    relay()
    sqs = aws_stack.client("sqs")
    url = aws_stack.queues["ModerationQueue"]
    for _ in range(6):
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, MaxNumberOfMessages=10)
    # When a moderator looks at the dead-letter queue and redrives it
    listed = api.call("GET", "/moderation/dlq", query="max=10", claims=MODERATOR).json["items"]
    assert [i["message"]["comment"]["id"] for i in listed] == [comment["id"]]
    moved = api.call("POST", "/moderation/dlq/redrive", claims=MODERATOR).json
    # Then it is back on the moderation queue
    assert moved == {"moved": 1}
    assert [i["comment"]["id"] for i in claim(api)] == [comment["id"]]


def test_an_article_can_be_closed_by_a_moderator(api):
    reply = api.call("PUT", "/moderation/articles/mod-test", {"closed": True}, claims=MODERATOR)
    assert reply.status == 200 and reply.json["settings"]["closed"] is True
    assert (
        api.call("POST", ARTICLE, {"name": "Z", "email": "z@example.org", "body": "Too late?"}).status == 403
    )


def test_premoderation_holds_every_comment(api):
    api.call("PUT", "/moderation/articles/mod-test", {"premoderation": True}, claims=MODERATOR)
    reply = api.call("POST", ARTICLE, {"name": "Z", "email": "z@example.org", "body": "A clean remark."})
    assert reply.status == 202
    assert [r["rule"] for r in reply.json["reasons"]] == ["premoderation"]


def test_decisions_are_measured_on_the_change_stream(api, relay, capsys):
    # Given a held comment decided by a moderator
    comment = held(api)
    decide(api, comment["id"], "reject", note="spam")
    capsys.readouterr()
    # When the change stream is relayed
    relay()
    # Then the metrics say how long it waited, the outcome and who decided
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    names = {
        m["Name"]: blob for blob in blobs for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert names["Decisions"]["outcome"] == "reject"
    assert names["DecisionsByModerator"]["moderator"] == "mia"
    assert all(seconds >= 0 for seconds in names["TimeToDecision"]["TimeToDecision"])
