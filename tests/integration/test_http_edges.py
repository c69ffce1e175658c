"""The HTTP edge every API function shares (`comments.api.http`), through the template's
functions with the events API Gateway would send: JSON bodies only (415), the client address
API Gateway always sends (a clean 400 when it is missing), no empty `cookies` in any answer, and
one Idempotency-Key per request."""

import pytest
from conftest import MODERATOR, Api, Reply

ARTICLE = "/articles/edges-2026/comments"
GOOD = {"name": "Ada", "email": "ada@example.org", "body": "A thoughtful, well argued piece. Thank you."}
SOME_ID = "01JD6Z3YQ2W7V9K8M4N5P6R7S8"

# Every route with a body, with a body it would accept (moderation routes with a moderator's claims).
BODY_ROUTES = [
    ("POST", ARTICLE, GOOD),
    ("POST", f"{ARTICLE}/validate", GOOD),
    ("POST", f"{ARTICLE}/{SOME_ID}/reports", {"reason": "rude"}),
    ("PATCH", f"{ARTICLE}/{SOME_ID}", {"editToken": "t", "body": "Fixed."}),
    ("DELETE", f"{ARTICLE}/{SOME_ID}", {"editToken": "t"}),
    ("POST", f"/moderation/comments/{SOME_ID}/decision", {"decision": "approve"}),
    ("POST", f"/moderation/comments/{SOME_ID}/release", {"claim": "c"}),
    ("POST", "/moderation/dlq/redrive", {}),
    ("PUT", "/moderation/articles/edges-2026", {"closed": True}),
    ("POST", "/moderation/authors/export", {"email": "ada@example.org"}),
    ("POST", "/moderation/authors/erase", {"email": "ada@example.org"}),
]
NOT_JSON = [
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json-patch+json",
    "application/json; charset=iso-8859-1",
    "application/json,text/plain",  # two Content-Type headers, joined by API Gateway
    "",
    None,  # no Content-Type at all
]


def call(api: Api, method: str, path: str, body, content_type: str | None, **kwargs) -> Reply:
    claims = MODERATOR if path.startswith("/moderation") else None
    name, event = api.event(method, path, body, claims=claims, **kwargs)
    event["headers"].pop("content-type")
    if content_type is not None:
        event["headers"]["content-type"] = content_type
    return Reply(api.function(name).invoke(event))


def stored_items(stack) -> list[dict]:
    return stack.client("dynamodb").scan(TableName=stack.tables["CommentsTable"])["Items"]


@pytest.mark.parametrize("content_type", NOT_JSON, ids=lambda c: repr(c))
@pytest.mark.parametrize(
    ("method", "path", "body"), BODY_ROUTES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_body_that_is_not_sent_as_json_is_415_on_every_route_with_a_body(
    api, aws_stack, method, path, body, content_type
):
    # Given a body the route would take, sent as anything but application/json
    # When it reaches the route's function
    reply = call(api, method, path, body, content_type)
    # Then it is refused before anything reads it, with the contract's code, and nothing is stored
    assert reply.status == 415, reply.text
    assert reply.json == {"error": "unsupported_media_type"}
    assert reply.headers["content-type"] == "application/json"
    assert stored_items(aws_stack) == []
    if path.startswith("/moderation"):
        assert reply.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", 'Application/JSON; Charset="UTF-8"'],
)
def test_json_with_or_without_a_utf8_charset_is_accepted(api, aws_stack, content_type):
    reply = call(api, "POST", ARTICLE, GOOD, content_type)
    assert reply.status == 201, reply.text


def test_a_request_without_body_or_content_type_goes_on_to_its_route(api, aws_stack):
    # A route that needs a body says so (400); one that takes none (redrive) just runs.
    assert call(api, "POST", ARTICLE, None, None).json["error"] == "bad_request"
    redrive = call(api, "POST", "/moderation/dlq/redrive", None, None)
    assert redrive.status == 200 and redrive.json == {"moved": 0}


def test_reads_need_no_content_type(api, aws_stack):
    reply = call(api, "GET", ARTICLE, None, "text/plain")
    assert reply.status == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", ARTICLE, GOOD), ("GET", ARTICLE, None), ("POST", f"{ARTICLE}/validate", GOOD)],
)
def test_no_answer_carries_an_empty_cookies_list(api, aws_stack, method, path, body):
    name, event = api.event(method, path, body)
    result = api.function(name).invoke(event)
    assert "cookies" not in result and result["statusCode"] < 300


@pytest.mark.parametrize(("method", "path"), [("POST", ARTICLE), ("POST", f"{ARTICLE}/{SOME_ID}/reports")])
def test_an_event_without_a_client_address_is_refused_cleanly_and_logged(
    api, aws_stack, caplog, method, path
):
    # Given an event API Gateway would never send: no requestContext.http.sourceIp
    body = GOOD if path == ARTICLE else {"reason": "rude"}
    name, event = api.event(method, path, body)
    del event["requestContext"]["http"]["sourceIp"]
    # When it reaches the function
    reply = Reply(api.function(name).invoke(event))
    # Then it is a clean 400 with no internals, nothing is stored, and the refusal is logged
    assert reply.status == 400
    assert reply.json == {
        "error": "bad_request",
        "message": "The request could not be attributed to a client.",
    }
    assert stored_items(aws_stack) == []
    refusals = [r for r in caplog.records if r.getMessage() == "malformed event refused"]
    assert [(r.levelname, r.missing) for r in refusals] == [("WARNING", "requestContext.http.sourceIp")]


@pytest.mark.parametrize("key", ["k1,k2", "k1, k2", ""], ids=["joined", "joined-with-space", "empty"])
def test_repeated_or_empty_idempotency_keys_are_refused(api, aws_stack, key):
    # Repeated Idempotency-Key headers arrive joined by a comma: two keys are not one key.
    reply = api.call("POST", ARTICLE, GOOD, headers={"Idempotency-Key": key})
    assert reply.status == 400 and reply.json["error"] == "bad_request"
    assert "Idempotency-Key" in reply.json["message"]
    assert stored_items(aws_stack) == []
