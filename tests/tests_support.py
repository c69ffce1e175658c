"""Helpers the tests share (importable: `tests` is on pytest's pythonpath)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def reset() -> None:
    """Clients, settings and keys live on one runtime per container; a test is a new container."""
    from comments.api import runtime

    runtime.use(None)


def functions_ddb() -> Any:
    """The DynamoDB client the functions in this process use (to hook faults into it)."""
    from comments.api import runtime

    return runtime.current().ddb


_CONSONANTS = "bcdfghjkmnpqrstvwxz"


def unique_tag(length: int = 10) -> str:
    """A random tag for test texts that no policy rule can fire on: consonants only (a hex tag
    can be ten digits, which reads as a phone number and holds the comment)."""
    import secrets

    return "".join(secrets.choice(_CONSONANTS) for _ in range(length))


def stored_comment(status: str = "published", body: str = "A calm and considered remark.") -> Any:
    """A StoredComment as the submit path builds it, hits from the real policy engine, with fixed
    ids and hashes (no secret needed)."""
    from comments.domain.models import StoredComment
    from comments.policy.engine import default_policy, evaluate

    verdict = evaluate(default_policy(), body=body, name="Ada")
    created = "2026-11-25T19:00:00.000Z"
    return StoredComment(
        id="01JD6Z3YQ2W7V9K8M4N5P6R7S8",
        articleId="climate-2026",
        parentId=None,
        name="Ada",
        body=body,
        createdAt=created,
        status=status,
        authorId="a" * 32,
        clientId="c" * 32,
        verdict=verdict.outcome,
        hits=[h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits],
        policyVersion=verdict.policy_version,
        editTokenHash="e" * 64,
        history=[{"at": created, "event": "submitted", "status": status}],
    )


def offline_dynamodb() -> Any:
    """A real boto3 DynamoDB client that cannot reach anything (a closed local port): for unit
    tests that put botocore's Stubber in front of it, or that never call it."""
    import boto3

    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url="http://127.0.0.1:9",
    )


def watch_csp(page: Any) -> list[str]:
    """Every Content-Security-Policy violation a browser page reports from now on (Chromium logs
    each one to the console: "Refused to ... because it violates the following Content Security
    Policy directive")."""
    violations: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def reject_own_held(page: Any, base_url: str, moderator_token: str) -> None:
    """Decide the held comments a browser page's widget keeps for its writer (localStorage), as a
    moderator rejecting them: browser tests that hold comments leave none waiting in the shared
    queue for the tests after them. Comments decided already are left as they are."""
    import json

    import requests

    own = json.loads(page.evaluate("localStorage.getItem('comments-widget:own') || '{}'"))
    for comment_id, entry in own.items():
        if entry.get("held"):
            requests.post(
                f"{base_url}/moderation/comments/{comment_id}/decision",
                json={"decision": "reject", "note": "test clean-up", "claim": None, "banAuthor": False},
                headers={"Authorization": f"Bearer {moderator_token}"},
                timeout=15,
            )


def auth(stack: Any) -> dict[str, str]:
    """The Authorization header of a dev server's local moderator (`stack.moderator_token`)."""
    return {"Authorization": f"Bearer {stack.moderator_token}"}


def reject_pending_except(base_url: str, aws_endpoint: str, moderator_token: str, keep: Any = ()) -> int:
    """Reject, as a moderator, every pending comment of a dev server's table but those in `keep`:
    a browser test that counts the console's cards starts from a queue holding only its own.
    Setting others aside by claiming them is not enough: a claim's or a release's copy of a
    message may still be on its way (a delayed message), and comes round later. A decided
    comment's messages are dropped when they come round. Returns how many it rejected."""
    import requests
    from comments_dev.launch import client

    table = requests.get(f"{base_url}/_dev/stack", timeout=30).json()["tables"]["CommentsTable"]
    ddb = client(aws_endpoint, "dynamodb")
    kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#kind = :comment AND #status = :pending",
        "ExpressionAttributeNames": {"#kind": "kind", "#status": "status"},
        "ExpressionAttributeValues": {":comment": {"S": "comment"}, ":pending": {"S": "pending"}},
    }
    rejected = 0
    while True:
        page = ddb.scan(**kwargs)
        for item in page["Items"]:
            comment_id = item["id"]["S"]
            if comment_id in keep:
                continue
            reply = requests.post(
                f"{base_url}/moderation/comments/{comment_id}/decision",
                json={"decision": "reject", "note": "test clean-up"},
                headers={"Authorization": f"Bearer {moderator_token}"},
                timeout=15,
            )
            rejected += reply.status_code == 200
        if "LastEvaluatedKey" not in page:
            return rejected
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@contextmanager
def only_these_in_the_queue(stack: Any, *comment_ids: str, timeout: float = 60) -> Iterator[None]:
    """A context manager for browser tests of the console against a dev server (`stack`: its
    base_url, aws_endpoint and moderator_token): every other pending comment rejected first (see
    `reject_pending_except`), then wait until each of `comment_ids` has reached the moderation
    queue (the relay queues held comments in the background), claiming anything else that comes
    round on the way; those stay claimed (renewed every 20 s: claims last a minute) until the
    block ends, so a console claims only these. Ours are given back once all have arrived, so
    each is received once here (a message received maxReceiveCount = 5 times without a decision
    is dead-lettered)."""
    import threading
    import time

    import requests

    headers = auth(stack)

    def post(comment_id: str, action: str, claim: str) -> requests.Response:
        return requests.post(
            f"{stack.base_url}/moderation/comments/{comment_id}/{action}",
            json={"claim": claim},
            headers=headers,
            timeout=15,
        )

    wanted = set(comment_ids)
    reject_pending_except(stack.base_url, stack.aws_endpoint, stack.moderator_token, wanted)
    aside: dict[str, str] = {}
    ours: dict[str, str] = {}
    stop = threading.Event()

    def keep_aside() -> None:
        while not stop.wait(20):
            for cid, claim in list(aside.items()):
                renewed = post(cid, "renew", claim)
                if renewed.status_code == 200:
                    aside[cid] = renewed.json()["claim"]
                else:
                    aside.pop(cid, None)

    keeper = threading.Thread(target=keep_aside, daemon=True)
    deadline = time.monotonic() + timeout
    try:
        while len(ours) < len(wanted):
            assert time.monotonic() < deadline, f"never reached the queue: {wanted - set(ours)}"
            r = requests.get(f"{stack.base_url}/moderation/queue?max=10", headers=headers, timeout=15)
            assert r.status_code == 200, r.text
            items = r.json()["items"]
            for item in items:
                cid = item["comment"]["id"]
                (ours if cid in wanted else aside)[cid] = item["claim"]
            if not items:
                time.sleep(0.3)  # the relay queues held comments in the background
        for cid, claim in ours.items():
            post(cid, "release", claim)
        ours.clear()
        keeper.start()
        yield
    finally:
        stop.set()
        if keeper.is_alive():
            keeper.join()
        for cid, claim in [*ours.items(), *aside.items()]:
            post(cid, "release", claim)


DEMO_ARTICLE = "russia-syria-2017"  # the article the dev server's page at `/` shows


def open_article(page: Any, stack: Any, article_id: str | None = None, page_size: int | None = None) -> Any:
    """Open a dev server's article page at `/` in a Playwright `page`, optionally with the widget
    pointed at another article id or page size (the page the server renders, rewritten on its
    way to the browser; a rewrite set by an earlier call is replaced). Returns the list named
    Comments once it has loaded."""
    from playwright.sync_api import expect

    if article_id or page_size:
        page.unroute(stack.base_url + "/")

        def rewrite(route: Any) -> None:
            response = route.fetch()
            html = response.text()
            if article_id:
                html = html.replace(f'data-article-id="{DEMO_ARTICLE}"', f'data-article-id="{article_id}"')
            if page_size:
                html = html.replace("data-comments ", f'data-comments data-page-size="{page_size}" ', 1)
            route.fulfill(response=response, body=html)

        page.route(stack.base_url + "/", rewrite)
    page.goto(stack.base_url + "/")
    comments = page.get_by_role("list", name="Comments", exact=True)
    expect(comments).to_be_attached()
    expect(comments).not_to_have_attribute("aria-busy", "true")
    return comments
