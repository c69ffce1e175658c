"""The rest of a comment's life: the author edits and deletes, sites count, moderators export
and erase, and every change is announced on the event bus, from the same change stream."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from comments_dev.emulator import tap_events
from comments_dev.streams import stream_mappings
from conftest import MODERATOR

ART = "life"
PATH = f"/articles/{ART}/comments"
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"


def post(api, body: str = "A fair point, well made.", email: str = "ann@example.org", article: str = ART):
    reply = api.call("POST", f"/articles/{article}/comments", {"name": "Ann", "email": email, "body": body})
    assert reply.status in (201, 202), reply.text
    return reply.json


def count(api, relay, article: str = ART) -> int:
    """The article's count, once the change stream has been relayed (it moves the counts), which
    must equal its public list."""
    relay()
    reply = api.call("GET", "/articles/comment-counts", query=f"ids={article}")
    assert reply.status == 200
    counted = reply.json["counts"][article]
    assert counted == len(api.call("GET", f"/articles/{article}/comments").json["comments"])
    return counted


def patch(api, comment_id: str, token: str, body: str):
    return api.call("PATCH", f"{PATH}/{comment_id}", {"editToken": token, "body": body})


def delete(api, comment_id: str, token: str):
    return api.call("DELETE", f"{PATH}/{comment_id}", {"editToken": token})


@pytest.fixture
def relay(api, aws_stack):
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    return mapping.drain


@pytest.fixture
def events(aws_stack, relay):
    url = tap_events(aws_stack)
    sqs = aws_stack.client("sqs")

    def read() -> list[dict]:
        relay()
        out = []
        while msgs := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for m in msgs:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return sorted(out, key=lambda e: int(e["detail"]["sequence"]))

    return read


# -- edit and delete -----------------------------------------------------------------------------
def test_the_author_fixes_a_typo(api):
    first = post(api, "Teh economy is fine.")
    reply = patch(api, first["comment"]["id"], first["editToken"], "The economy is fine.")
    assert reply.status == 200
    assert reply.json == {
        "status": "published",
        "comment": {**first["comment"], "body": "The economy is fine."},
    }
    assert [c["body"] for c in api.call("GET", PATH).json["comments"]] == ["The economy is fine."]


def test_an_edit_that_breaks_the_policy_leaves_the_original(api):
    first = post(api)
    reply = patch(api, first["comment"]["id"], first["editToken"], "Actually this is shit.")
    assert reply.status == 422 and reply.json["error"] == "policy_violation"
    assert [c["body"] for c in api.call("GET", PATH).json["comments"]] == [first["comment"]["body"]]


def test_an_edit_that_needs_a_look_goes_back_to_moderation(api, aws_stack, relay):
    first = post(api)
    reply = patch(api, first["comment"]["id"], first["editToken"], LINKS)
    assert reply.status == 200 and reply.json["status"] == "pending"
    assert api.call("GET", PATH).json["comments"] == []
    relay()
    [item] = api.call("GET", "/moderation/queue", claims=MODERATOR).json["items"]
    assert item["comment"]["body"] == LINKS


def test_the_edit_history_is_kept_for_moderators(api):
    first = post(api, "Version one.")
    patch(api, first["comment"]["id"], first["editToken"], "Version two.")
    detail = api.call("GET", f"/moderation/comments/{first['comment']['id']}", claims=MODERATOR).json
    assert detail["history"][-1]["event"] == "edited"
    assert detail["history"][-1]["previousBody"] == "Version one."


def test_a_wrong_token_is_forbidden(api):
    first = post(api)
    token = first["editToken"]
    # One character changed: the first (its six bits all count, unlike a last character's).
    changed = ("B" if token[0] == "A" else "A") + token[1:]
    for bad in ("nope", changed, keys_of_other(api)):
        reply = patch(api, first["comment"]["id"], bad, "Hijacked.")
        assert reply.status == 403 and reply.json == {"error": "forbidden"}
    assert delete(api, first["comment"]["id"], "nope").status == 403


def keys_of_other(api) -> str:
    return post(api, "Someone else entirely.", email="other@example.org")["editToken"]


def test_after_the_window_edits_and_deletes_are_refused(api, monkeypatch):
    first = post(api)
    later = datetime.now(UTC) + timedelta(minutes=16)
    monkeypatch.setattr("comments.api.runtime.Runtime.now", staticmethod(lambda: later))
    reply = patch(api, first["comment"]["id"], first["editToken"], "Too late.")
    assert reply.status == 403 and reply.json == {"error": "edit_window_closed"}
    assert delete(api, first["comment"]["id"], first["editToken"]).json == {"error": "edit_window_closed"}


def test_delete_takes_the_comment_out_and_keeps_its_replies(api):
    parent = post(api)
    child = api.call(
        "POST",
        PATH,
        {
            "name": "Ben",
            "email": "ben@example.org",
            "body": "I disagree, politely.",
            "parentId": parent["comment"]["id"],
        },
    ).json
    reply = delete(api, parent["comment"]["id"], parent["editToken"])
    assert reply.status == 204 and reply.text == ""
    listed = api.call("GET", PATH).json["comments"]
    assert [c["id"] for c in listed] == [child["comment"]["id"]]
    assert listed[0]["parentId"] == parent["comment"]["id"]
    assert delete(api, parent["comment"]["id"], parent["editToken"]).status == 404


def test_edit_and_delete_of_unknown_comments_are_404(api):
    for cid in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "..%2F..%2Fx"):
        assert patch(api, cid, "t", "x").status == 404
        assert delete(api, cid, "t").status == 404


def test_edit_validates_its_body(api):
    first = post(api)
    assert api.call("PATCH", f"{PATH}/{first['comment']['id']}", {"body": "no token"}).status == 422
    assert patch(api, first["comment"]["id"], first["editToken"], "").status == 422


# -- counts ----------------------------------------------------------------------------------
def test_the_count_follows_every_transition(api, relay):
    # published +1
    a = post(api, "First clean comment.", "a@example.org")
    assert count(api, relay) == 1
    # held: no change; approved: +1
    b = post(api, LINKS, "b@example.org")
    assert count(api, relay) == 1
    assert (
        api.call(
            "POST",
            f"/moderation/comments/{b['comment']['id']}/decision",
            {"decision": "approve"},
            claims=MODERATOR,
        ).status
        == 200
    )
    assert count(api, relay) == 2
    # held then rejected: no change
    c = post(api, LINKS + " again", "c@example.org")
    api.call(
        "POST",
        f"/moderation/comments/{c['comment']['id']}/decision",
        {"decision": "reject"},
        claims=MODERATOR,
    )
    assert count(api, relay) == 2
    # edited to something held: -1; edited while pending: no change
    assert patch(api, a["comment"]["id"], a["editToken"], LINKS + " edited").json["status"] == "pending"
    assert count(api, relay) == 1
    # reported by three readers: -1
    d = post(api, "A view some dislike.", "d@example.org")
    assert count(api, relay) == 2
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        api.call("POST", f"{PATH}/{d['comment']['id']}/reports", {"reason": "no"}, source_ip=ip)
    assert count(api, relay) == 1
    # deleted by the author: -1
    e = post(api, "Soon to be withdrawn.", "e@example.org")
    assert count(api, relay) == 2
    delete(api, e["comment"]["id"], e["editToken"])
    assert count(api, relay) == 1
    # the author of b erased: -1
    api.call("POST", "/moderation/authors/erase", {"email": "b@example.org"}, claims=MODERATOR)
    assert count(api, relay) == 0


def test_counts_for_many_articles_at_once(api, relay):
    post(api, "One.", "x1@example.org", article="n1")
    post(api, "Two.", "x2@example.org", article="n2")
    post(api, "Three.", "x3@example.org", article="n2")
    relay()
    reply = api.call("GET", "/articles/comment-counts", query="ids=n1,n2,none")
    assert reply.json == {"counts": {"n1": 1, "n2": 2, "none": 0}}


@pytest.mark.parametrize(
    "query", ["", "ids=", "ids=" + ",".join(f"a{i}" for i in range(101)), "ids=a,..%2Fb", "ids=-x"]
)
def test_bad_count_queries_are_bad_requests(api, query):
    assert api.call("GET", "/articles/comment-counts", query=query).status == 400


# -- export and erase --------------------------------------------------------------------------
def test_export_returns_every_comment_of_the_author(api):
    ids = [
        post(api, f"A {word} remark here.", "exp@example.org", article=f"art{i}")["comment"]["id"]
        for i, word in enumerate(("first", "second", "third"))
    ]
    held = post(api, LINKS, "exp@example.org")["comment"]["id"]
    post(api, "Not mine.", "someone@example.org")
    reply = api.call("POST", "/moderation/authors/export", {"email": "EXP@example.org"}, claims=MODERATOR)
    assert reply.status == 200
    assert [c["id"] for c in reply.json["comments"]] == [*ids, held]
    assert "exp@example.org" not in reply.text


def test_erase_removes_name_body_and_identity_for_good(api, aws_stack):
    mine = post(api, "Please forget this one.", "gone@example.org")
    reply = api.call("POST", "/moderation/authors/erase", {"email": "gone@example.org"}, claims=MODERATOR)
    assert reply.json == {"erased": 1}
    assert api.call("GET", PATH).json["comments"] == []
    assert api.call(
        "POST", "/moderation/authors/export", {"email": "gone@example.org"}, claims=MODERATOR
    ).json == {"comments": []}
    items = aws_stack.client("dynamodb").scan(TableName=aws_stack.tables["CommentsTable"])["Items"]
    dump = json.dumps(items)
    assert "Please forget this one." not in dump and "Ann" not in dump
    [stored] = [i for i in items if i["pk"]["S"] == f"C#{mine['comment']['id']}"]
    assert stored["status"]["S"] == "erased" and "authorId" not in stored and "gsi2pk" not in stored
    assert [h["M"]["event"]["S"] for h in stored["history"]["L"]] == ["erased"]
    again = api.call("POST", "/moderation/authors/erase", {"email": "gone@example.org"}, claims=MODERATOR)
    assert again.json == {"erased": 0}


def test_an_idempotent_retry_after_erasure_returns_nothing_erased(api):
    first = api.call(
        "POST",
        PATH,
        {"name": "Ida", "email": "ida@example.org", "body": "Hello there."},
        headers={"Idempotency-Key": "erase-me"},
    )
    api.call("POST", "/moderation/authors/erase", {"email": "ida@example.org"}, claims=MODERATOR)
    replay = api.call(
        "POST",
        PATH,
        {"name": "Ida", "email": "ida@example.org", "body": "Hello there."},
        headers={"Idempotency-Key": "erase-me"},
    )
    assert replay.status == first.status
    assert replay.json["comment"]["id"] == first.json["comment"]["id"]
    assert "Hello there." not in replay.text and "Ida" not in replay.text


# -- events ----------------------------------------------------------------------------------
def test_a_whole_life_is_announced_in_order(api, events):
    # held -> decided (approved) -> reported (sent back) -> decided (approved) -> edited -> deleted
    c = post(api, LINKS, "life@example.org")
    cid = c["comment"]["id"]
    api.call("POST", f"/moderation/comments/{cid}/decision", {"decision": "approve"}, claims=MODERATOR)
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        api.call("POST", f"{PATH}/{cid}/reports", {"reason": "no"}, source_ip=ip)
    api.call("POST", f"/moderation/comments/{cid}/decision", {"decision": "approve"}, claims=MODERATOR)
    patch(api, cid, c["editToken"], LINKS + " (edited)")
    delete(api, cid, c["editToken"])
    seen = events()
    assert [e["detail-type"] for e in seen] == [
        "comment.held",
        "comment.decided",
        "comment.reported",
        "comment.decided",
        "comment.edited",
        "comment.deleted",
    ]
    assert all(e["source"] == "comments" and e["detail"]["comment"]["id"] == cid for e in seen)
    assert [e["detail"]["comment"]["status"] for e in seen] == [
        "pending",
        "published",
        "pending",
        "published",
        "pending",
        "deleted",
    ]
    assert "life@example.org" not in json.dumps(seen)


def test_publish_and_erase_are_announced(api, events):
    c = post(api, "Short-lived.", "brief@example.org")
    api.call("POST", "/moderation/authors/erase", {"email": "brief@example.org"}, claims=MODERATOR)
    seen = events()
    assert [e["detail-type"] for e in seen] == ["comment.published", "comment.erased"]
    assert seen[1]["detail"]["comment"] == {**c["comment"], "name": "", "body": "", "status": "erased"}


def test_a_counted_report_is_not_an_event(api, events):
    c = post(api, "Mildly contested.", "m@example.org")
    api.call("POST", f"{PATH}/{c['comment']['id']}/reports", {"reason": "meh"})
    assert [e["detail-type"] for e in events()] == ["comment.published"]
