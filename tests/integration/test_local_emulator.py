"""The local stack's moto server (comments_dev.moto_server).

A cancelled transaction is rolled back from a snapshot of the items it touched, not from a copy
of the whole table: all or nothing still, the same cancellation reasons, and no stream record
for what was undone. An SQS long poll does not hold the other requests while it waits, and
ends when a message comes."""

import threading
import time

import pytest


def _put(key: str, **extra: str) -> dict:
    return {"pk": {"S": key}, **{k: {"S": v} for k, v in extra.items()}}


@pytest.fixture
def table(aws_stack):
    ddb = aws_stack.client("dynamodb")
    name = aws_stack.tables["CommentsTable"]
    return ddb, name


def _stream_records(aws_stack, name: str) -> int:
    ddb, streams = aws_stack.client("dynamodb"), aws_stack.client("dynamodbstreams")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return len(streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"])


def test_a_cancelled_transaction_leaves_items_and_stream_as_they_were(table, aws_stack):
    # Given an item that the transaction's first put would overwrite, and a second put whose condition fails
    ddb, name = table
    ddb.put_item(TableName=name, Item=_put("A", v="before"))
    ddb.put_item(TableName=name, Item=_put("B", v="taken"))
    records = _stream_records(aws_stack, name)

    # When the transaction runs
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": _put("A", v="after")}},
                {"Put": {"TableName": name, "Item": _put("C", v="new")}},
                {
                    "Put": {
                        "TableName": name,
                        "Item": _put("B", v="mine"),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    # Then it is cancelled for the third item's condition, and nothing of it remains
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "A"}})["Item"]["v"]["S"] == "before"
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "C"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "B"}})["Item"]["v"]["S"] == "taken"
    assert _stream_records(aws_stack, name) == records


def test_a_transaction_that_goes_through_writes_every_item(table, aws_stack):
    # Given an empty table
    ddb, name = table

    # When a transaction puts two items and updates a third
    ddb.put_item(TableName=name, Item=_put("N", n="x"))
    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": name,
                    "Item": _put("X"),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": name, "Item": _put("Y")}},
            {
                "Update": {
                    "TableName": name,
                    "Key": {"pk": {"S": "N"}},
                    "UpdateExpression": "SET m = :m",
                    "ExpressionAttributeValues": {":m": {"S": "y"}},
                }
            },
        ]
    )

    # Then all three are there
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "X"}})
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "Y"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "N"}})["Item"]["m"]["S"] == "y"


def test_two_operations_on_one_item_are_refused_and_change_nothing(table):
    # Given an item
    ddb, name = table
    ddb.put_item(TableName=name, Item=_put("D", v="kept"))

    # When one transaction names it twice
    with pytest.raises(ddb.exceptions.ClientError):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": _put("D", v="one")}},
                {"Put": {"TableName": name, "Item": _put("D", v="two")}},
            ]
        )

    # Then the item is as it was
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "D"}})["Item"]["v"]["S"] == "kept"


def test_a_long_poll_ends_when_a_message_comes_and_holds_no_other_request(aws_stack):
    # Given an empty queue, a table, and a reader long-polling the queue for up to 5 seconds
    sqs, ddb = aws_stack.client("sqs"), aws_stack.client("dynamodb")
    queue, table = aws_stack.queues["ModerationQueue"], aws_stack.tables["CommentsTable"]
    received: dict[str, float] = {}

    def poll() -> None:
        start = time.monotonic()
        reply = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5, MaxNumberOfMessages=1)
        received["messages"] = len(reply.get("Messages", []))
        received["after"] = time.monotonic() - start

    reader = threading.Thread(target=poll)
    reader.start()
    time.sleep(0.3)

    # When a table read is made and a message is sent while it waits
    start = time.monotonic()
    ddb.get_item(TableName=table, Key={"pk": {"S": "nothing"}})
    read_took = time.monotonic() - start
    sqs.send_message(QueueUrl=queue, MessageBody="held")
    reader.join(timeout=10)

    # Then the read was not held by the poll, and the poll returned the message well before 5 s
    assert read_took < 2.0
    assert received["messages"] == 1
    assert received["after"] < 4.0
