"""How the comment's transaction is read when DynamoDB cancels it: each item's cancellation
reason is matched to the item it belongs to, whatever items this comment's transaction has
(published or held, duplicate rule on or off, rate limit on or off, with or without a receipt).
DynamoDB is botocore's Stubber on a real client: the request sent is checked item by item."""

import pytest
from botocore.stub import ANY, Stubber
from comments.adapters.comment_table import CommentTable
from comments.domain.errors import DuplicateComment, RateLimited, RequestAlreadyStored
from tests_support import offline_dynamodb, stored_comment

RECEIPT = {"Put": {"TableName": "t", "Item": {"pk": {"S": "fn#hash"}}}}
NOW = 1_795_000_000


def table_and_stub():
    client = offline_dynamodb()
    return CommentTable("t", client), Stubber(client)


def kinds(status: str, marker: bool, rate: bool, receipt: bool) -> list[str]:
    """The items this comment's transaction holds, in order."""
    return [
        "comment",
        *(["marker"] if marker else []),
        *(["rate-client", "rate-author"] if rate else []),
        *(["counter"] if status == "published" else []),
        *(["receipt"] if receipt else []),
    ]


def cancel(stub, codes):
    stub.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={"CancellationReasons": [{"Code": c} for c in codes]},
        expected_params={"TransactItems": ANY},
    )


def insert(table, status, marker, rate, receipt):
    table.insert(
        stored_comment(status),
        "f" * 64 if marker else None,
        NOW + 86400,
        NOW,
        rate_limit_per_minute=5 if rate else 0,
        receipt=RECEIPT if receipt else None,
    )


SHAPES = [
    (status, marker, rate, receipt)
    for status in ("published", "pending")
    for marker in (True, False)
    for rate in (True, False)
    for receipt in (True, False)
]


@pytest.mark.parametrize(("status", "marker", "rate", "receipt"), SHAPES)
def test_the_transaction_holds_the_items_of_the_comment_in_order(status, marker, rate, receipt):
    table, stub = table_and_stub()
    sent = {}

    def keep(params, **_):
        sent.update(params)

    table.ddb.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", keep)
    stub.add_response("transact_write_items", {})
    with stub:
        insert(table, status, marker, rate, receipt)
    pks = [
        next(iter(i.values())).get("Item", next(iter(i.values())).get("Key"))["pk"]["S"]
        for i in sent["TransactItems"]
    ]
    prefixes = {"C": "comment", "D": "marker", "CNT": "counter", "fn": "receipt"}
    seen = [("rate-" + pk.split("#")[1]) if pk.startswith("R#") else prefixes[pk.split("#")[0]] for pk in pks]
    assert seen == kinds(status, marker, rate, receipt)


FAILURES = [
    ("receipt", "ConditionalCheckFailed", RequestAlreadyStored),
    ("receipt", "TransactionConflict", RequestAlreadyStored),
    ("rate-client", "ConditionalCheckFailed", RateLimited),
    ("rate-author", "ConditionalCheckFailed", RateLimited),
    ("marker", "ConditionalCheckFailed", DuplicateComment),
    ("counter", "TransactionConflict", None),  # not ours to read: re-raised as it is (a 503)
    ("comment", "ConditionalCheckFailed", None),  # an id collision: re-raised
]
# Every shape of transaction with every failure its items can have.
CASES = [
    (*shape, failing, code, expected)
    for shape in SHAPES
    for failing, code, expected in FAILURES
    if failing in kinds(*shape)
]


@pytest.mark.parametrize(("status", "marker", "rate", "receipt", "failing", "code", "expected"), CASES)
def test_each_cancellation_reason_is_read_for_the_item_it_belongs_to(
    status, marker, rate, receipt, failing, code, expected
):
    items = kinds(status, marker, rate, receipt)
    table, stub = table_and_stub()
    # Given DynamoDB cancels the transaction for one item, and every other item is fine
    cancel(stub, [code if kind == failing else "None" for kind in items])
    # When the comment is inserted, then the error names what happened
    with stub, pytest.raises(expected or table.ddb.exceptions.TransactionCanceledException) as raised:
        insert(table, status, marker, rate, receipt)
    if expected is RequestAlreadyStored:
        assert raised.value.in_flight == (code == "TransactionConflict")
    if expected is RateLimited:
        assert 1 <= raised.value.retry_after <= 60


def test_the_receipt_outranks_the_marker_and_the_rate_windows():
    # Given the copy of a request that lost to its twin: the twin's receipt, marker and rate
    # tokens are all there now
    table, stub = table_and_stub()
    cancel(
        stub,
        [
            "None",
            "ConditionalCheckFailed",
            "ConditionalCheckFailed",
            "None",
            "None",
            "ConditionalCheckFailed",
        ],
    )
    # Then it is told the request is stored (it replays), not that it is a duplicate or limited
    with stub, pytest.raises(RequestAlreadyStored):
        insert(table, "published", marker=True, rate=True, receipt=True)
