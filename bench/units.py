"""DynamoDB request units per submission, from the items the code really writes.

The calls come from `bench.warm`'s recording of the submit handler (every DynamoDB call of a
published, a held and a rejected submission, with its parameters, idempotency record
included). They are replayed, in order, against a fresh table on a moto server created from
template.yaml; before and after each write the touched items are read back, so each write is
charged on the item as stored, and the index entries follow from the table's own
`GlobalSecondaryIndexes` (keys and projection from the template).

Charging rules (DynamoDB on-demand):
- a standard write: 1 WRU per started KB of the larger of the item before and after;
  a write inside TransactWriteItems: 2 WRU per started KB;
- each index entry put, changed or removed: 1 WRU per started KB of the entry (table key +
  index keys + projected attributes); a change of an index key is a delete and a put;
- GetItem: per started 4 KB, 1 RRU strongly consistent, 0.5 eventually consistent (a miss
  is charged the minimum); Query: summed sizes of the items returned, per started 4 KB.

Item size follows AWS's "item sizes and formats": attribute name bytes plus value bytes;
numbers 1 byte per two significant digits plus 1; lists and maps 3 bytes plus 1 per element.
"""

import contextlib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KB = 1024


def value_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value (DynamoDB JSON)."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(str(raw).encode("utf-8"))
    if kind == "N":
        digits = Decimal(str(raw)).normalize().as_tuple().digits
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(raw) if isinstance(raw, bytes | bytearray) else len(str(raw)) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in raw)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in raw.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int, transactional: bool = False) -> int:
    return max(1, math.ceil(size / KB)) * (2 if transactional else 1)


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / (4 * KB)))
    return float(units) if consistent else units / 2


@dataclass
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL | KEYS_ONLY | INCLUDE
    include: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not item or not all(k in item for k in self.keys):
            return None  # sparse: not in the index
        if self.projection == "ALL":
            return dict(item)
        names = (
            set(self.keys) | set(table_keys) | (set(self.include) if self.projection == "INCLUDE" else set())
        )
        return {k: v for k, v in item.items() if k in names}


def table_shape() -> tuple[tuple[str, ...], list[Index]]:
    from comments_dev import template

    props = template.resources("AWS::DynamoDB::Table")["CommentsTable"]["Properties"]
    table_keys = tuple(k["AttributeName"] for k in props["KeySchema"])
    indexes = []
    for gsi in props.get("GlobalSecondaryIndexes", []):
        projection = gsi["Projection"]
        indexes.append(
            Index(
                gsi["IndexName"],
                tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                projection["ProjectionType"],
                tuple(projection.get("NonKeyAttributes", [])),
            )
        )
    return table_keys, indexes


@dataclass
class Charge:
    what: str
    wru: float = 0.0
    rru: float = 0.0
    size: int = 0


@dataclass
class Bill:
    scenario: str
    charges: list[Charge] = field(default_factory=list)

    @property
    def wru(self) -> float:
        return sum(c.wru for c in self.charges)

    @property
    def rru(self) -> float:
        return sum(c.rru for c in self.charges)

    def lines(self) -> list[str]:
        return [
            f"{c.what}: {c.wru:g} WRU" + (f", {c.rru:g} RRU" if c.rru else "") + f" ({c.size} B)"
            for c in self.charges
        ]


_PREFIXES = {
    "C": "comment",
    "D": "duplicate marker",
    "R": "rate window",
    "ART": "article settings",
    "BAN": "author ban",
    "CTR": "counted change",
    "CNT": "article counter",
    "RPT": "report marker",
    "AUT": "author record",
    "PST": "policy statistics",
}


def _describe(item: dict[str, Any] | None, key: dict[str, Any]) -> str:
    """What an item is, from its key (the table design's prefixes); anything else with a
    hashed suffix is a Powertools idempotency record."""
    pk = str((item or key).get("pk", {}).get("S", "?"))
    prefix = pk.split("#", 1)[0]
    return _PREFIXES.get(prefix, "idempotency record" if "#" in pk else pk)


class Replayer:
    """Replays recorded calls on a real (moto) table and charges each one."""

    def __init__(self, client: Any, table: str) -> None:
        self.ddb = client
        self.table = table
        self.table_keys, self.indexes = table_shape()

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.ddb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.table_keys}

    def _index_charges(
        self, before: dict[str, Any] | None, after: dict[str, Any] | None, what: str
    ) -> list[Charge]:
        charges = []
        for index in self.indexes:
            old, new = index.entry(before, self.table_keys), index.entry(after, self.table_keys)
            if old == new:
                continue
            keys_moved = (
                old is not None and new is not None and any(old.get(k) != new.get(k) for k in index.keys)
            )
            if old is not None and (new is None or keys_moved):
                charges.append(
                    Charge(
                        f"  {index.name} entry removed ({what})",
                        write_units(item_size(old)),
                        0,
                        item_size(old),
                    )
                )
            if new is not None:
                size = item_size(new) if old is None or keys_moved else max(item_size(old), item_size(new))
                charges.append(Charge(f"  {index.name} entry written ({what})", write_units(size), 0, size))
        return charges

    def _write(
        self, key: dict[str, Any], do: Any, transactional: bool, label: str | None = None
    ) -> list[Charge]:
        before = self._get(key)
        do()
        after = self._get(key)
        what = label or _describe(after or before, key)
        size = max(item_size(before), item_size(after))
        kind = "transactional write" if transactional else "write"
        return [
            Charge(f"{what} ({kind})", write_units(size, transactional), 0, size),
            *self._index_charges(before, after, what),
        ]

    def _read(self, get: dict[str, Any], consistent: bool) -> Charge:
        """A GetItem (its parameters, `get`), found or not, as it is charged."""
        found = self.ddb.get_item(**get).get("Item")
        size = item_size(found)
        kind = "consistent" if consistent else "eventual"
        return Charge(f"read {_describe(found, get['Key'])} ({kind})", 0, read_units(size, consistent), size)

    def replay(self, scenario: str, calls: list[tuple[str, dict[str, Any]]]) -> Bill:
        bill = Bill(scenario)
        for op, params in calls:
            params = {**params, "TableName": self.table} if "TableName" in params else params
            if op == "GetItem":
                bill.charges.append(self._read(params, bool(params.get("ConsistentRead"))))
            elif op == "BatchGetItem":
                # Each key of a BatchGetItem is charged as a GetItem of it, found or not.
                for request in params["RequestItems"].values():
                    consistent = bool(request.get("ConsistentRead"))
                    bill.charges += [
                        self._read({"TableName": self.table, "Key": key}, consistent)
                        for key in request["Keys"]
                    ]
            elif op == "PutItem":
                bill.charges += self._write(
                    self._key(params["Item"]), lambda p=params: self._call(self.ddb.put_item, p), False
                )
            elif op == "UpdateItem":
                bill.charges += self._write(
                    params["Key"], lambda p=params: self._call(self.ddb.update_item, p), False
                )
            elif op == "DeleteItem":
                bill.charges += self._write(
                    params["Key"], lambda p=params: self._call(self.ddb.delete_item, p), False
                )
            elif op == "TransactWriteItems":
                bill.charges += self._transaction(params)
            elif op == "Query":
                items = self.ddb.query(**params).get("Items", [])
                bill.charges.append(Charge("query", 0, read_units(sum(item_size(i) for i in items), False)))
            else:
                raise ValueError(f"no charging rule for {op}")
        return bill

    def _call(self, method: Any, params: dict[str, Any]) -> None:
        # A failed condition is charged all the same (it costs the write).
        with contextlib.suppress(self.ddb.exceptions.ConditionalCheckFailedException):
            method(**params)

    def _transaction(self, params: dict[str, Any]) -> list[Charge]:
        entries = []
        for entry in params["TransactItems"]:
            ((op, body),) = entry.items()
            body["TableName"] = self.table
            key = self._key(body["Item"]) if op == "Put" else body["Key"]
            entries.append((key, self._get(key)))
        self.ddb.transact_write_items(**params)
        charges = []
        for key, before in entries:
            after = self._get(key)
            what = _describe(after or before, key)
            size = max(item_size(before), item_size(after))
            charges.append(Charge(f"{what} (transactional write)", write_units(size, True), 0, size))
            charges += self._index_charges(before, after, what)
        return charges


def counting_calls(changes: int) -> list[tuple[str, dict[str, Any]]]:
    """The relay's counting of `changes` published comments of one article in one batch, as
    `CommentTable.count_changes` sends it (recorded on an offline client)."""
    from botocore.stub import ANY, Stubber
    from comments.adapters.comment_table import CommentTable

    from bench.warm import Recorder

    client = _offline_client()
    with Recorder(client) as recorder, Stubber(client) as stub:
        stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
        CommentTable("CommentsTable", client).count_changes(
            [(f"record-{changes}-{n}", "council-budget-2026", 1) for n in range(changes)], 1_795_000_000
        )
    return recorder.calls


def _offline_client() -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",  # noqa: S106 - a client that reaches nothing (a closed port)
        endpoint_url="http://127.0.0.1:9",
    )


def measure(recorded: dict[str, list[Any]]) -> dict[str, Bill]:
    """Replay each recorded scenario on a fresh moto server with the template's table, and the
    relay's counting of a published comment: alone in its batch, and in a batch of 25 on one
    article (charged per comment)."""
    from comments_dev.emulator import MotoServer, create_stack

    moto = MotoServer().start()
    try:
        stack = create_stack(moto.endpoint)
        replayer = Replayer(stack.client("dynamodb"), stack.tables["CommentsTable"])
        bills = {
            name: replayer.replay(name, [(op, json.loads(json.dumps(p))) for op, p in calls])
            for name, calls in recorded.items()
        }
        for changes in (1, 25):
            bill = replayer.replay(f"relay-count-{changes}", counting_calls(changes))
            bills[f"relay-count-{changes}"] = Bill(
                bill.scenario,
                [Charge(c.what, c.wru / changes, c.rru / changes, c.size) for c in bill.charges],
            )
        return bills
    finally:
        moto.stop()


def main() -> int:
    from bench import warm

    recorded = warm.in_subprocess(rounds=1, requests=10)["recorded"]
    for name, bill in measure(recorded).items():
        print(f"{name}: {bill.wru:g} WRU, {bill.rru:g} RRU")
        for line in bill.lines():
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
