"""Powertools idempotency, persisted on the comment itself.

`ReceiptStore` is Powertools' `DynamoDBPersistenceLayer` (same hashing, same replay, same payload
validation) with its record kept in the comment's own item instead of an item of its own:

- a keyed submission's comment id is derived from its article and Idempotency-Key (a keyed hash:
  `HmacKeys.request_comment_id`), so every retry names the same comment;
- `save_inprogress` writes nothing. It reads that comment in the BatchGetItem that also reads the
  submission's state (article settings, ban, duplicate marker); when it is there, it carries the
  record (`idemStatus`, `idemData`, `idemValidation`) and Powertools replays it (or refuses
  another body with `IdempotencyValidationError`);
- the COMPLETED record (the "receipt") is stored as attributes of the comment, in the comment's
  one conditional put (`attribute_not_exists(pk)`). The comment and its receipt are stored
  together or not at all: a Lambda timeout after the write is answered by a replay at once, one
  before it leaves nothing behind, and of two requests with one key racing, the put of the
  second fails and that request replays the first one's answer.

A key answers with its comment for as long as the comment is kept (a record on the comment does
not expire after `expires_after_seconds`, as a record of its own would). It costs no write unit
of its own: the receipt is ~100 bytes of the comment's item.
"""

from __future__ import annotations

import json
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
STATUS_ATTR = "idemStatus"
DATA_ATTR = "idemData"
VALIDATION_ATTR = "idemValidation"


@dataclass
class Attempt:
    """One invocation's idempotent submission: what `save_inprogress` saw and what it owes."""

    sub: Submission
    store: CommentTable
    record: DataRecord | None = None  # the record Powertools would have written as INPROGRESS
    stored: bool = False  # the comment and its receipt are stored


_attempt: ContextVar[Attempt | None] = ContextVar("comments_idempotent_attempt", default=None)


class ReceiptStore(DynamoDBPersistenceLayer):
    @classmethod
    def for_table(cls, table_name: str, client: Any) -> ReceiptStore:
        """The store on the comments table, with the attribute names the comment carries
        (docs/table-design.md). Powertools' own writes (outside `attempt`) use `pk` too."""
        return cls(
            table_name=table_name,
            key_attr="pk",
            expiry_attr="idemExpiration",
            in_progress_expiry_attr="idemInProgressExpiration",
            status_attr=STATUS_ATTR,
            data_attr=DATA_ATTR,
            validation_key_attr=VALIDATION_ATTR,
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
        # The submission's own state read, with its comment (if already stored) in the same round trip.
        item = current.sub.read_state(current.store, also=f"C#{current.sub.comment_id}")
        if item is not None:
            old = DataRecord(
                idempotency_key=data_record.idempotency_key,
                status=str(item.get(STATUS_ATTR, {}).get("S", COMPLETED)),
                expiry_timestamp=None,
                response_data=str(item.get(DATA_ATTR, {}).get("S", "")),
                payload_hash=str(item.get(VALIDATION_ATTR, {}).get("S", "")),
            )
            self._validate_payload(data_payload=data_record, stored_data_record=old)
            raise IdempotencyItemAlreadyExistsError(old_data_record=old)
        current.record = data_record

    def receipt(self, accepted: Accepted, result: dict[str, Any]) -> dict[str, Any] | None:
        """The COMPLETED record of the current attempt, as attributes of the comment's item; None
        when Powertools did not take the request (POWERTOOLS_IDEMPOTENCY_DISABLED)."""
        current = _attempt.get()
        if current is None or current.record is None:
            return None
        record = current.record
        item = {
            STATUS_ATTR: {"S": COMPLETED},
            DATA_ATTR: {"S": json.dumps(result, sort_keys=True)},
        }
        if self.payload_validation_enabled and record.payload_hash:
            item[VALIDATION_ATTR] = {"S": record.payload_hash}
        return item

    def stored(self) -> None:
        """The current attempt's comment, and with it its receipt, is stored."""
        current = _attempt.get()
        if current is not None:
            current.stored = True

    def save_success(self, data: dict[str, Any], result: dict[str, Any]) -> None:
        current = _attempt.get()
        if current is not None and current.stored:
            return  # written with the comment: nothing to hash, build or send again
        super().save_success(data, result)

    def _delete_record(self, data_record: DataRecord) -> None:
        if _attempt.get() is not None:
            # Nothing to take back: before the comment's put nothing of it was written, and after
            # it the receipt must stay with its comment.
            return
        super()._delete_record(data_record)
