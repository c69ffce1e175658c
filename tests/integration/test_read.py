"""Reading an article's published comments: order, pages, cursors that cannot be forged."""

import base64
import json

import pytest

ARTICLE = "/articles/budget-2026/comments"


def post(api, i: int, article: str = ARTICLE, **extra):
    body = {"name": f"Reader {i}", "email": f"reader{i}@example.org", "body": f"Comment number {i} on this."}
    reply = api.call("POST", article, {**body, **extra})
    assert reply.status in (201, 202), reply.text
    return reply.json["comment"]


def test_published_comments_are_listed_oldest_first(api):
    ids = [post(api, i)["id"] for i in range(3)]
    reply = api.call("GET", ARTICLE)
    assert reply.status == 200
    assert reply.json["articleId"] == "budget-2026"
    assert [c["id"] for c in reply.json["comments"]] == ids
    assert reply.json["nextCursor"] is None
    assert all(
        set(c) == {"id", "articleId", "parentId", "name", "body", "createdAt", "status"}
        for c in reply.json["comments"]
    )


def test_held_comments_are_not_listed(api):
    post(api, 1)
    post(api, 2, body="Links: https://a.example.com https://b.example.com https://c.example.com")
    reply = api.call("GET", ARTICLE)
    assert [c["name"] for c in reply.json["comments"]] == ["Reader 1"]


def test_pages_follow_the_cursor_to_the_end_without_gaps_or_repeats(api):
    ids = [post(api, i)["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", ARTICLE, query=query).json
        seen += [c["id"] for c in page["comments"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3


def page_through(api, order: str, limit: int = 3) -> tuple[list[str], int]:
    seen, cursor, pages = [], None, 0
    while True:
        query = f"limit={limit}&order={order}" + (f"&cursor={cursor}" if cursor else "")
        reply = api.call("GET", ARTICLE, query=query)
        assert reply.status == 200, reply.text
        seen += [c["id"] for c in reply.json["comments"]]
        pages += 1
        cursor = reply.json["nextCursor"]
        if cursor is None:
            return seen, pages


def test_newest_first_pages_through_the_whole_article_exactly_once(api):
    # Given an article's comments, and one held (not listed)
    ids = [post(api, i)["id"] for i in range(8)]
    post(api, 99, body="Links: https://a.example.com https://b.example.com https://c.example.com")
    # When a reader pages through it newest first, and another oldest first
    newest, pages = page_through(api, "newest")
    oldest, _ = page_through(api, "oldest")
    # Then each sees every published comment once, in its order
    assert newest == list(reversed(ids)) and pages == 3
    assert oldest == ids
    # And the first newest-first page is the latest comments, one query away
    first = api.call("GET", ARTICLE, query="limit=2&order=newest").json["comments"]
    assert [c["id"] for c in first] == ids[:-3:-1]


def test_a_cursor_is_bound_to_its_order(api):
    for i in range(3):
        post(api, i)
    oldest = api.call("GET", ARTICLE, query="limit=1").json["nextCursor"]
    newest = api.call("GET", ARTICLE, query="limit=1&order=newest").json["nextCursor"]
    assert api.call("GET", ARTICLE, query=f"limit=1&order=newest&cursor={oldest}").status == 400
    assert api.call("GET", ARTICLE, query=f"limit=1&cursor={newest}").status == 400
    assert api.call("GET", ARTICLE, query=f"limit=1&order=oldest&cursor={oldest}").status == 200


@pytest.mark.parametrize("order", ["", "NEWEST", "latest", "newest,oldest", "desc"])
def test_a_bad_order_is_a_bad_request(api, order):
    reply = api.call("GET", ARTICLE, query=f"order={order}")
    assert reply.status == 400 and reply.json["error"] == "bad_request"


def test_an_empty_article_has_an_empty_list(api):
    reply = api.call("GET", "/articles/nothing-here/comments")
    assert reply.status == 200
    assert reply.json == {"articleId": "nothing-here", "comments": [], "nextCursor": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", "\u0661"])
def test_a_bad_limit_is_a_bad_request(api, limit):
    reply = api.call("GET", ARTICLE, query=f"limit={limit}")
    assert reply.status == 400
    assert reply.json["error"] == "bad_request"


def test_a_forged_cursor_is_a_bad_request(api):
    for i in range(3):
        post(api, i)
    cursor = api.call("GET", ARTICLE, query="limit=1").json["nextCursor"]
    payload, mac = cursor.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded["k"]["gsi1sk"] = "0000"
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode() + "." + mac
    for bad in (forged, "garbage", cursor[:-2], "a.b.c", "\u00e9t\u00e9"):
        reply = api.call("GET", ARTICLE, query=f"limit=1&cursor={bad}")
        assert reply.status == 400, bad
        assert reply.json["error"] == "bad_request"


def test_a_cursor_of_one_article_does_not_read_another(api):
    for i in range(2):
        post(api, i)
        post(api, i + 10, article="/articles/secret-other/comments")
    cursor = api.call("GET", ARTICLE, query="limit=1").json["nextCursor"]
    reply = api.call("GET", "/articles/secret-other/comments", query=f"limit=1&cursor={cursor}")
    assert reply.status == 400


def test_unknown_routes_get_a_json_not_found(api):
    name, event = api.event("GET", ARTICLE)
    event["routeKey"] = "$default"
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/nope"
    result = api.function(name).invoke(event)
    assert result["statusCode"] == 404
    assert json.loads(result["body"]) == {"error": "not_found"}
