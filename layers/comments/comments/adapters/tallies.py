"""The relay's running tallies, each stream record applied exactly once: the articles' counts
(`CNT#<articleId>`), the policy statistics (`PST#<day>`: per rule, held / approved / rejected)
and the authors' records (`AUT#<authorId>`).

A batch's tallies are written in transactions, each with a marker per record (`CTR#<record id>`,
kept two days: longer than the stream keeps a record) whose condition is that it does not exist
yet, so a record delivered again is skipped. Counters are ADDs, summed per item over the chunk.
An author's record keeps the latest outcomes, so it is read, changed and put back with the
revision it was read at as the put's condition: of two relays changing one author, one wins and
the other reads it again.
"""

import random
import time
from dataclasses import dataclass, field
from typing import Any

from comments.adapters.dynamo import from_item, is_throttling, to_item
from comments.domain.tallies import Tally
from comments.domain.trust import AuthorRecord

_ITEMS_PER_TRANSACTION = 100  # DynamoDB's limit
_MARKERS_PER_TRANSACTION = 50
_ATTEMPTS = 6
MARKER_SECONDS = 2 * 86400
#: Policy statistics are read for at most 90 days; kept a little longer.
STATS_SECONDS = 100 * 86400
#: An author's record lapses this long after the last decision (a writer back after more than a
#: year starts afresh; nothing about them is kept for ever).
AUTHOR_SECONDS = 400 * 86400
_SHORT = {"held": "h", "approved": "a", "rejected": "r"}


def stats_attribute(rule: str, what: str) -> str:
    """The counter's attribute on the day's item: `h_links`, `a_links`, `r_links`."""
    return f"{_SHORT[what]}_{rule}"


@dataclass
class Applied:
    """Record ids whose tallies were applied by this call (`applied`; not those already applied
    by an earlier delivery), and those that could not be applied (`failed`: hand them back)."""

    applied: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _items_of(tally: Tally) -> set[str]:
    keys = set()
    if tally.article and tally.article[1]:
        keys.add(f"CNT#{tally.article[0]}")
    keys |= {f"PST#{day}" for day, _, _ in tally.rules}
    if tally.author:
        keys.add(f"AUT#{tally.author[0]}")
    return keys


def _chunks(tallies: list[tuple[str, Tally]]) -> list[list[tuple[str, Tally]]]:
    """Records in transactions of at most 100 items (markers plus the distinct items they move)."""
    chunks: list[list[tuple[str, Tally]]] = []
    current: list[tuple[str, Tally]] = []
    items: set[str] = set()
    for record, tally in tallies:
        more = _items_of(tally) - items
        if current and (
            len(current) + 1 > _MARKERS_PER_TRANSACTION
            or len(current) + 1 + len(items) + len(more) > _ITEMS_PER_TRANSACTION
        ):
            chunks.append(current)
            current, items = [], set()
            more = _items_of(tally)
        current.append((record, tally))
        items |= more
    if current:
        chunks.append(current)
    return chunks


class TallyWriter:
    def __init__(self, table: str, ddb: Any) -> None:
        self.table = table
        self.ddb = ddb

    def apply(self, tallies: list[tuple[str, Tally]], now_epoch: int) -> Applied:
        done = Applied()
        for chunk in _chunks([(r, t) for r, t in tallies if t and (_items_of(t))]):
            applied, failed = self._apply_chunk(chunk, now_epoch)
            done.applied += applied
            done.failed += failed
        return done

    def _apply_chunk(self, chunk: list[tuple[str, Tally]], now_epoch: int) -> tuple[list[str], list[str]]:
        pending = list(chunk)
        for attempt in range(_ATTEMPTS):
            if not pending:
                return [], []
            authors = self._authors({t.author[0] for _, t in pending if t.author})
            markers = [self._marker(record, now_epoch) for record, _ in pending]
            counters = self._counters([t for _, t in pending], now_epoch)
            records = self._author_puts(pending, authors, now_epoch)
            try:
                self.ddb.transact_write_items(TransactItems=markers + counters + records)
                return [record for record, _ in pending], []
            except self.ddb.exceptions.TransactionCanceledException as exc:
                from comments.adapters.comment_table import cancellation_codes

                codes = cancellation_codes(exc)
                counted = {
                    i for i, code in enumerate(codes[: len(pending)]) if code == "ConditionalCheckFailed"
                }
                if counted:  # delivered again: already applied; the rest go round once more
                    pending = [c for i, c in enumerate(pending) if i not in counted]
                    continue
                raced = codes[len(markers) + len(counters) :]
                if "ConditionalCheckFailed" in raced:
                    continue  # another relay changed an author since we read it: read again
                if not is_throttling(exc):
                    raise
            except Exception as exc:
                if not is_throttling(exc):
                    raise
            # A conflicting transaction (another batch on the same item), throttling or a lost
            # connection: wait a little, longer each time, and try again.
            time.sleep(min(1.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
        return [], [record for record, _ in pending]

    def _marker(self, record: str, now_epoch: int) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": to_item(
                    {"pk": f"CTR#{record}", "kind": "counted", "expiration": now_epoch + MARKER_SECONDS}
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _counters(self, tallies: list[Tally], now_epoch: int) -> list[dict[str, Any]]:
        articles: dict[str, int] = {}
        days: dict[str, dict[str, int]] = {}
        for tally in tallies:
            if tally.article and tally.article[1]:
                articles[tally.article[0]] = articles.get(tally.article[0], 0) + tally.article[1]
            for day, rule, what in tally.rules:
                counts = days.setdefault(day, {})
                attribute = stats_attribute(rule, what)
                counts[attribute] = counts.get(attribute, 0) + 1
        updates = [self._article(article, total) for article, total in articles.items() if total]
        updates += [self._day(day, counts, now_epoch) for day, counts in sorted(days.items())]
        return updates

    def _article(self, article_id: str, delta: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"pk": {"S": f"CNT#{article_id}"}},
                "UpdateExpression": "ADD n :d SET kind = :kind",
                "ExpressionAttributeValues": {":d": {"N": str(delta)}, ":kind": {"S": "count"}},
            }
        }

    def _day(self, day: str, counts: dict[str, int], now_epoch: int) -> dict[str, Any]:
        names = {f"#c{i}": attribute for i, attribute in enumerate(sorted(counts))}
        values: dict[str, Any] = {f":c{i}": {"N": str(counts[a])} for i, a in enumerate(sorted(counts))}
        values[":kind"] = {"S": "policy_stats"}
        values[":exp"] = {"N": str(now_epoch + STATS_SECONDS)}
        adds = ", ".join(f"#c{i} :c{i}" for i in range(len(counts)))
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"pk": {"S": f"PST#{day}"}},
                "UpdateExpression": f"ADD {adds} SET kind = :kind, expiration = :exp",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _authors(self, author_ids: set[str]) -> dict[str, tuple[AuthorRecord, Any]]:
        """The authors' records as stored now (strongly consistent), each with the revision
        attribute as stored (None: no item; "": an item without one)."""
        found: dict[str, tuple[AuthorRecord, Any]] = {a: (AuthorRecord(), None) for a in author_ids}
        keys = [{"pk": {"S": f"AUT#{a}"}} for a in sorted(author_ids)]
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                reply = self.ddb.batch_get_item(RequestItems=request)
                for item in reply.get("Responses", {}).get(self.table, []):
                    values = from_item(item)
                    found[str(values["pk"]).removeprefix("AUT#")] = (
                        AuthorRecord.from_stored(values),
                        values.get("revision", ""),
                    )
                request = reply.get("UnprocessedKeys") or {}
        return found

    def _author_puts(
        self, pending: list[tuple[str, Tally]], authors: dict[str, tuple[AuthorRecord, Any]], now_epoch: int
    ) -> list[dict[str, Any]]:
        changed: dict[str, AuthorRecord] = {}
        for _, tally in pending:
            if not tally.author:
                continue
            author_id, decided = tally.author
            record = changed.get(author_id) or authors[author_id][0]
            changed[author_id] = record.with_decision(decided)
        puts = []
        for author_id, record in changed.items():
            read = authors[author_id][1]
            values: dict[str, Any] | None = None
            if read is None:
                condition = "attribute_not_exists(pk)"
            elif isinstance(read, int) and not isinstance(read, bool):
                condition, values = "revision = :read", {":read": {"N": str(read)}}
                if record.revision <= read:  # a record that did not parse starts after the stored one
                    record = record._replace(revision=read + 1)
            else:
                condition = "attribute_not_exists(revision)"
            put: dict[str, Any] = {
                "TableName": self.table,
                "Item": to_item(
                    {
                        "pk": f"AUT#{author_id}",
                        "kind": "author",
                        **record.stored(),
                        "expiration": now_epoch + AUTHOR_SECONDS,
                    }
                ),
                "ConditionExpression": condition,
            }
            if values:
                put["ExpressionAttributeValues"] = values
            puts.append({"Put": put})
        return puts
