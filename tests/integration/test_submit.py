"""Submitting a comment: handler -> domain -> DynamoDB on a real moto server, for every status of
the contract's table."""

import json

import pytest

ARTICLE = "/articles/climate-2026/comments"
GOOD = {"name": "Ada", "email": "ada@example.org", "body": "A thoughtful, well argued piece. Thank you."}
HELD = {**GOOD, "body": "Sources: https://a.example.com/1 https://b.example.org/2 https://c.example.net/3"}
REJECTED = {**GOOD, "body": "This is fucking nonsense."}


def stored_comments(stack) -> list[dict]:
    ddb = stack.client("dynamodb")
    items = ddb.scan(TableName=stack.tables["CommentsTable"])["Items"]
    return [i for i in items if i.get("kind", {}).get("S") == "comment"]


def test_clean_comment_is_published_and_stored(api, aws_stack):
    # Given a clean comment
    # When it is submitted
    reply = api.call("POST", ARTICLE, GOOD)
    # Then it is published at once, with the public fields only, and stored
    assert reply.status == 201
    assert reply.json["status"] == "published"
    comment = reply.json["comment"]
    assert set(comment) == {"id", "articleId", "parentId", "name", "body", "createdAt", "status"}
    assert comment["articleId"] == "climate-2026" and comment["body"] == GOOD["body"]
    assert comment["createdAt"].endswith("Z")
    assert reply.json["editToken"]
    assert "ada@example.org" not in reply.text
    [item] = stored_comments(aws_stack)
    assert item["id"]["S"] == comment["id"] and item["status"]["S"] == "published"
    assert "ada@example.org" not in json.dumps(item)


def test_doubtful_comment_is_held_with_reasons(api, aws_stack):
    # Given a comment with three links
    # When it is submitted
    reply = api.call("POST", ARTICLE, HELD)
    # Then it is held for a moderator, says why, and is stored as pending
    assert reply.status == 202
    assert reply.json["status"] == "pending"
    assert "links" in [r["rule"] for r in reply.json["reasons"]]
    assert all(r["message"] for r in reply.json["reasons"])
    [item] = stored_comments(aws_stack)
    assert item["status"]["S"] == "pending"


def test_policy_breaking_comment_is_rejected_and_not_stored(api, aws_stack):
    # Given a comment with a blocked word
    # When it is submitted
    reply = api.call("POST", ARTICLE, REJECTED)
    # Then it is refused with the rule and a message, and nothing is stored
    assert reply.status == 422
    assert reply.json["error"] == "policy_violation"
    assert "profanity" in [v["rule"] for v in reply.json["violations"]]
    assert stored_comments(aws_stack) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "a@example.org", "body": "hello there"}, "name"),
        ({**GOOD, "name": ""}, "name"),
        ({**GOOD, "name": "   "}, "name"),
        ({**GOOD, "name": "x" * 81}, "name"),
        ({**GOOD, "email": "not-an-email"}, "email"),
        ({**GOOD, "email": "a" * 245 + "@example.org"}, "email"),
        ({**GOOD, "body": ""}, "body"),
        ({**GOOD, "body": 42}, "body"),
        ({**GOOD, "name": ["Ada"]}, "name"),
        ({**GOOD, "body": "hello\x00world"}, "body"),
        ({**GOOD, "body": "bell\x07"}, "body"),
        ({**GOOD, "name": "Ada\u202eevil"}, "name"),
        ({**GOOD, "parentId": 7}, "parentId"),
    ],
)
def test_invalid_fields_get_validation_error(api, aws_stack, body, field):
    # Given a submission with a missing, mistyped or malformed field
    # When it is submitted
    reply = api.call("POST", ARTICLE, body)
    # Then a 422 names the field, and nothing is stored
    assert reply.status == 422
    assert reply.json["error"] == "validation_error"
    assert field in [d["field"] for d in reply.json["details"]]
    assert stored_comments(aws_stack) == []


def test_tab_and_newline_are_allowed_in_the_body(api):
    reply = api.call("POST", ARTICLE, {**GOOD, "body": "First line\n\tand an indented second."})
    assert reply.status == 201


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2, 3]",
        b'"a string"',
        b"",
        b"\xff\xfe{}",
        b"[" * 5000 + b"]" * 5000,
        b'{"name": "a", "name": "b", "email": "a@example.org", "body": "hello"}',
        b'{"name": NaN}',
    ],
)
def test_bodies_that_are_not_a_json_object_get_bad_request(api, aws_stack, raw):
    reply = api.call("POST", ARTICLE, raw)
    assert reply.status == 400
    assert reply.json["error"] == "bad_request" and reply.json["message"]
    assert stored_comments(aws_stack) == []


def test_body_over_32_kib_is_too_large(api, aws_stack):
    reply = api.call("POST", ARTICLE, {**GOOD, "body": "a" * (33 * 1024)})
    assert reply.status == 413
    assert reply.json == {"error": "payload_too_large"}


def test_closed_article_refuses_comments(api, aws_stack):
    from comments.adapters.comment_table import CommentTable
    from comments.domain.models import ArticleSettings

    # Given an article closed for comments
    CommentTable(aws_stack.tables["CommentsTable"]).put_article_settings(
        "climate-2026", ArticleSettings(closed=True)
    )
    # When a comment is submitted
    reply = api.call("POST", ARTICLE, GOOD)
    # Then it is refused
    assert reply.status == 403
    assert reply.json == {"error": "comments_closed"}


def test_reply_to_a_published_comment_is_threaded(api):
    parent = api.call("POST", ARTICLE, GOOD).json["comment"]
    reply = api.call(
        "POST", ARTICLE, {**GOOD, "body": "I agree with you entirely.", "parentId": parent["id"]}
    )
    assert reply.status == 201
    assert reply.json["comment"]["parentId"] == parent["id"]


@pytest.mark.parametrize("parent", ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "../../etc/passwd", "x" * 300])
def test_reply_to_an_unknown_comment_is_not_found(api, parent):
    reply = api.call("POST", ARTICLE, {**GOOD, "parentId": parent})
    assert reply.status == 404
    assert reply.json == {"error": "not_found"}


def test_reply_to_a_comment_of_another_article_is_not_found(api):
    parent = api.call("POST", "/articles/other-article/comments", GOOD).json["comment"]
    reply = api.call("POST", ARTICLE, {**GOOD, "body": "A reply elsewhere.", "parentId": parent["id"]})
    assert reply.status == 404


def test_reply_to_a_held_comment_is_not_found(api):
    held = api.call("POST", ARTICLE, HELD).json["comment"]
    reply = api.call("POST", ARTICLE, {**GOOD, "parentId": held["id"]})
    assert reply.status == 404


def test_too_many_comments_from_one_client_are_rate_limited(api, aws_stack, monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    reset()
    for i in range(2):
        assert (
            api.call("POST", ARTICLE, {**GOOD, "email": f"r{i}@example.org", "body": f"Point {i}."}).status
            == 201
        )
    reply = api.call("POST", ARTICLE, {**GOOD, "email": "r9@example.org", "body": "Point nine."})
    assert reply.status == 429
    assert reply.json == {"error": "rate_limited"}
    assert 1 <= int(reply.headers["retry-after"]) <= 60


def test_one_author_writing_from_many_addresses_is_rate_limited(api, aws_stack, monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    reset()
    # Given one author who has posted twice this minute, from two addresses
    for i in range(2):
        body = {**GOOD, "email": "roaming@example.org", "body": f"Point {i}."}
        assert api.call("POST", ARTICLE, body, source_ip=f"203.0.113.{i + 1}").status == 201
    # When the same author posts a held comment from a third address
    before = len(stored_comments(aws_stack))
    reply = api.call("POST", ARTICLE, {**HELD, "email": "roaming@example.org"}, source_ip="203.0.113.3")
    # Then it is refused with 429, and nothing of it is stored
    assert reply.status == 429
    assert reply.json == {"error": "rate_limited"}
    assert len(stored_comments(aws_stack)) == before


def test_rejected_submissions_count_toward_the_rate_limit(api, aws_stack, monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    reset()
    # Given a client whose two submissions this minute were rejected
    for i in range(2):
        body = {**REJECTED, "email": f"spam{i}@example.org"}
        assert api.call("POST", ARTICLE, body, source_ip="203.0.113.50").status == 422
    # When it sends a clean comment, and then another rejected one
    clean_body = {**GOOD, "email": "spam9@example.org", "body": "A clean point made after two rejections."}
    clean = api.call("POST", ARTICLE, clean_body, source_ip="203.0.113.50")
    rejected = api.call("POST", ARTICLE, {**REJECTED, "email": "x@example.org"}, source_ip="203.0.113.50")
    # Then both are refused with 429, and the clean one is not stored
    assert (clean.status, rejected.status) == (429, 429)
    assert clean_body["body"] not in [c["body"]["S"] for c in stored_comments(aws_stack)]
    # ...while another client is not affected
    assert (
        api.call("POST", ARTICLE, {**GOOD, "email": "ok@example.org"}, source_ip="203.0.113.51").status == 201
    )


def test_rate_limit_follows_the_gateway_source_ip_not_x_forwarded_for(api, monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1")
    reset()
    assert api.call("POST", ARTICLE, GOOD).status == 201
    spoofed = api.call(
        "POST",
        ARTICLE,
        {**GOOD, "email": "b@example.org", "body": "Another view."},
        headers={"x-forwarded-for": "203.0.113.99"},
    )
    assert spoofed.status == 429


def test_same_author_same_text_is_a_duplicate(api, aws_stack):
    assert api.call("POST", ARTICLE, GOOD).status == 201
    again = api.call(
        "POST",
        "/articles/another/comments",
        {**GOOD, "body": "  a THOUGHTFUL, well argued piece.  Thank you!"},
    )
    assert again.status == 422
    assert [v["rule"] for v in again.json["violations"]] == ["duplicate"]
    assert len(stored_comments(aws_stack)) == 1


def test_retry_with_the_same_idempotency_key_returns_the_first_response(api, aws_stack):
    # Given a submission with an Idempotency-Key
    first = api.call("POST", ARTICLE, GOOD, headers={"Idempotency-Key": "k-123"})
    # When the same request is retried
    second = api.call("POST", ARTICLE, GOOD, headers={"Idempotency-Key": "k-123"})
    # Then the retry gets the first response, and only one comment exists
    assert first.status == second.status == 201
    assert second.json == first.json
    assert len(stored_comments(aws_stack)) == 1


def test_same_idempotency_key_with_another_body_is_a_conflict(api, aws_stack):
    assert api.call("POST", ARTICLE, GOOD, headers={"Idempotency-Key": "k-9"}).status == 201
    reply = api.call("POST", ARTICLE, {**GOOD, "body": "Something else."}, headers={"Idempotency-Key": "k-9"})
    assert reply.status == 409
    assert reply.json["error"] == "idempotency_conflict"
    assert len(stored_comments(aws_stack)) == 1


@pytest.mark.parametrize("key", ["", "x" * 65, "caf\u00e9", "tab\there"])
def test_malformed_idempotency_key_is_a_bad_request(api, key):
    reply = api.call("POST", ARTICLE, GOOD, headers={"Idempotency-Key": key})
    assert reply.status == 400


@pytest.mark.parametrize("article", ["-starts-with-dash", "a" * 129, "has%20space", "..%2F..%2Fetc"])
def test_malformed_article_id_is_not_found(api, article):
    reply = api.call("POST", f"/articles/{article}/comments", GOOD)
    assert reply.status == 404
    assert reply.json == {"error": "not_found"}


def test_validate_reports_the_verdict_and_stores_nothing(api, aws_stack):
    reply = api.call("POST", ARTICLE + "/validate", HELD)
    assert reply.status == 200
    assert reply.json["verdict"] == "hold"
    assert "links" in [r["rule"] for r in reply.json["reasons"]]
    assert stored_comments(aws_stack) == []


def test_validate_counts_toward_no_rate_limit(api, monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1")
    reset()
    for _ in range(3):
        assert api.call("POST", ARTICLE + "/validate", GOOD).json["verdict"] == "publish"
    assert api.call("POST", ARTICLE, GOOD).status == 201


def test_responses_say_nosniff(api):
    assert api.call("POST", ARTICLE, GOOD).headers["x-content-type-options"] == "nosniff"


def test_an_operator_override_in_ssm_changes_the_policy_without_a_deploy(api, aws_stack, monkeypatch):
    from tests_support import reset

    # Given an operator's override in SSM: the duplicate rule off, three links allowed, a new version
    override = {"version": "site-7", "rules": {"duplicate": {"enabled": False}, "links": {"max_links": 3}}}
    aws_stack.client("ssm").put_parameter(
        Name="/comments/policy-test", Value=json.dumps(override), Type="String"
    )
    monkeypatch.setenv("POLICY_PARAMETER", "/comments/policy-test")
    reset()
    # When the same author posts the same three-link text twice
    first = api.call("POST", ARTICLE, HELD)
    second = api.call("POST", ARTICLE, HELD)
    # Then both are published under the operator's policy version
    assert (first.status, second.status) == (201, 201)
    [item, _] = stored_comments(aws_stack)
    assert item["policyVersion"]["S"] == "site-7"
