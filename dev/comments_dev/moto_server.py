"""moto's server as the local stack runs it: one request at a time (`moto_serial`: moto's
backends are not thread-safe), Cognito user pools as strict as Cognito (`moto_cognito`: real SRP,
the app client's flows and token lifetimes), and a DynamoDB transaction that keeps a copy of the items it
touches instead of a deep copy of every table it names.

moto (5.x) backs each TransactWriteItems up with `copy.deepcopy` of the whole table, stream
records included, so that it can roll back if a condition fails. That makes every transaction
cost O(everything ever written to the table): after a few thousand comments the local stack
spent most of each submission copying the table (a submission is one transaction: the comment
and its duplicate marker). Here the transaction runs moto's own code unchanged, except that its
table backup is the table itself, and the rollback is done from a snapshot of the touched items
(deep-copied, a few hundred bytes each) and of each table's stream length. Semantics are moto's:
all or nothing, the same cancellation reasons, no stream record for a cancelled transaction.

    python -m comments_dev.moto_server -H 127.0.0.1 -p 5000
"""

import copy
import threading
from collections.abc import Callable
from typing import Any

_local = threading.local()


class _CopyInTransaction:
    """Stands in for the `copy` module inside moto's DynamoDB backend: a Table deep-copied by
    a transaction on this thread is the table itself; anything else is copied as usual."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_local, "depth", 0) and isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)


class _Snapshot:
    """The items a transaction names, as they were, and each table's stream length."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        self.items: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, item or None)
        self.streams: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            try:
                op_type, op = next(iter(entry.items()))
                table = backend.tables[op["TableName"]]
                key = op["Item"] if op_type == "Put" else op["Key"]
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            except Exception:  # noqa: S112 - malformed: moto's own code refuses it before writing
                continue
            self.items.append(
                (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
            )
            if table.stream_shard is not None:
                self.streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))

    def restore(self) -> None:
        for table, hash_key, range_key, item in reversed(self.items):
            if range_key is not None:
                if item is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            elif item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        for shard, length in self.streams.values():
            del shard.items[length:]


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    backend_type = models.DynamoDBBackend
    if getattr(backend_type, "_comments_dev_patched", False):
        return
    models.copy = _CopyInTransaction(Table)  # type: ignore[assignment]
    original: Callable[[Any, list[dict[str, Any]]], None] = backend_type.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        snapshot = _Snapshot(self, transact_items)
        _local.depth = getattr(_local, "depth", 0) + 1
        try:
            original(self, transact_items)
        except BaseException:
            snapshot.restore()
            raise
        finally:
            _local.depth -= 1

    backend_type.transact_write_items = transact_write_items  # type: ignore[method-assign]
    backend_type._comments_dev_patched = True  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    install()
    from comments_dev import moto_cognito

    moto_cognito.install()
    from comments_dev import moto_serial

    moto_serial.main(argv)


if __name__ == "__main__":
    main()
