"""The context a moderator decides with, over the API: the article's page (sent by the widget
with a submission, validated against the site's origins, kept per article), the comment a reply
answers, the edit history and the author's history. Handler -> domain -> DynamoDB on moto."""

import json
import uuid

import pytest
from conftest import MODERATOR

ARTICLE = "context-2026"
PATH = f"/articles/{ARTICLE}/comments"
SITE = "https://news.example.com"
PAGE = {"title": "Council closes the library", "url": f"{SITE}/local/library-closes"}
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"


@pytest.fixture(autouse=True)
def site_origins(aws_stack, monkeypatch):
    """The template's AllowedOrigins, as a site deploys it: its own https origin."""
    from tests_support import reset

    monkeypatch.setenv("ALLOWED_ORIGINS", f"{SITE},http://127.0.0.1:3000")
    reset()


def submit(api, body: str = "A calm and fair remark.", email: str | None = None, **extra):
    payload = {
        "name": "Ada",
        "email": email or f"a-{uuid.uuid4().hex[:6]}@example.org",
        "body": body,
        **extra,
    }
    return api.call("POST", PATH, payload)


def detail(api, comment_id: str) -> dict:
    reply = api.call("GET", f"/moderation/comments/{comment_id}", claims=MODERATOR)
    assert reply.status == 200, reply.text
    return reply.json


def decide(api, comment_id: str, decision: str, **extra):
    body = {"decision": decision, **extra}
    reply = api.call("POST", f"/moderation/comments/{comment_id}/decision", body, claims=MODERATOR)
    assert reply.status == 200, reply.text


def article_item(aws_stack) -> dict:
    ddb = aws_stack.client("dynamodb")
    return ddb.get_item(TableName=aws_stack.tables["CommentsTable"], Key={"pk": {"S": f"ART#{ARTICLE}"}})[
        "Item"
    ]


# -- the page ---------------------------------------------------------------------------------------


def test_the_page_sent_with_a_submission_is_what_moderators_see(api, aws_stack):
    # Given a held comment sent from the article's page
    held = submit(api, LINKS, page=PAGE)
    assert held.status == 202, held.text
    # Then the moderators' view of it names the article by its title and links to it
    found = detail(api, held.json["comment"]["id"])
    assert found["article"] == {"id": ARTICLE, **PAGE}
    # and the page never shows in what readers get
    assert "library-closes" not in held.text
    listed = api.call("GET", PATH).text
    assert "Council closes" not in listed


def test_the_page_is_written_only_when_new_or_changed(api, aws_stack, monkeypatch):
    from botocore.client import BaseClient

    writes: list[str] = []
    original = BaseClient._make_api_call

    def recording(self, operation, params):
        if operation in ("UpdateItem", "PutItem") and "ART#" in json.dumps(
            params.get("Key") or params.get("Item")
        ):
            writes.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    # The article's first comment opens it and records its page, in one write
    assert submit(api, page=PAGE).status == 201
    assert writes == ["UpdateItem"]
    # The same page again writes nothing; a comment without a page neither
    assert submit(api, page=PAGE).status == 201
    assert submit(api).status == 201
    assert writes == ["UpdateItem"]
    # A changed title is written once
    renamed = {**PAGE, "title": "Council reverses library closure"}
    assert submit(api, page=renamed).status == 201
    assert submit(api, page=renamed).status == 201
    assert writes == ["UpdateItem", "UpdateItem"]
    assert article_item(aws_stack)["page"]["M"]["title"]["S"] == renamed["title"]


def test_closing_the_article_keeps_its_page(api, aws_stack):
    held = submit(api, LINKS, page=PAGE).json["comment"]
    reply = api.call("PUT", f"/moderation/articles/{ARTICLE}", {"closed": True}, claims=MODERATOR)
    assert reply.status == 200 and "page" not in reply.json["settings"]
    assert detail(api, held["id"])["article"]["title"] == PAGE["title"]
    assert (
        api.call("PUT", f"/moderation/articles/{ARTICLE}", {"closed": False}, claims=MODERATOR).status == 200
    )
    assert submit(api).status == 201


@pytest.mark.parametrize(
    "page, field",
    [
        ({"title": "Library", "url": "http://news.example.com/local/library"}, "page.url"),  # http
        ({"title": "Library", "url": "https://elsewhere.example.net/local/library"}, "page.url"),
        ({"title": "Library", "url": "https://news.example.com.evil.example/x"}, "page.url"),
        ({"title": "L" * 301, "url": PAGE["url"]}, "page.title"),  # too long
        ({"title": "Library", "url": PAGE["url"], "section": "local"}, "page.section"),
        ({"title": "Library"}, "page.url"),
        (PAGE["url"], "page"),
    ],
)
@pytest.mark.parametrize("route", ["", "/validate"])
def test_a_page_that_is_not_this_sites_is_a_422_and_nothing_is_stored(api, aws_stack, page, field, route):
    reply = api.call(
        "POST", PATH + route, {"name": "Ada", "email": "ada@example.org", "body": "Fine words.", "page": page}
    )
    assert reply.status == 422, reply.text
    assert reply.json["error"] == "validation_error"
    assert field in [d["field"] for d in reply.json["details"]]
    items = aws_stack.client("dynamodb").scan(TableName=aws_stack.tables["CommentsTable"])["Items"]
    assert [i for i in items if i["pk"]["S"].startswith(("C#", "ART#"))] == []


# -- the reply's parent, the edits, the author ----------------------------------------------------


def test_a_reply_shows_the_comment_it_answers(api):
    parent = submit(api, "The library was the heart of the town.").json["comment"]
    reply = submit(api, LINKS, parentId=parent["id"]).json["comment"]
    found = detail(api, reply["id"])
    assert found["parent"] == parent
    assert detail(api, parent["id"])["parent"] is None


def test_the_earlier_texts_of_an_edited_comment_are_listed(api):
    first = submit(api, "Sources: https://a.example.com https://b.example.com https://c.example.com")
    token, cid = first.json["editToken"], first.json["comment"]["id"]
    for body in ("Sources: https://a.example.com https://b.example.com and one more https://c.example.com",):
        edited = api.call("PATCH", f"{PATH}/{cid}", {"editToken": token, "body": body})
        assert edited.status == 200, edited.text
    found = detail(api, cid)
    assert [e["previousBody"] for e in found["edits"]] == [
        "Sources: https://a.example.com https://b.example.com https://c.example.com"
    ]
    assert found["edits"][0]["at"].endswith("Z")


def test_the_authors_history_after_decisions(api, aws_stack):
    # Given an author with comments approved, rejected, reported, published and one held now
    email = "regular@example.org"
    approved = submit(api, LINKS + " one", email).json["comment"]
    decide(api, approved["id"], "approve", note="sources fine")
    rejected = submit(api, LINKS + " two", email).json["comment"]
    decide(api, rejected["id"], "reject", note="spam")
    reported = submit(api, "An opinion people dislike.", email).json["comment"]
    for ip in ("203.0.113.1", "203.0.113.2"):
        assert (
            api.call("POST", f"{PATH}/{reported['id']}/reports", {"reason": "rude"}, source_ip=ip).status
            == 202
        )
    elsewhere = api.call(
        "POST",
        "/articles/other-story/comments",
        {"name": "Reg", "email": email, "body": "Elsewhere, calmly."},
    )
    assert elsewhere.status == 201
    now = submit(api, LINKS + " three", email).json["comment"]
    # When a moderator opens the held one
    found = detail(api, now["id"])
    author = found["author"]
    # Then they see what this author wrote before, on any article, and how it was decided
    assert author["counts"] == {
        "comments": 4,
        "published": 3,
        "pending": 0,
        "approved": 1,
        "rejected": 1,
        "reported": 1,
    }
    recent = {c["id"]: c for c in author["recent"]}
    assert set(recent) == {approved["id"], rejected["id"], reported["id"], elsewhere.json["comment"]["id"]}
    assert author["recent"][0]["id"] == elsewhere.json["comment"]["id"]  # newest first
    assert recent[rejected["id"]]["status"] == "rejected"
    [decision] = recent[rejected["id"]]["decisions"]
    assert (decision["decision"], decision["moderator"], decision["note"]) == ("reject", "mia", "spam")
    assert recent[reported["id"]]["reports"] == 2
    assert recent[elsewhere.json["comment"]["id"]]["articleId"] == "other-story"
    # and never the author's email or IP, nor a hash of them
    text = json.dumps(found)
    assert email not in text and "203.0.113" not in text and "198.51.100" not in text
    item = aws_stack.client("dynamodb").get_item(
        TableName=aws_stack.tables["CommentsTable"], Key={"pk": {"S": f"C#{now['id']}"}}
    )["Item"]
    assert item["authorId"]["S"] not in text and item["clientId"]["S"] not in text
