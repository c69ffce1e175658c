"""Powertools idempotency, persisted in the comment's own transaction.

`ReceiptStore` is Powertools' `DynamoDBPersistenceLayer` (same table, same attributes, same
hashes, same replay and payload validation) with two changes to *when* it reads and writes:

- `save_inprogress` writes nothing. It reads the idempotency record in the BatchGetItem that
  also reads the submission's state (article settings, ban, duplicate marker), and raises
  Powertools' `IdempotencyItemAlreadyExistsError` when a live record is there, so that Powertools
  replays it (or refuses another body with `IdempotencyValidationError`).
- the COMPLETED record (the "receipt") is a Put in the transaction that stores the comment, under
  the condition Powertools' own INPROGRESS write uses. So the comment and its receipt are stored
  together or not at all: a Lambda timeout after the write is answered by a replay at once, one
  before it leaves nothing behind, and of two requests with one key racing, the transaction of
  the second fails on the receipt and that request replays the first one's answer.

The submit path makes two DynamoDB calls instead of four (INPROGRESS put, state read,
transaction, COMPLETED update) for the same write units (`make bench`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemAlreadyExistsError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

if TYPE_CHECKING:
    from comments.adapters.comment_table import CommentTable
    from comments.domain.submission import Accepted, Submission

COMPLETED = "COMPLETED"
INPROGRESS = "INPROGRESS"


@dataclass
class Attempt:
    """One invocation's idempotent submission: what `save_inprogress` saw and what it owes."""

    sub: Submission
    store: CommentTable
    record: DataRecord | None = None  # the record Powertools would have written as INPROGRESS
    stored: bool = False  # the transaction stored the comment and its receipt


_attempt: ContextVar[Attempt | None] = ContextVar("comments_idempotent_attempt", default=None)


class ReceiptStore(DynamoDBPersistenceLayer):
    @classmethod
    def for_table(cls, table_name: str, client: Any) -> ReceiptStore:
        """The store on the comments table, with its attribute names (README "Table design")."""
        return cls(
            table_name=table_name,
            key_attr="pk",
            expiry_attr="expiration",
            in_progress_expiry_attr="idemInProgressExpiration",
            status_attr="idemStatus",
            data_attr="idemData",
            validation_key_attr="idemValidation",
            boto3_client=client,
        )

    @contextmanager
    def attempt(self, sub: Submission, store: CommentTable) -> Iterator[Attempt]:
        current = Attempt(sub, store)
        token = _attempt.set(current)
        try:
            yield current
        finally:
            _attempt.reset(token)

    def _put_record(self, data_record: DataRecord) -> None:
        current = _attempt.get()
        if current is None:  # not inside `attempt`: Powertools' own INPROGRESS write
            super()._put_record(data_record)
            return
        pk = self._get_key(data_record.idempotency_key)[self.key_attr]["S"]
        # The submission's own state read, with the record in the same round trip.
        item = current.sub.read_state(current.store, also=pk)
        if item is not None and _live(item, self):
            old = self._item_to_data_record(item)
            self._validate_payload(data_payload=data_record, stored_data_record=old)
            raise IdempotencyItemAlreadyExistsError(old_data_record=old)
        current.record = data_record

    def receipt(self, accepted: Accepted, result: dict[str, Any]) -> dict[str, Any] | None:
        """The COMPLETED record of the current attempt, as a TransactWriteItems Put; None when
        Powertools did not take the request (POWERTOOLS_IDEMPOTENCY_DISABLED): nothing to keep."""
        current = _attempt.get()
        if current is None or current.record is None:
            return None
        record = current.record
        item = {
            **self._get_key(record.idempotency_key),
            self.expiry_attr: {"N": str(record.expiry_timestamp)},
            self.status_attr: {"S": COMPLETED},
            self.data_attr: {"S": json.dumps(result, sort_keys=True)},
        }
        if self.payload_validation_enabled and record.payload_hash:
            item[self.validation_key_attr] = {"S": record.payload_hash}
        now = time.time()
        # Powertools' own condition for taking a key (none yet, expired, or an in-progress record
        # whose invocation is past its deadline), with the layer's attribute names written in
        # (none is a DynamoDB reserved word).
        condition = (
            f"attribute_not_exists({self.key_attr}) OR {self.expiry_attr} < :now OR "
            f"({self.status_attr} = :inprogress AND attribute_exists({self.in_progress_expiry_attr}) "
            f"AND {self.in_progress_expiry_attr} < :now_ms)"
        )
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": condition,
                "ExpressionAttributeValues": {
                    ":now": {"N": str(int(now))},
                    ":now_ms": {"N": str(int(now * 1000))},
                    ":inprogress": {"S": INPROGRESS},
                },
            }
        }

    def stored(self) -> None:
        """The current attempt's transaction went through: its receipt is written."""
        current = _attempt.get()
        if current is not None:
            current.stored = True

    def save_success(self, data: dict[str, Any], result: dict[str, Any]) -> None:
        current = _attempt.get()
        if current is not None and current.stored:
            return  # written by the comment's transaction: nothing to hash, build or send again
        super().save_success(data, result)

    def _delete_record(self, data_record: DataRecord) -> None:
        if _attempt.get() is not None:
            # Nothing to take back: before the transaction nothing was written, and after it the
            # receipt must stay with its comment.
            return
        super()._delete_record(data_record)


def _live(item: dict[str, Any], layer: ReceiptStore) -> bool:
    """Whether an existing record still holds its key (the negation of Powertools' put condition)."""
    now = time.time()
    expiry = int(item.get(layer.expiry_attr, {}).get("N", "0"))
    if expiry < int(now):
        return False
    status = item.get(layer.status_attr, {}).get("S")
    in_progress_expiry = item.get(layer.in_progress_expiry_attr, {}).get("N")
    return not (
        status == INPROGRESS and in_progress_expiry is not None and int(in_progress_expiry) < now * 1000
    )
