"""What moderation reads and writes on the comments table besides a comment's status: the live
queue message's token, a decision's ban lifted, the author's latest comments, the article's page.
Part of `CommentTable` (the domain's `CommentStore`)."""

from typing import Any

from comments.adapters.dynamo import from_item
from comments.domain.models import ArticlePage, StoredComment

AUTHOR_INDEX = "AuthorIndex"


def comment_key(comment_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"C#{comment_id}"}}


class ModerationItems:
    name: str

    @property
    def ddb(self) -> Any:
        raise NotImplementedError

    def comments_by_ids(self, ids: list[str]) -> list[StoredComment]:
        raise NotImplementedError

    def article_page(self, article_id: str) -> ArticlePage | None:
        item = self.ddb.get_item(
            TableName=self.name,
            Key={"pk": {"S": f"ART#{article_id}"}},
            ProjectionExpression="page",
        ).get("Item")
        return ArticlePage.from_stored(from_item(item).get("page")) if item else None

    def move_queue_token(self, comment_id: str, old: str | None, new: str) -> bool:
        """Make `new` the comment's live queue message, if it is still pending and `old` (None:
        the relay's message, which has no token) is the live one now. False when either is not
        so: the comment was decided, or another claim moved the token first."""
        names = {"#s": "status"}
        values: dict[str, Any] = {":pending": {"S": "pending"}, ":new": {"S": new}}
        if old is None:
            cond = "#s = :pending AND attribute_not_exists(queueToken)"
        else:
            cond = "#s = :pending AND queueToken = :old"
            values[":old"] = {"S": old}
        try:
            self.ddb.update_item(
                TableName=self.name,
                Key=comment_key(comment_id),
                UpdateExpression="SET queueToken = :new",
                ConditionExpression=cond,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def lift_ban(self, author_id: str, comment_id: str) -> bool:
        """Remove the author's ban if this comment's decision set it (a later ban, for another
        comment, stays). True if a ban was lifted."""
        try:
            self.ddb.delete_item(
                TableName=self.name,
                Key={"pk": {"S": f"BAN#{author_id}"}},
                ConditionExpression="kind = :ban AND commentId = :c",
                ExpressionAttributeValues={":ban": {"S": "ban"}, ":c": {"S": comment_id}},
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def author_recent(self, author_id: str, limit: int) -> list[StoredComment]:
        """The author's `limit` latest comments (any status, any article), newest first: one
        Query of the AuthorIndex and one BatchGetItem per hundred."""
        page = self.ddb.query(
            TableName=self.name,
            IndexName=AUTHOR_INDEX,
            KeyConditionExpression="gsi2pk = :u",
            ExpressionAttributeValues={":u": {"S": f"U#{author_id}"}},
            ScanIndexForward=False,
            Limit=limit,
        )
        ids = [item["pk"]["S"].removeprefix("C#") for item in page.get("Items", [])]
        return list(reversed(self.comments_by_ids(ids)))
