"""What the benchmarks send: typical comments, the events API Gateway and the stream would
deliver, and stored items exactly as the table adapter writes them."""

import json
import random
from datetime import UTC, datetime
from typing import Any

SECRET = "bench-secret-" + "x" * 51  # 64 characters, as the template generates
ARTICLE = "council-budget-2026"
SOURCE_IP = "198.51.100.7"
NOW = datetime(2026, 11, 25, 16, 40, tzinfo=UTC)

# Clean, ordinary reader comments: the policy publishes them.
_SENTENCES = (
    "The council's decision to close the library was made without asking a single resident.",
    "I have lived in this town for thirty years and the traffic has never been this bad.",
    "Good reporting, but the article leaves out what the minister actually said last spring.",
    "Does anyone know whether the new rules apply to people who already have a permit?",
    "This is the third time this year that the trains have been cancelled on a Monday.",
    "My grandmother worked at the factory until it closed, and she still talks about it.",
    "Fair point, although I think the report was written before the budget was announced.",
    "We need more nurses, not more managers; everyone on the ward will tell you the same.",
    "Thank you for covering this. Local news matters more than ever.",
    "The school run is chaos already, and another four hundred houses will make it worse.",
    "Can the paper follow up on what happened to the money raised for the new playground?",
    "Honestly the best thing about this town is the people, whatever the headlines say.",
)
# Held: more links than the policy lets through unseen.
HELD_BODY = (
    "Sources for the figures above: https://www.example.org/budget/2026 "
    "https://data.example.net/council/spending https://archive.example.com/minutes/2025"
)


def comment_text(length: int, seed: int = 1) -> str:
    """An ordinary comment of exactly `length` characters."""
    rng = random.Random(seed * 7919 + length)
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.extend(rng.choice(_SENTENCES).split())
    text = " ".join(words)[:length]
    return text[:-1] + "." if text.endswith(" ") else text


# The page a widget on the site sends with each comment (the site's origin must be allowed).
SITE = "https://www.example-news.com"
PAGE = {"title": "Council budget 2026: what the cuts mean for you", "url": f"{SITE}/local/{ARTICLE}"}


def draft(length: int = 200, seed: int = 1, body: str | None = None, page: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "Ada Lovelace",
        "email": f"reader{seed}@example.org",
        "body": body if body is not None else comment_text(length, seed),
        "parentId": None,
    }
    if page:
        out["page"] = PAGE
    return out


def http_event(
    method: str,
    route: str,
    path_parameters: dict[str, str],
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The API Gateway HTTP API (payload 2.0) event for a request, as the dev server builds it."""
    from comments_dev.apigw import http_api_event

    path = route
    for key, value in path_parameters.items():
        path = path.replace("{" + key + "}", value)
    raw = json.dumps(body).encode() if body is not None else b""
    all_headers = {
        "content-type": "application/json",
        "host": "api.example.com",
        "user-agent": "bench",
        **(headers or {}),
    }
    return http_api_event(
        method=method,
        raw_path=path,
        raw_query=query,
        headers=list(all_headers.items()),
        body=raw,
        source_ip=SOURCE_IP,
        route_key=f"{method} {route}",
        path_parameters=path_parameters,
        claims=claims,
    )


def submit_event(
    length: int = 200,
    seed: int = 1,
    idempotency_key: str | None = "k-1",
    body: str | None = None,
    page: bool = False,
) -> dict[str, Any]:
    headers = {"idempotency-key": idempotency_key} if idempotency_key else {}
    return http_event(
        "POST",
        "/articles/{articleId}/comments",
        {"articleId": ARTICLE},
        draft(length, seed, body, page),
        headers,
    )


def stored_comment(
    status: str = "published",
    length: int = 200,
    seed: int = 1,
    body: str | None = None,
    created: datetime | None = None,
) -> Any:
    """A StoredComment as the domain's submission.submit builds it (hits from the real policy engine)."""
    from comments.domain.hmac_keys import HmacKeys
    from comments.domain.ids import new_comment_id
    from comments.domain.models import StoredComment, iso
    from comments.domain.submission import STATUS_FOR
    from comments.policy.engine import default_policy, evaluate

    keys = HmacKeys(SECRET.encode())

    text = body if body is not None else (HELD_BODY if status == "pending" else comment_text(length, seed))
    verdict = evaluate(default_policy(), body=text, name="Ada Lovelace")
    when = created or NOW
    comment_id = new_comment_id(int(when.timestamp() * 1000))
    created_at = iso(when)
    fields: dict[str, Any] = {
        "id": comment_id,
        "articleId": ARTICLE,
        "parentId": None,
        "name": "Ada Lovelace",
        "body": text,
        "createdAt": created_at,
        "status": status,
        "authorId": keys.author_id(f"reader{seed}@example.org"),
        "clientId": keys.client_id(SOURCE_IP),
        "verdict": verdict.outcome,
        "hits": [
            h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits
        ],
        "policyVersion": verdict.policy_version,
        "editTokenHash": keys.edit_token_hash(keys.edit_token(comment_id)),
        "history": [
            {"at": created_at, "event": "submitted", "status": STATUS_FOR.get(verdict.outcome, status)}
        ],
    }
    return StoredComment.model_validate(fields)


def stream_event(comment: Any) -> dict[str, Any]:
    """The DynamoDB stream batch the relay gets for a newly inserted comment item."""
    from comments.adapters.comment_table import comment_item

    item = comment_item(comment)
    return {
        "Records": [
            {
                "eventID": "1",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": int(NOW.timestamp()),
                    "Keys": {"pk": item["pk"]},
                    "NewImage": item,
                    "SequenceNumber": "111",
                    "SizeBytes": len(json.dumps(item)),
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/CommentsTable/stream/1",
            }
        ]
    }


def public_item(comment: Any) -> dict[str, Any]:
    """A comment as the ArticleIndex returns it (keys plus the projected public fields)."""
    from comments.adapters.comment_table import comment_item

    item = comment_item(comment)
    keep = {"pk", "gsi1pk", "gsi1sk", "id", "articleId", "parentId", "name", "body", "createdAt", "status"}
    return {k: v for k, v in item.items() if k in keep}


def with_secret() -> None:
    """Make the functions' runtime in this process derive keys from the bench's secret."""
    import os

    os.environ.setdefault("TABLE_NAME", "CommentsTable")
    os.environ["COMMENTS_DEV_SECRET"] = SECRET
    from comments.api import runtime

    runtime.use(None)


def _status(expected: int) -> Any:
    return lambda result: isinstance(result, dict) and result.get("statusCode") == expected


def first_requests() -> dict[str, Any]:
    """Each function's typical first request after a cold start, with the canned AWS answers
    that make it succeed. Functions not listed here get an init figure only."""
    from comments.adapters.comment_table import comment_item

    from bench.coldstart import Scenario

    with_secret()
    published = stored_comment("published")
    held = stored_comment("pending")
    reported = comment_item(published)
    reported["reports"] = {"N": "1"}
    moderator = {"sub": "m-1", "username": "moderator", "cognito:groups": "[moderators]"}
    # The author's own comment, written a moment ago (inside the edit window when the run starts).
    from comments.domain.hmac_keys import HmacKeys

    mine = stored_comment("published", created=datetime.now(UTC))
    token = HmacKeys(SECRET.encode()).edit_token(mine.id)
    return {
        "AuthorFunction": Scenario(
            http_event(
                "PATCH",
                "/articles/{articleId}/comments/{commentId}",
                {"articleId": ARTICLE, "commentId": mine.id},
                {"editToken": token, "body": "A corrected version of my earlier comment."},
            ),
            {"DynamoDB_20120810.GetItem": {"Item": comment_item(mine)}},
            _status(200),
        ),
        "SubmitFunction": Scenario(submit_event(200), served=_status(201)),
        "ReadFunction": Scenario(
            http_event("GET", "/articles/{articleId}/comments", {"articleId": ARTICLE}, query="limit=20"),
            {"DynamoDB_20120810.Query": {"Items": [public_item(published)] * 20, "Count": 20}},
            _status(200),
        ),
        "RelayFunction": Scenario(
            stream_event(held), served=lambda r: isinstance(r, dict) and r.get("batchItemFailures") == []
        ),
        "ModerationFunction": Scenario(
            http_event("GET", "/moderation/queue", {}, claims=moderator), served=_status(200)
        ),
        "ReportFunction": Scenario(
            http_event(
                "POST",
                "/articles/{articleId}/comments/{commentId}/reports",
                {"articleId": ARTICLE, "commentId": published.id},
                {"reason": "It is off topic."},
            ),
            {"DynamoDB_20120810.GetItem": {"Item": reported}},
            _status(202),
        ),
    }
