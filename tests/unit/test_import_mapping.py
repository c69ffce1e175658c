"""What an imported comment becomes (ids, author ids, names, the held reason, the event it makes),
and how the bulk adapter writes batches: one transaction with the articles' counters, comments
already there set aside, throttling retried. DynamoDB is botocore's Stubber on a real client."""

import json
from datetime import UTC, datetime

import pytest
from botocore.stub import ANY, Stubber
from comments.adapters.comment_bulk import MAX_ITEMS, CommentBulk, TooManyRetries, batches
from comments.domain.hmac_keys import HmacKeys
from comments.domain.ids import is_comment_id
from comments.domain.imports import (
    ImportedPost,
    display_name,
    imported_author_id,
    imported_comment,
    imported_id,
)
from comments.domain.relay import StreamChange, held_message, lifecycle_event
from tests_support import offline_dynamodb, stored_comment

KEYS = HmacKeys(b"unit-test-secret")
WHEN = datetime(2015, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def post(status="published", **changes) -> ImportedPost:
    values = {
        "source": "disqus",
        "source_id": "123",
        "article_id": "climate-talks",
        "parent_id": None,
        "name": "Zoë",
        "body": "Hello.",
        "created_at": WHEN,
        "status": status,
        "author_id": KEYS.author_id("zoe@example.org"),
    }
    return ImportedPost(**{**values, **changes})


def test_an_imported_id_is_a_comment_id_of_its_time_and_source():
    first = imported_id(KEYS, "disqus", "123", WHEN)
    assert is_comment_id(first) and first == imported_id(KEYS, "disqus", "123", WHEN)
    assert first != imported_id(KEYS, "disqus", "124", WHEN)
    assert first != imported_id(KEYS, "wordpress", "123", WHEN)
    assert first != imported_id(HmacKeys(b"another deployment"), "disqus", "123", WHEN)
    # the time prefix is the comment's own: later comments sort later
    assert imported_id(KEYS, "disqus", "999", WHEN.replace(year=2014)) < first
    assert imported_id(KEYS, "disqus", "000", WHEN.replace(year=2016)) > first


def test_an_author_with_an_email_gets_the_author_id_a_submission_gets():
    assert imported_author_id(KEYS, "disqus", "1", " Zoe@Example.org", "user:zoe") == KEYS.author_id(
        "zoe@example.org"
    )


def test_an_author_without_an_email_gets_a_stable_id_from_the_source():
    by_name = imported_author_id(KEYS, "disqus", "1", None, "guest:Ann")
    assert by_name == imported_author_id(KEYS, "disqus", "2", "", "guest:Ann")
    assert by_name != imported_author_id(KEYS, "wordpress", "1", None, "guest:Ann")
    assert by_name != KEYS.author_id("guest:Ann") and len(by_name) == 32
    alone = imported_author_id(KEYS, "disqus", "1", None, None)
    assert alone != imported_author_id(KEYS, "disqus", "2", None, None)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("  Zoë   Ångström ", "Zoë Ångström"),
        ("", "Anonymous"),
        ("\u200b\x07", "Anonymous"),
        ("x" * 90, "x" * 80),
    ],
)
def test_names_are_kept_as_the_service_shows_names(raw, shown):
    assert display_name(raw) == shown


def test_a_published_import_is_stored_as_a_submission_is_with_its_source_in_its_history():
    comment = imported_comment(KEYS, post(), NOW)
    assert comment.createdAt == "2015-03-01T09:30:15.250Z"
    assert (comment.status, comment.verdict, comment.hits, comment.policyVersion) == (
        "published",
        "publish",
        [],
        "imported",
    )
    assert comment.clientId == "" and comment.editTokenHash == ""
    assert comment.history == [
        {
            "at": "2026-11-28T10:00:00.000Z",
            "event": "imported",
            "status": "published",
            "source": "disqus",
            "sourceId": "123",
        }
    ]


def test_a_pending_import_makes_the_contracts_queue_message_with_its_reason():
    comment = imported_comment(KEYS, post("pending"), NOW)
    message = json.loads(held_message(comment).model_dump_json())
    assert message["type"] == "comment.held" and message["version"] == 1
    assert message["comment"]["status"] == "pending" and "authorId" not in message["comment"]
    assert message["reasons"] == [
        {"rule": "imported", "message": "It was waiting for moderation on Disqus when it was imported."}
    ]
    assert message["policyVersion"] == "imported"


def test_an_imported_comment_s_event_says_it_was_imported():
    from comments.adapters.comment_table import comment_item
    from comments.adapters.dynamo import from_item

    record = {"eventID": "1", "dynamodb": {"NewImage": comment_item(imported_comment(KEYS, post(), NOW))}}
    event = lifecycle_event(StreamChange(record, from_item))
    assert event is not None and event["DetailType"] == "comment.published"
    assert json.loads(event["Detail"])["imported"] is True
    submitted = {"eventID": "2", "dynamodb": {"NewImage": comment_item(stored_comment())}}
    assert "imported" not in json.loads(lifecycle_event(StreamChange(submitted, from_item))["Detail"])


# -- the bulk adapter ---------------------------------------------------------------------------------


def comments(n: int, article: str = "a", status: str = "published"):
    base = stored_comment(status)
    return [
        base.model_copy(update={"id": imported_id(KEYS, "t", str(i), WHEN), "articleId": article})
        for i in range(n)
    ]


def test_batches_fit_a_transaction():
    many = comments(150, "a") + comments(30, "b") + [c for i in range(12) for c in comments(1, f"x{i}")]
    groups = list(batches(iter(many)))
    for group in groups:
        assert len(group) <= MAX_ITEMS
        assert len({c.articleId for c in group}) <= 10
    assert sum(len(g) for g in groups) == len(many)
    # a group half full ends with its article: the next one shares no article with it
    assert [{c.articleId for c in g} for g in groups[:3]] == [
        {"a"},
        {"a"},
        {"b", "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"},
    ]


def stubbed():
    client = offline_dynamodb()
    slept: list[float] = []
    return CommentBulk("t", client, sleep=slept.append), Stubber(client), slept


def expect_existing(stub, ids: list[str]) -> None:
    stub.add_response(
        "batch_get_item",
        {"Responses": {"t": [{"pk": {"S": f"C#{i}"}} for i in ids]}},
        {"RequestItems": ANY},
    )


def test_a_batch_is_one_transaction_of_conditional_puts_and_no_counter():
    bulk, stub, _ = stubbed()
    batch = comments(3, "a") + comments(2, "b", "pending")
    sent: list[dict] = []
    bulk.ddb.meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems", lambda params, **_: sent.append(params)
    )
    expect_existing(stub, [])
    stub.add_response("transact_write_items", {})
    with stub:
        outcome = bulk.write(batch)
    [params] = sent
    puts = [i["Put"] for i in params["TransactItems"] if "Put" in i]
    updates = [i["Update"] for i in params["TransactItems"] if "Update" in i]
    assert [p["Item"]["pk"]["S"] for p in puts] == [f"C#{c.id}" for c in batch]
    assert all(p["ConditionExpression"] == "attribute_not_exists(pk)" for p in puts)
    assert updates == []  # the relay counts them, from the change stream, like every comment
    assert outcome.written == [c.id for c in batch] and outcome.existing == []


def test_comments_already_there_are_set_aside_before_and_during_the_transaction():
    bulk, stub, slept = stubbed()
    batch = comments(4)
    expect_existing(stub, [batch[0].id])
    # one more appears between the read and the write (another run): the transaction is cancelled
    stub.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={
            "CancellationReasons": [
                {"Code": "None"},
                {"Code": "ConditionalCheckFailed"},
                {"Code": "None"},
                {"Code": "None"},
            ]
        },
    )
    stub.add_response("transact_write_items", {})
    with stub:
        outcome = bulk.write(batch)
        stub.assert_no_pending_responses()
    assert outcome.existing == [batch[0].id, batch[2].id]
    assert outcome.written == [batch[1].id, batch[3].id]
    assert slept == []  # not a throttle: no wait


def test_throttling_and_conflicts_are_retried_with_backoff_then_given_up():
    bulk, stub, slept = stubbed()
    batch = comments(2)
    expect_existing(stub, [])
    stub.add_client_error("transact_write_items", service_error_code="ProvisionedThroughputExceededException")
    stub.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={
            "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}, {"Code": "None"}]
        },
    )
    stub.add_response("transact_write_items", {})
    with stub:
        outcome = bulk.write(batch)
    assert outcome.written == [c.id for c in batch] and outcome.retries == 2 and len(slept) == 2
    bulk.attempts = 2
    expect_existing(stub, [])
    for _ in range(2):
        stub.add_client_error("transact_write_items", service_error_code="ThrottlingException")
    with stub, pytest.raises(TooManyRetries):
        bulk.write(batch)


def test_unprocessed_keys_of_the_pre_read_are_read_again():
    bulk, stub, slept = stubbed()
    ids = [c.id for c in comments(3)]
    stub.add_response(
        "batch_get_item",
        {
            "Responses": {"t": [{"pk": {"S": f"C#{ids[0]}"}}]},
            "UnprocessedKeys": {"t": {"Keys": [{"pk": {"S": f"C#{ids[1]}"}}]}},
        },
    )
    stub.add_response("batch_get_item", {"Responses": {"t": [{"pk": {"S": f"C#{ids[1]}"}}]}})
    with stub:
        assert bulk.existing(ids) == {ids[0], ids[1]}
    assert len(slept) == 1
