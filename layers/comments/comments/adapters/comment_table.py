"""The one comments table. Keys (see README "Table design"):

| item              | pk                          | other keys                                      |
|-------------------|-----------------------------|-------------------------------------------------|
| comment           | C#<commentId>               | gsi1 (published only): A#<articleId> / <createdAt>#<id>; gsi2: U#<authorId> / <createdAt>#<id> |
| duplicate marker  | D#<authorId>#<fingerprint>  | expiration = createdAt + window                 |
| rate window       | R#<scope>#<id>#<minute>     | expiration = end of the minute + 60 s           |
| article settings  | ART#<articleId>             |                                                 |
| author ban        | BAN#<authorId>              | expiration = end of the ban, if any             |
| idempotency       | <function>#<hash>           | written by Powertools idempotency               |

Every write states its condition.
"""

from typing import Any

from comments.adapters.dynamo import client, from_item, to_item
from comments.errors import DuplicateComment, RateLimited
from comments.models import ArticleSettings, Comment, StoredComment

ARTICLE_INDEX = "ArticleIndex"
AUTHOR_INDEX = "AuthorIndex"
_COMMENT_FIELDS = tuple(StoredComment.model_fields)


def comment_key(comment_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"C#{comment_id}"}}


def published_keys(comment: StoredComment | Comment) -> dict[str, str]:
    return {"gsi1pk": f"A#{comment.articleId}", "gsi1sk": f"{comment.createdAt}#{comment.id}"}


def comment_item(comment: StoredComment) -> dict[str, Any]:
    values: dict[str, Any] = {"pk": f"C#{comment.id}", "kind": "comment", **comment.model_dump()}
    values["gsi2pk"] = f"U#{comment.authorId}"
    values["gsi2sk"] = f"{comment.createdAt}#{comment.id}"
    if comment.status == "published":
        values.update(published_keys(comment))
    return to_item(values)


def comment_from_item(item: dict[str, Any]) -> StoredComment:
    values = from_item(item)
    return StoredComment.model_validate({k: values[k] for k in _COMMENT_FIELDS if k in values})


class CommentTable:
    """The boto3 adapter behind the lifecycle's store protocol."""

    def __init__(self, table_name: str, ddb: Any | None = None) -> None:
        self.name = table_name
        self._ddb = ddb

    @property
    def ddb(self) -> Any:
        if self._ddb is None:
            self._ddb = client()
        return self._ddb

    # -- reads ---------------------------------------------------------------------------------
    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None:
        item = self.ddb.get_item(TableName=self.name, Key=comment_key(comment_id), ConsistentRead=consistent)
        found = item.get("Item")
        return comment_from_item(found) if found else None

    def article_settings(self, article_id: str) -> ArticleSettings:
        item = self.ddb.get_item(TableName=self.name, Key={"pk": {"S": f"ART#{article_id}"}}).get("Item")
        if not item:
            return ArticleSettings()
        return ArticleSettings.model_validate(from_item(item))

    def is_banned(self, author_id: str, now_epoch: int) -> bool:
        item = self.ddb.get_item(TableName=self.name, Key={"pk": {"S": f"BAN#{author_id}"}}).get("Item")
        if not item:
            return False
        until = from_item(item).get("expiration")
        return until is None or int(until) > now_epoch

    def duplicate_of(self, author_id: str, fingerprint: str, now_epoch: int) -> str | None:
        key = {"pk": {"S": f"D#{author_id}#{fingerprint}"}}
        item = self.ddb.get_item(TableName=self.name, Key=key, ConsistentRead=True).get("Item")
        if not item:
            return None
        values = from_item(item)
        return str(values["commentId"]) if int(values.get("expiration", 0)) > now_epoch else None

    def list_published(
        self, article_id: str, limit: int, after: dict[str, str] | None
    ) -> tuple[list[Comment], dict[str, str] | None]:
        """One page, oldest first, from the index's projection of the public fields. Asks for one more than `limit` so that the last page says so
        (no cursor) instead of handing out a cursor to an empty page."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": ARTICLE_INDEX,
            "KeyConditionExpression": "gsi1pk = :a",
            "ExpressionAttributeValues": {":a": {"S": f"A#{article_id}"}},
            "Limit": limit + 1,
            "ScanIndexForward": True,
        }
        if after:
            kwargs["ExclusiveStartKey"] = {k: {"S": v} for k, v in after.items()}
        items = self.ddb.query(**kwargs).get("Items", [])
        comments = [Comment.model_validate(from_item(item)) for item in items[:limit]]
        if len(items) <= limit:
            return comments, None
        last = comments[-1]
        return comments, {"pk": f"C#{last.id}", **published_keys(last)}

    # -- writes --------------------------------------------------------------------------------
    def take_rate_token(self, scope: str, ident: str, now_epoch: int, limit: int) -> None:
        """Fixed one-minute window, counted by a conditional ADD: the limit holds under races."""
        minute = now_epoch // 60
        try:
            self.ddb.update_item(
                TableName=self.name,
                Key={"pk": {"S": f"R#{scope}#{ident}#{minute}"}},
                UpdateExpression="ADD n :one SET expiration = if_not_exists(expiration, :exp)",
                ConditionExpression="attribute_not_exists(n) OR n < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":exp": {"N": str((minute + 2) * 60)},
                },
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise RateLimited(retry_after=(minute + 1) * 60 - now_epoch) from None

    def insert(self, comment: StoredComment, fingerprint: str, duplicate_until: int, now_epoch: int) -> None:
        """The comment and its duplicate marker, in one transaction: both or neither."""
        marker = to_item(
            {
                "pk": f"D#{comment.authorId}#{fingerprint}",
                "kind": "duplicate",
                "commentId": comment.id,
                "expiration": duplicate_until,
            }
        )
        try:
            self.ddb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.name,
                            "Item": comment_item(comment),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.name,
                            "Item": marker,
                            "ConditionExpression": "attribute_not_exists(pk) OR expiration < :now",
                            "ExpressionAttributeValues": {":now": {"N": str(now_epoch)}},
                        }
                    },
                ]
            )
        except self.ddb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise DuplicateComment() from None
            raise

    def put_article_settings(self, article_id: str, settings: ArticleSettings) -> None:
        self.ddb.put_item(
            TableName=self.name,
            Item=to_item({"pk": f"ART#{article_id}", "kind": "article", **settings.model_dump()}),
            ConditionExpression="attribute_not_exists(pk) OR kind = :article",
            ExpressionAttributeValues={":article": {"S": "article"}},
        )
