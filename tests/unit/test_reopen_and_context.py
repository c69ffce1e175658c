"""Reopening a decision, and the context a moderator decides with (moderation_context.detail),
on the in-memory store."""

import json
from datetime import UTC, datetime

import pytest
from comments.domain import moderation, moderation_context
from comments.domain.errors import NotDecided, NotFound
from comments.domain.models import ArticlePage
from comments.domain.requests import DecisionIn
from moderation_fakes import FakeStore
from tests_support import stored_comment

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MIA = moderation.Moderator(id="m-1", name="mia")


def comment(n: int, status: str = "pending", author: str = "a" * 32, **changes):
    base = stored_comment(status, f"Comment number {n}, calm and fair.")
    ident = f"01JD6Z3YQ2W7V9K8M4N5P6R{n:03d}"
    return base.model_copy(
        update={
            "id": ident,
            "authorId": author,
            "createdAt": f"2026-11-{n % 28 + 1:02d}T10:00:00.000Z",
            **changes,
        }
    )


def decided(store: FakeStore, c, decision: str, **extra):
    store.add(c)
    return moderation.decide(store, c.id, DecisionIn(decision=decision, **extra), MIA, NOW)


# -- reopen ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decided_comment_reopens_to_pending_with_an_audit_entry(decision):
    store = FakeStore()
    done = decided(store, comment(1), decision)
    reopened, lifted = moderation.reopen(store, done.id, "clicked the wrong one", MIA, NOW)
    assert reopened.status == "pending" and lifted is False
    entry = reopened.history[-1]
    assert entry["event"] == "reopened" and entry["previousStatus"] == done.status
    assert (entry["moderator"], entry["note"], entry["at"]) == (
        "mia",
        "clicked the wrong one",
        "2026-11-28T12:00:00.000Z",
    )
    # and it can be decided again, exactly once
    again = moderation.decide(store, done.id, DecisionIn(decision="reject"), MIA, NOW)
    assert again.status == "rejected"


@pytest.mark.parametrize(
    "status, history",
    [
        ("pending", None),  # nothing decided yet
        ("published", None),  # published by the policy, never by a moderator
        ("deleted", [{"event": "decided", "decision": "approve"}]),
        ("erased", [{"event": "erased"}]),
    ],
)
def test_only_a_moderators_published_or_rejected_comment_reopens(status, history):
    store = FakeStore()
    c = store.add(comment(2, status) if history is None else comment(2, status, history=history))
    with pytest.raises(NotDecided):
        moderation.reopen(store, c.id, None, MIA, NOW)
    with pytest.raises(NotFound):
        moderation.reopen(store, "01ARZ3NDEKTSV4RRFFQ69G5FAV", None, MIA, NOW)


def test_reopening_a_rejection_with_a_ban_lifts_that_ban_only():
    store = FakeStore()
    done = decided(store, comment(3), "reject", banAuthor=True)
    assert store.bans
    _, lifted = moderation.reopen(store, done.id, None, MIA, NOW)
    assert lifted is True and store.bans == {}
    # a ban set by another comment's decision stays
    first = decided(store, comment(4), "reject", banAuthor=True)
    decided(store, comment(5), "reject", banAuthor=True)  # the author's later ban, for comment 5
    _, lifted = moderation.reopen(store, first.id, None, MIA, NOW)
    assert lifted is False and store.bans["a" * 32]["commentId"] == comment(5).id


# -- context ---------------------------------------------------------------------------------------


def test_the_context_has_the_article_page_parent_edits_and_author_history():
    store = FakeStore()
    store.pages["climate-2026"] = ArticlePage(title="Talks stall", url="https://news.example.com/talks")
    parent = store.add(comment(10, "published", author="b" * 32))
    edits = [
        {
            "at": "2026-11-28T10:00:00.000Z",
            "event": "edited",
            "status": "pending",
            "previousBody": "First go.",
        }
    ]
    this = store.add(comment(11, parentId=parent.id, history=[*comment(11).history, *edits]))
    decided(store, comment(1), "approve")
    decided(store, comment(2), "reject", note="spam")
    store.add(comment(3, "published", reports=2))
    store.add(comment(4, "published"))  # published by the policy
    store.add(comment(5, "pending"))

    found = moderation_context.detail(store, this.id)

    assert found["article"] == {
        "id": "climate-2026",
        "title": "Talks stall",
        "url": "https://news.example.com/talks",
    }
    assert found["parent"]["id"] == parent.id and found["parent"]["status"] == "published"
    assert found["edits"] == [
        {"at": "2026-11-28T10:00:00.000Z", "previousBody": "First go.", "status": "pending"}
    ]
    author = found["author"]
    assert author["counts"] == {
        "comments": 5,
        "published": 3,
        "pending": 1,
        "approved": 1,
        "rejected": 1,
        "reported": 1,
    }
    assert this.id not in [c["id"] for c in author["recent"]]
    assert [c["id"] for c in author["recent"]] == [comment(n).id for n in (5, 4, 3, 2, 1)]  # newest first
    rejected = next(c for c in author["recent"] if c["id"] == comment(2).id)
    assert rejected["decisions"][0]["decision"] == "reject" and rejected["decisions"][0]["note"] == "spam"
    # never an email, an IP, or their hashes
    text = json.dumps(found)
    assert "a" * 32 not in text and "c" * 32 not in text and "e" * 64 not in text


def test_the_author_history_lists_twenty_and_counts_a_hundred():
    store = FakeStore()
    this = store.add(comment(0))
    for n in range(1, 131):
        store.add(comment(n, "rejected").model_copy(update={"createdAt": f"2026-10-01T10:00:{n:03d}Z"}))
    author = moderation_context.author_history(store, this)
    assert len(author["recent"]) == 20 and author["counted"] == 100 and author["counts"]["rejected"] == 100


def test_an_erased_author_has_no_history_and_an_unknown_article_no_page():
    store = FakeStore()
    this = store.add(comment(1, authorId=""))
    store.add(comment(2, authorId=""))
    found = moderation_context.detail(store, this.id)
    assert found["author"]["recent"] == [] and found["author"]["counts"]["comments"] == 0
    assert found["article"] == {"id": "climate-2026", "title": None, "url": None}
    assert found["parent"] is None and found["edits"] == []
