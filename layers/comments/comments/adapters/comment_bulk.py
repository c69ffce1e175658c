"""The comments table in bulk, for the operator tools (`comments-import`, `comments-export`);
never on a request path.

Writes: BatchWriteItem cannot carry a condition, and a comment must never be written over one
that is there (an import adds, it never replaces). So each batch is one TransactWriteItems:
every comment's Put under `attribute_not_exists(pk)` (the condition of a submission), all or
nothing, so an interrupted run leaves whole batches and completes on the next. A comment that is
already there cancels the transaction; it is set aside and the rest written again. The articles'
counts follow from the change stream, as for every comment (the relay counts each published
comment written, once). A pre-read (BatchGetItem of the keys,
half a read unit each) sets aside the comments already there before a transaction is tried, so a
second run of the same import costs reads, not cancelled transactions. Throttling, conflicts with
live traffic and unprocessed keys are retried with capped, jittered exponential backoff.

Reads: a full export is a paginated Scan filtered to comment and article items (every comment
of every status has no index: `ArticleIndex` holds published ones only), as an operator's tool
may; `comments-export` says so in its help.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from comments.adapters.comment_table import comment_from_item, comment_item, comment_key
from comments.adapters.dynamo import from_item, is_throttling, to_item
from comments.domain.models import ArticleSettings, StoredComment

#: TransactWriteItems takes at most 100 items and 4 MB.
MAX_ITEMS = 100
MAX_BYTES = 3_500_000


def bulk_client(session: Any = None, workers: int = 4) -> Any:
    """A DynamoDB client for bulk work: longer timeouts than the functions' (a transaction of
    100 items is not a 10 ms GetItem), and a connection per worker."""
    from comments.adapters import aws

    return aws.client(
        "dynamodb",
        session,
        retries={"mode": "standard", "total_max_attempts": 4},
        connect_timeout=5,
        read_timeout=30,
        max_pool_connections=max(10, workers + 2),
    )


def item_size(comment: StoredComment) -> int:
    """About the bytes the comment's item takes in a request (its JSON length is an upper bound
    close enough for the 4 MB limit of a transaction)."""
    return len(comment.model_dump_json()) + 200


@dataclass
class BatchOutcome:
    written: list[str] = field(default_factory=list)  # comment ids
    existing: list[str] = field(default_factory=list)  # already in the table: not written
    retries: int = 0


class TooManyRetries(Exception):
    """DynamoDB kept throttling (or conflicting) past the last attempt."""


class CommentBulk:
    def __init__(
        self,
        table_name: str,
        ddb: Any,
        *,
        attempts: int = 12,
        base_delay: float = 0.05,
        max_delay: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = table_name
        self.ddb = ddb
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep

    def _backoff(self, attempt: int, what: str) -> None:
        if attempt + 1 >= self.attempts:
            raise TooManyRetries(f"{what}: still throttled after {self.attempts} attempts")
        self.sleep(random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt)))

    @staticmethod
    def _code(exc: Exception) -> str:
        return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))

    # -- writes --------------------------------------------------------------------------------
    def existing(self, ids: list[str]) -> set[str]:
        """Which of these comment ids are in the table already (any status)."""
        found: set[str] = set()
        for start in range(0, len(ids), 100):
            keys = [comment_key(i) for i in dict.fromkeys(ids[start : start + 100])]
            request: dict[str, Any] = {self.name: {"Keys": keys, "ProjectionExpression": "pk"}}
            attempt = 0
            while request:
                reply = self._call(self.ddb.batch_get_item, "BatchGetItem", RequestItems=request)
                for item in reply.get("Responses", {}).get(self.name, []):
                    found.add(item["pk"]["S"].removeprefix("C#"))
                request = reply.get("UnprocessedKeys") or {}
                if request:
                    self._backoff(attempt, "BatchGetItem")
                    attempt += 1
        return found

    def _call(self, operation: Any, what: str, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            try:
                return operation(**kwargs)
            except Exception as exc:
                if not is_throttling(exc):
                    raise
                self._backoff(attempt, what)
                attempt += 1

    def write(self, comments: list[StoredComment]) -> BatchOutcome:
        """Write the comments that are not there yet in one transaction (at most 100 items and
        3.5 MB together: see `batches`). botocore gives each
        call its own ClientRequestToken, kept across its own retries, so a transaction that
        committed but whose answer was lost is not applied twice; a retry here is a new call."""
        outcome = BatchOutcome()
        there = self.existing([c.id for c in comments])
        outcome.existing = [c.id for c in comments if c.id in there]
        todo = [c for c in comments if c.id not in there]
        attempt = 0
        while todo:
            items = [
                {
                    "Put": {
                        "TableName": self.name,
                        "Item": imported_item(c),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for c in todo
            ]
            try:
                self.ddb.transact_write_items(TransactItems=items)
            except Exception as exc:
                if self._code(exc) == "TransactionCanceledException":
                    cancelled = getattr(exc, "response", {}).get("CancellationReasons", [])
                    reasons = [str(r.get("Code", "None")) for r in cancelled]
                    there = {
                        todo[i].id
                        for i, r in enumerate(reasons[: len(todo)])
                        if r == "ConditionalCheckFailed"
                    }
                    if there:  # written meanwhile (another run, or a live edit of the same id)
                        outcome.existing += [c.id for c in todo if c.id in there]
                        todo = [c for c in todo if c.id not in there]
                        continue
                # throttled, a conflict with live traffic, or a lost connection: wait, try again
                if not is_throttling(exc):
                    raise
                self._backoff(attempt, "TransactWriteItems")
                attempt += 1
                outcome.retries += 1
                continue
            outcome.written = [c.id for c in todo]
            todo = []
        return outcome

    def settle_article(
        self,
        article_id: str,
        *,
        opened_at: str | None = None,
        close: bool = False,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        """An article's settings after an import: closed if the source says so (an import never
        opens one), opened when its first comment came (unless it had opened already), and any
        other setting the source gives only where the article has none: what is there stays."""
        sets = ["kind = :article"]
        values: dict[str, Any] = {":article": "article"}
        names: dict[str, str] = {}
        if close:
            sets.append("closed = :closed")
            values[":closed"] = True
        keep = dict(defaults or {})
        if opened_at is not None:
            keep.setdefault("opened_at", opened_at)
        for i, (attr, value) in enumerate(sorted(keep.items())):
            if value is None or (attr == "closed" and close):
                continue
            names[f"#k{i}"] = attr
            values[f":k{i}"] = value
            sets.append(f"#k{i} = if_not_exists(#k{i}, :k{i})")
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": {"pk": {"S": f"ART#{article_id}"}},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": "attribute_not_exists(pk) OR kind = :article",
            "ExpressionAttributeValues": to_item(values),
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        self._call(self.ddb.update_item, "UpdateItem", **kwargs)

    # -- reads ---------------------------------------------------------------------------------
    def scan(self, article_id: str | None = None) -> Iterator[StoredComment | tuple[str, ArticleSettings]]:
        """Every comment (any status) and every article's settings, or one article's, page by
        page: a Scan, for an operator's export."""
        values: dict[str, Any] = {":comment": "comment", ":article": "article"}
        if article_id is None:
            condition = "kind IN (:comment, :article)"
        else:
            condition = "(kind = :comment AND articleId = :a) OR (kind = :article AND pk = :art)"
            values.update({":a": article_id, ":art": f"ART#{article_id}"})
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "FilterExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        while True:
            page = self._call(self.ddb.scan, "Scan", **kwargs)
            for item in page.get("Items", []):
                if item.get("kind", {}).get("S") == "comment":
                    yield comment_from_item(item)
                else:
                    yield item["pk"]["S"].removeprefix("ART#"), ArticleSettings.from_stored(from_item(item))
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def imported_item(comment: StoredComment) -> dict[str, Any]:
    """The comment's item as the service writes it (`comment_item`); one whose author was erased
    (restored from an export) has no author and so no place in the author index."""
    item = comment_item(comment)
    if not comment.authorId:
        for key in ("authorId", "gsi2pk", "gsi2sk"):
            item.pop(key, None)
    return item


def batches(comments: Iterator[StoredComment], articles_per_batch: int = 10) -> Iterator[list[StoredComment]]:
    """Groups of comments that fit one transaction: at most 100 items and under 3.5 MB. Comments
    come by article; a group half full or more ends where an article does, so that groups written
    at the same time share an article only when that article has more comments than one holds."""
    batch: list[StoredComment] = []
    size = 0
    articles: set[str] = set()
    for comment in comments:
        grows = comment.articleId not in articles
        if batch and (
            len(batch) + 1 > MAX_ITEMS
            or size + item_size(comment) > MAX_BYTES
            or (grows and (len(articles) >= articles_per_batch or 2 * len(batch) >= MAX_ITEMS))
        ):
            yield batch
            batch, size, articles = [], 0, set()
        batch.append(comment)
        size += item_size(comment)
        articles.add(comment.articleId)
    if batch:
        yield batch
