"""The writes a submission and the relay make, as DynamoDB receives them (botocore's Stubber on a
real client): each a single conditional write, and each refusal read as what it means."""

import pytest
from botocore.stub import ANY, Stubber
from comments.adapters.comment_table import CommentTable, comment_item
from comments.domain.errors import DuplicateComment, RequestAlreadyStored
from tests_support import offline_dynamodb, stored_comment

NOW = 1_795_000_000


@pytest.fixture
def table():
    client = offline_dynamodb()
    stub = Stubber(client)
    with stub:
        yield CommentTable("t", client), stub
    stub.assert_no_pending_responses()


def test_the_comment_is_one_conditional_put_that_carries_its_receipt(table):
    comment_table, stub = table
    comment = stored_comment("published")
    receipt = {"idemStatus": {"S": "COMPLETED"}, "idemData": {"S": "{}"}}
    stub.add_response(
        "put_item",
        {},
        {
            "TableName": "t",
            "Item": {**comment_item(comment), **receipt},
            "ConditionExpression": "attribute_not_exists(pk)",
        },
    )
    comment_table.insert(comment, receipt)


def test_a_comment_already_under_its_id_is_the_same_requests(table):
    comment_table, stub = table
    stub.add_client_error("put_item", "ConditionalCheckFailedException")
    with pytest.raises(RequestAlreadyStored):
        comment_table.insert(stored_comment("published"))


@pytest.mark.parametrize("replacing", [None, "01STALESTALESTALESTALESTAL"])
def test_the_duplicate_marker_may_replace_only_its_own_an_expired_or_a_stale_one(table, replacing):
    comment_table, stub = table
    ids = ":id, :stale" if replacing else ":id"
    values = {":now": {"N": str(NOW)}, ":id": {"S": "C1"}}
    if replacing:
        values[":stale"] = {"S": replacing}
    stub.add_response(
        "put_item",
        {},
        {
            "TableName": "t",
            "Item": {
                "pk": {"S": "D#a#f"},
                "kind": {"S": "duplicate"},
                "commentId": {"S": "C1"},
                "at": {"N": str(NOW)},
                "expiration": {"N": str(NOW + 86400)},
            },
            "ConditionExpression": f"attribute_not_exists(pk) OR expiration < :now OR commentId IN ({ids})",
            "ExpressionAttributeValues": values,
        },
    )
    comment_table.mark_duplicate("a", "f", "C1", NOW + 86400, NOW, replacing)


def test_a_live_marker_of_another_comment_is_a_duplicate(table):
    comment_table, stub = table
    stub.add_client_error("put_item", "ConditionalCheckFailedException")
    with pytest.raises(DuplicateComment):
        comment_table.mark_duplicate("a", "f", "C1", NOW + 86400, NOW)


def counted(stub, markers, totals, error=None, codes=None):
    """Expect one counting transaction: a marker per record, then one update per article."""
    items = [
        {
            "Put": {
                "TableName": "t",
                "Item": {
                    "pk": {"S": f"CTR#{r}"},
                    "kind": {"S": "counted"},
                    "expiration": {"N": str(NOW + 2 * 86400)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for r in markers
    ]
    items += [
        {
            "Update": {
                "TableName": "t",
                "Key": {"pk": {"S": f"CNT#{a}"}},
                "UpdateExpression": "ADD n :d SET kind = :kind",
                "ExpressionAttributeValues": {":d": {"N": str(d)}, ":kind": {"S": "count"}},
            }
        }
        for a, d in totals
    ]
    if error:
        stub.add_client_error(
            "transact_write_items",
            service_error_code=error,
            modeled_fields={"CancellationReasons": [{"Code": c} for c in codes]} if codes else None,
            expected_params={"TransactItems": items},
        )
    else:
        stub.add_response("transact_write_items", {}, {"TransactItems": items})


def test_a_batch_moves_each_articles_count_once_with_a_marker_per_change(table):
    comment_table, stub = table
    # Given three changes on two articles (and one that moves nothing)
    counted(stub, ["e1", "e2", "e3"], [("hot", 2), ("quiet", -1)])
    changes = [("e1", "hot", 1), ("e2", "quiet", -1), ("e3", "hot", 1), ("e4", "hot", 0)]
    # Then one transaction: three markers, one update per article
    assert comment_table.count_changes(changes, NOW) == []


def test_a_change_delivered_again_is_not_counted_again(table):
    comment_table, stub = table
    # e1 was counted by an earlier delivery: its marker's condition fails, and the rest go again
    counted(
        stub,
        ["e1", "e2"],
        [("hot", 2)],
        "TransactionCanceledException",
        ["ConditionalCheckFailed", "None", "None"],
    )
    counted(stub, ["e2"], [("hot", 1)])
    assert comment_table.count_changes([("e1", "hot", 1), ("e2", "hot", 1)], NOW) == []


def test_a_conflict_with_another_batch_is_waited_out(table, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    comment_table, stub = table
    counted(stub, ["e1"], [("hot", 1)], "TransactionCanceledException", ["None", "TransactionConflict"])
    counted(stub, ["e1"], [("hot", 1)])
    assert comment_table.count_changes([("e1", "hot", 1)], NOW) == []


def test_a_change_that_cannot_be_counted_is_handed_back(table, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    comment_table, stub = table
    for _ in range(6):
        counted(stub, ["e1"], [("hot", 1)], "ThrottlingException")
    assert comment_table.count_changes([("e1", "hot", 1)], NOW) == ["e1"]


def test_another_refusal_is_not_swallowed(table):
    comment_table, stub = table
    stub.add_client_error(
        "transact_write_items", "ValidationException", expected_params={"TransactItems": ANY}
    )
    with pytest.raises(Exception, match="ValidationException"):
        comment_table.count_changes([("e1", "hot", 1)], NOW)
