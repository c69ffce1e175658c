"""Whether an idempotency record found by the state read still holds its key: exactly the cases
in which Powertools' own write condition (which the receipt's Put uses) would refuse the key."""

import time

import pytest
from comments.adapters.receipts import ReceiptStore, _live
from tests_support import offline_dynamodb


@pytest.fixture(scope="module")
def store():
    return ReceiptStore.for_table("t", offline_dynamodb())


def record(status, expires_in, in_progress_deadline_in=None):
    """A record as DynamoDB returns it, its times relative to now (seconds)."""
    now = time.time()
    item = {
        "pk": {"S": "fn#hash"},
        "idemStatus": {"S": status},
        "expiration": {"N": str(int(now + expires_in))},
    }
    if in_progress_deadline_in is not None:
        item["idemInProgressExpiration"] = {"N": str(int((now + in_progress_deadline_in) * 1000))}
    return item


@pytest.mark.parametrize(
    ("status", "expires_in", "deadline_in", "live"),
    [
        ("COMPLETED", 3600, None, True),  # replayed
        ("COMPLETED", -10, None, False),  # expired, TTL not yet run: the key is free
        ("INPROGRESS", 3600, 60, True),  # an invocation may still run
        ("INPROGRESS", 3600, -5, False),  # its deadline passed
        ("INPROGRESS", 3600, None, True),  # no deadline recorded: Powertools keeps it too
        ("INPROGRESS", -10, 60, False),  # expired outright
    ],
    ids=["completed", "expired", "in-progress", "abandoned", "no-deadline", "expired-in-progress"],
)
def test_a_record_holds_its_key_exactly_when_powertools_would_refuse_it(
    store, status, expires_in, deadline_in, live
):
    assert _live(record(status, expires_in, deadline_in), store) is live
