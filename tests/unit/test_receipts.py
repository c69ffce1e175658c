"""Whether an idempotency record found by the state read still holds its key: exactly the cases
in which Powertools' own write condition (which the receipt's Put uses) would refuse the key."""

import time

import boto3
import pytest
from comments.adapters.receipts import ReceiptStore, _live

NOW = time.time()


@pytest.fixture(scope="module")
def store():
    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return ReceiptStore(
        table_name="t",
        key_attr="pk",
        expiry_attr="expiration",
        in_progress_expiry_attr="idemInProgressExpiration",
        status_attr="idemStatus",
        data_attr="idemData",
        validation_key_attr="idemValidation",
        boto3_client=client,
    )


def record(status, expires_in, in_progress_deadline_in=None):
    item = {
        "pk": {"S": "fn#hash"},
        "idemStatus": {"S": status},
        "expiration": {"N": str(int(NOW + expires_in))},
    }
    if in_progress_deadline_in is not None:
        item["idemInProgressExpiration"] = {"N": str(int((NOW + in_progress_deadline_in) * 1000))}
    return item


@pytest.mark.parametrize(
    ("item", "live"),
    [
        (record("COMPLETED", 3600), True),  # replayed
        (record("COMPLETED", -10), False),  # expired, TTL not yet run: the key is free
        (record("INPROGRESS", 3600, in_progress_deadline_in=5), True),  # an invocation may still run
        (record("INPROGRESS", 3600, in_progress_deadline_in=-5), False),  # its deadline passed
        (record("INPROGRESS", 3600), True),  # no deadline recorded: Powertools keeps it too
        (record("INPROGRESS", -10, in_progress_deadline_in=5), False),  # expired outright
    ],
    ids=[
        "completed",
        "expired",
        "in-progress",
        "abandoned",
        "in-progress-no-deadline",
        "expired-in-progress",
    ],
)
def test_a_record_holds_its_key_exactly_when_powertools_would_refuse_it(store, item, live):
    assert _live(item, store) is live
