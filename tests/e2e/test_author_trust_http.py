"""Author trust end to end over HTTP against the local stack (`make dev`): a moderator's decision
goes through the change stream (the dev server's stream poller and relay, in the background) into
the author's record, and the next comment is judged by it: a new writer held until approved, a
writer whose recent comments were mostly rejected held, a trusted writer's links published."""

import time
import uuid
from typing import Any

import requests
from tests_support import unique_tag

LINKS = "Sources: https://example.com/a and https://example.org/b and https://example.net/c"


def moderator(stack: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.moderator_token}"}


def draft(email: str, body: str) -> dict[str, Any]:
    return {"name": "Trust Reader", "email": email, "body": f"{body} ({unique_tag()})"}


def post(
    stack: Any, article: str, email: str, body: str = "A calm remark about the article."
) -> requests.Response:
    return requests.post(
        f"{stack.base_url}/articles/{article}/comments",
        json=draft(email, body),
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=15,
    )


def decide(stack: Any, comment_id: str, decision: str) -> None:
    reply = requests.post(
        f"{stack.base_url}/moderation/comments/{comment_id}/decision",
        json={"decision": decision},
        headers=moderator(stack),
        timeout=15,
    )
    assert reply.status_code == 200, reply.text


def held(stack: Any, article: str, email: str, body: str, rules: list[str]) -> str:
    reply = post(stack, article, email, body)
    assert reply.status_code == 202, reply.text
    assert [r["rule"] for r in reply.json()["reasons"]] == rules
    return str(reply.json()["comment"]["id"])


def verdict_once_relayed(stack: Any, article: str, email: str, body: str, expected: str) -> dict[str, Any]:
    """What the form's check says of this writer's next comment, once the relay has caught up
    (the check reads the same stored state as a submission, and stores nothing)."""
    deadline = time.monotonic() + 30
    while True:
        reply = requests.post(
            f"{stack.base_url}/articles/{article}/comments/validate", json=draft(email, body), timeout=15
        )
        assert reply.status_code == 200, reply.text
        if reply.json()["verdict"] == expected or time.monotonic() > deadline:
            return dict(reply.json())
        time.sleep(0.3)


def test_a_new_writer_is_held_until_a_moderator_approved_their_first_comment(dev_stack: Any) -> None:
    # Given an article whose new writers are held until one of their comments was approved
    article, email = f"trust-new-{unique_tag()}", f"new-{unique_tag()}@example.org"
    settings = requests.put(
        f"{dev_stack.base_url}/moderation/articles/{article}",
        json={"newAuthorPremoderation": 1},
        headers=moderator(dev_stack),
        timeout=15,
    )
    assert settings.status_code == 200, settings.text
    # When a new writer's first comment is held, and a moderator approves it
    first = held(dev_stack, article, email, "My first comment here.", ["new_author"])
    decide(dev_stack, first, "approve")
    # Then, once the decision has been relayed, their next comment is published at once
    assert (
        verdict_once_relayed(dev_stack, article, email, "A second remark.", "publish")["verdict"] == "publish"
    )
    second = post(dev_stack, article, email, "A second remark.")
    assert second.status_code == 201, second.text
    # and a writer nobody approved yet is still held there
    assert post(dev_stack, article, f"other-{unique_tag()}@example.org").status_code == 202


def test_a_writer_whose_recent_comments_were_mostly_rejected_is_held(dev_stack: Any) -> None:
    # Given a writer, three of whose held comments a moderator rejected
    article, email = f"trust-history-{unique_tag()}", f"history-{unique_tag()}@example.org"
    for _ in range(3):
        decide(dev_stack, held(dev_stack, article, email, LINKS, ["links"]), "reject")
    # When, the decisions relayed, they post a comment no other rule holds
    checked = verdict_once_relayed(dev_stack, article, email, "A calm remark.", "hold")
    reply = post(dev_stack, article, email, "A calm remark.")
    # Then it is held, with a reason they can act on
    assert [r["rule"] for r in checked["reasons"]] == ["author_history"]
    assert reply.status_code == 202 and [r["rule"] for r in reply.json()["reasons"]] == ["author_history"]
    assert "3 of your last 3 comments" in reply.json()["reasons"][0]["message"]


def test_a_trusted_writer_has_their_links_published(dev_stack: Any) -> None:
    # Given a writer five of whose held comments a moderator approved, none rejected
    article, email = f"trust-links-{unique_tag()}", f"trusted-{unique_tag()}@example.org"
    for _ in range(5):
        decide(dev_stack, held(dev_stack, article, email, LINKS, ["links"]), "approve")
    # When, the decisions relayed, they post three links again
    verdict_once_relayed(dev_stack, article, email, LINKS, "publish")
    reply = post(dev_stack, article, email, LINKS)
    # Then it is published at once (links are one of the policy's soft holds)
    assert reply.status_code == 201, reply.text
    # while the same links from a newcomer are held
    assert post(dev_stack, article, f"newcomer-{unique_tag()}@example.org", LINKS).status_code == 202
