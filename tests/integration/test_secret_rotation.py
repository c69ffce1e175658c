"""Rotating the service secret (docs/security.md, "Rotating the service secret"): everything keyed
before the rotation keeps working after it, through the template's functions on moto with the
secret in Secrets Manager as the template creates it: a ban still matches, a duplicate is still
one, export and erasure by email still find the old comments, an old edit token, an old cursor,
an old claim and an idempotent retry still work; a reader's report still counts once. New
values carry the new key version. A version taken out of the secret verifies nothing: its
cursors are a clean 400 and its edit tokens a 403."""

import json
import uuid

import pytest
from comments_dev.streams import stream_mappings
from conftest import MODERATOR
from tests_support import reset

ARTICLE = "/articles/rotation-2026/comments"
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"


def secret_arn(stack) -> str:
    return stack.secrets["ServiceSecret"]


def rotate(stack, document: dict) -> None:
    """What the operator does (docs/security.md), then new containers (a deploy, or the age limit)."""
    stack.client("secretsmanager").put_secret_value(
        SecretId=secret_arn(stack), SecretString=json.dumps(document)
    )
    reset()


def first_key(stack) -> str:
    return stack.client("secretsmanager").get_secret_value(SecretId=secret_arn(stack))["SecretString"]


def submit(api, email: str, body: str, **kwargs):
    return api.call("POST", ARTICLE, {"name": "Ada", "email": email, "body": body}, **kwargs)


def author_ids(stack) -> dict[str, str]:
    items = stack.client("dynamodb").scan(TableName=stack.tables["CommentsTable"])["Items"]
    return {
        i["id"]["S"]: i.get("authorId", {}).get("S", "")
        for i in items
        if i.get("kind", {}).get("S") == "comment"
    }


@pytest.fixture
def relay(api, aws_stack):
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})

    def run() -> None:
        for _ in range(3):
            mapping.poll_once()

    return run


def test_data_keyed_before_a_rotation_works_after_it(api, aws_stack, relay):
    ada, bo = f"ada-{uuid.uuid4().hex[:6]}@example.org", f"bo-{uuid.uuid4().hex[:6]}@example.org"
    # Given, under the secret the template generated (key version 1):
    old = submit(api, ada, "A first remark, before the rotation.")
    assert old.status == 201
    old_token, old_id = old.json["editToken"], old.json["comment"]["id"]
    assert "." not in old_token  # version 1 is written as it always was
    kept = submit(api, ada, "A third remark, left as it was.")
    assert kept.status == 201
    replayed_key = {"Idempotency-Key": f"k-{uuid.uuid4().hex[:8]}"}
    first = submit(api, ada, "A second remark, sent with a key.", headers=replayed_key)
    assert first.status == 201
    # ...a banned author
    held = submit(api, bo, LINKS)
    assert held.status == 202
    relay()
    [item] = api.call("GET", "/moderation/queue", query="max=1", claims=MODERATOR).json["items"]
    decided = api.call(
        "POST",
        f"/moderation/comments/{item['comment']['id']}/decision",
        {"decision": "reject", "banAuthor": True, "claim": item["claim"]},
        claims=MODERATOR,
    )
    assert decided.status == 200
    # ...a page cursor, a claim still held, a reader's report
    page = api.call("GET", ARTICLE, query="limit=1")
    old_cursor = page.json["nextCursor"]
    assert old_cursor
    other = submit(api, f"cy-{uuid.uuid4().hex[:6]}@example.org", LINKS)
    relay()
    [claimed] = api.call("GET", "/moderation/queue", query="max=1", claims=MODERATOR).json["items"]
    assert claimed["comment"]["id"] == other.json["comment"]["id"]
    report = f"{ARTICLE}/{old_id}/reports"
    assert api.call("POST", report, {"reason": "rude"}).status == 202

    # When the operator rotates: a new key version, the old one kept
    version_one = first_key(aws_stack)
    rotate(aws_stack, {"current": 2, "keys": {"1": version_one, "2": "a-new-root-key-" + "y" * 50}})

    # Then the ban still matches the author (under the old key) ...
    banned = submit(api, bo, "A perfectly calm comment from a banned author.")
    assert banned.status == 422
    assert "banned_author" in [v["rule"] for v in banned.json["violations"]]
    # ...the same text from the same author is still a duplicate
    again = submit(api, ada, "A first remark, before the rotation.")
    assert again.status == 422 and "duplicate" in [v["rule"] for v in again.json["violations"]]
    # ...the old edit token still edits its comment
    edited = api.call("PATCH", f"{ARTICLE}/{old_id}", {"editToken": old_token, "body": "Edited after it."})
    assert edited.status == 200 and edited.json["comment"]["body"] == "Edited after it."
    # ...the old cursor still pages
    paged = api.call("GET", ARTICLE, query=f"limit=1&cursor={old_cursor}")
    assert paged.status == 200 and paged.json["comments"]
    # ...the old claim still decides its comment
    approve = {"decision": "approve", "claim": claimed["claim"]}
    assert (
        api.call(
            "POST", f"/moderation/comments/{claimed['comment']['id']}/decision", approve, claims=MODERATOR
        ).json["comment"]["status"]
        == "published"
    )
    # ...an idempotent retry replays the first answer, with the token that still works
    retried = submit(api, ada, "A second remark, sent with a key.", headers=replayed_key)
    assert retried.status == 201 and retried.json == first.json
    first_id = first.json["comment"]["id"]
    token_patch = {"editToken": retried.json["editToken"], "body": "Edited too."}
    assert api.call("PATCH", f"{ARTICLE}/{first_id}", token_patch).status == 200
    # ...the same reader's report is not counted twice
    assert api.call("POST", report, {"reason": "rude"}).status == 202
    counted = aws_stack.client("dynamodb").get_item(
        TableName=aws_stack.tables["CommentsTable"], Key={"pk": {"S": f"C#{old_id}"}}
    )["Item"]
    assert counted["reports"]["N"] == "1"

    # And new values carry the new version
    new = submit(api, ada, "A remark after the rotation.")
    assert new.status == 201 and new.json["editToken"].endswith(".2")
    new_id = new.json["comment"]["id"]
    ids = author_ids(aws_stack)
    assert ids[new_id].endswith(".2") and "." not in ids[old_id] and ids[new_id] != ids[old_id]
    new_page = api.call("GET", ARTICLE, query="limit=1").json["nextCursor"]
    assert new_page.endswith(".2")
    assert api.call("GET", ARTICLE, query=f"limit=1&cursor={new_page}").status == 200
    patch = {"editToken": new.json["editToken"], "body": "Edited, new version."}
    assert api.call("PATCH", f"{ARTICLE}/{new_id}", patch).status == 200

    # And export and erasure by email find the author's comments under both versions
    exported = api.call("POST", "/moderation/authors/export", {"email": ada}, claims=MODERATOR)
    kept_id = kept.json["comment"]["id"]
    assert {c["id"] for c in exported.json["comments"]} == {old_id, first_id, kept_id, new_id}
    erased = api.call("POST", "/moderation/authors/erase", {"email": ada}, claims=MODERATOR)
    assert erased.json == {"erased": 4}
    after = api.call("POST", "/moderation/authors/export", {"email": ada}, claims=MODERATOR)
    assert after.json == {"comments": []}
    # ...their duplicate markers went with them (the old key's too): the old text may come again
    assert submit(api, ada, "A third remark, left as it was.").status == 201


def test_an_erased_author_is_not_found_again_under_any_version(api, aws_stack):
    ada = f"ada-{uuid.uuid4().hex[:6]}@example.org"
    assert submit(api, ada, "Before.").status == 201
    rotate(aws_stack, {"current": 2, "keys": {"1": first_key(aws_stack), "2": "k2-" + "z" * 60}})
    assert submit(api, ada, "After.").status == 201
    assert api.call("POST", "/moderation/authors/erase", {"email": ada}, claims=MODERATOR).json == {
        "erased": 2
    }
    exported = api.call("POST", "/moderation/authors/export", {"email": ada}, claims=MODERATOR).json
    assert exported == {"comments": []}


def test_a_version_taken_out_of_the_secret_is_refused_cleanly(api, aws_stack):
    # Given a token and a cursor of version 1, and a rotation to version 2
    ada = f"ada-{uuid.uuid4().hex[:6]}@example.org"
    first = submit(api, ada, "One remark.")
    submit(api, f"b-{uuid.uuid4().hex[:6]}@example.org", "Another remark.")
    cursor = api.call("GET", ARTICLE, query="limit=1").json["nextCursor"]
    version_one = first_key(aws_stack)
    # When version 1 is retired (taken out of the secret)
    rotate(aws_stack, {"current": 2, "keys": {"2": "k2-" + "w" * 60}})
    # Then what it signed is refused as any unissued value is: no 500
    page = api.call("GET", ARTICLE, query=f"limit=1&cursor={cursor}")
    assert page.status == 400 and page.json["error"] == "bad_request"
    edit = {"editToken": first.json["editToken"], "body": "Too late."}
    assert api.call("PATCH", f"{ARTICLE}/{first.json['comment']['id']}", edit).status == 403
    # ...and putting it back brings it all back
    rotate(aws_stack, {"current": 2, "keys": {"1": version_one, "2": "k2-" + "w" * 60}})
    assert api.call("GET", ARTICLE, query=f"limit=1&cursor={cursor}").status == 200


def test_warm_containers_pick_up_a_rotation_within_the_age_limit(api, aws_stack, monkeypatch):
    # Given warm functions that read the secret at most every SECRET_MAX_AGE_SECONDS (0 here)
    monkeypatch.setenv("SECRET_MAX_AGE_SECONDS", "0")
    reset()
    assert submit(api, f"a-{uuid.uuid4().hex[:6]}@example.org", "Before.").status == 201
    # When the secret is rotated, without a new container
    aws_stack.client("secretsmanager").put_secret_value(
        SecretId=secret_arn(aws_stack),
        SecretString=json.dumps({"current": 2, "keys": {"1": first_key(aws_stack), "2": "k2-" + "v" * 60}}),
    )
    # Then the next request already uses the new version
    after = submit(api, f"b-{uuid.uuid4().hex[:6]}@example.org", "After.")
    assert after.status == 201 and after.json["editToken"].endswith(".2")


def test_a_malformed_secret_document_is_an_error_not_a_silent_new_key(api, aws_stack):
    rotate(aws_stack, {"current": 3, "keys": {"1": first_key(aws_stack)}})
    reply = submit(api, f"a-{uuid.uuid4().hex[:6]}@example.org", "After a bad rotation.")
    assert reply.status == 500 and reply.json == {"error": "internal_error"}
