"""Moderation over real HTTP against the local stack: the dev server plays the JWT authorizer
with the moderator token, the stream poller plays Lambda's event source mapping."""

import time
import uuid

import requests
from tests_support import auth

LINKS = "Read https://a.example.com then https://b.example.com and https://c.example.com"


def art() -> str:
    return f"mod-e2e-{uuid.uuid4().hex[:8]}"


def submit(stack, article: str, body: str, email: str | None = None) -> requests.Response:
    email = email or f"m-{uuid.uuid4().hex[:8]}@example.org"
    return requests.post(
        f"{stack.base_url}/articles/{article}/comments",
        json={"name": "Mo", "email": email, "body": body},
        timeout=10,
    )


def claim_until(stack, comment_id: str, timeout: float = 20) -> dict:
    """Claim from the queue until this comment shows up (the relay runs in the background);
    anything else claimed on the way is released for the other tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = requests.get(f"{stack.base_url}/moderation/queue?max=10", headers=auth(stack), timeout=10)
        assert r.status_code == 200
        assert r.headers["Cache-Control"] == "no-store"
        found = None
        for item in r.json()["items"]:
            if item["comment"]["id"] == comment_id:
                found = item
            else:
                requests.post(
                    f"{stack.base_url}/moderation/comments/{item['comment']['id']}/release",
                    json={"claim": item["claim"]},
                    headers=auth(stack),
                    timeout=10,
                )
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("the held comment never reached the moderation queue")


def post_from(stack, source_ip: str, path: str, payload: dict) -> tuple[int, dict]:
    import http.client
    import json
    from urllib.parse import urlsplit

    url = urlsplit(stack.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10, source_address=(source_ip, 0))
    try:
        conn.request("POST", path, body=json.dumps(payload), headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        conn.close()


def listed(stack, article: str) -> list[str]:
    r = requests.get(f"{stack.base_url}/articles/{article}/comments", timeout=10)
    return [c["id"] for c in r.json()["comments"]]


def test_held_comment_travels_submit_queue_claim_approve_list(dev_stack):
    article = art()
    held = submit(dev_stack, article, LINKS)
    assert held.status_code == 202
    cid = held.json()["comment"]["id"]
    assert listed(dev_stack, article) == []
    item = claim_until(dev_stack, cid)
    decision = requests.post(
        f"{dev_stack.base_url}/moderation/comments/{cid}/decision",
        json={"decision": "approve", "note": "sources are fine", "claim": item["claim"], "banAuthor": False},
        headers=auth(dev_stack),
        timeout=10,
    )
    assert decision.status_code == 200
    assert decision.json()["comment"]["status"] == "published"
    assert listed(dev_stack, article) == [cid]
    again = requests.post(
        f"{dev_stack.base_url}/moderation/comments/{cid}/decision",
        json={"decision": "reject"},
        headers=auth(dev_stack),
        timeout=10,
    )
    assert again.status_code == 409 and again.json() == {"error": "already_decided"}


def test_reject_with_ban_makes_the_next_comment_banned_author(dev_stack):
    article, email = art(), f"ban-{uuid.uuid4().hex[:6]}@example.org"
    cid = submit(dev_stack, article, LINKS, email).json()["comment"]["id"]
    r = requests.post(
        f"{dev_stack.base_url}/moderation/comments/{cid}/decision",
        json={"decision": "reject", "banAuthor": True, "note": "spam"},
        headers=auth(dev_stack),
        timeout=10,
    )
    assert r.status_code == 200 and r.json()["comment"]["status"] == "rejected"
    nxt = submit(dev_stack, article, "A calm and polite remark.", email)
    assert nxt.status_code == 422
    assert "banned_author" in [v["rule"] for v in nxt.json()["violations"]]


def test_three_reports_send_a_comment_back_to_the_queue(dev_stack):
    article = art()
    cid = submit(dev_stack, article, "A perfectly fine opinion.").json()["comment"]["id"]
    # The dev server takes the client from the TCP peer (as API Gateway's sourceIp), so three
    # readers are three loopback source addresses.
    for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        status, body = post_from(
            dev_stack, source, f"/articles/{article}/comments/{cid}/reports", {"reason": "abusive"}
        )
        assert status == 202 and body == {"status": "received"}
    assert listed(dev_stack, article) == []
    item = claim_until(dev_stack, cid)
    assert "reported" in [r["rule"] for r in item["reasons"]]


def test_moderation_refuses_missing_and_wrong_tokens(dev_stack):
    url = f"{dev_stack.base_url}/moderation/queue"
    assert requests.get(url, timeout=10).status_code == 401
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json() == {"error": "unauthorized"}
