"""The one comments table, partition key `pk` only (README "Table design" has the whole map):

- comment `C#<commentId>`; index keys gsi1 (published only) `A#<articleId>` / `<createdAt>#<id>`,
  gsi2 `U#<authorId>` / `<createdAt>#<id>`
- duplicate marker `D#<authorId>#<fingerprint>` (expires after the window)
- rate window `R#<scope>#<id>#<minute>`, article settings and page `ART#<articleId>`, article counter
  `CNT#<articleId>` (moved by the relay, with a marker `CTR#<stream record id>` per change
  counted), author ban `BAN#<authorId>`, reader report `RPT#<commentId>#<clientId>`
- author record `AUT#<authorId>` (moderators' decisions) and policy statistics `PST#<day>`, moved
  by the relay like the counters (`adapters.tallies`)
- the idempotency record of a keyed submission lives on its comment (`idem*` attributes; the
  comment's id is derived from the request's key, see `adapters.receipts`)

No write a submission makes is a transaction or touches an item every comment of an article
writes. Every write states its condition.
"""

from typing import TYPE_CHECKING, Any

from comments.adapters.comment_moderation import AUTHOR_INDEX, ModerationItems, comment_key
from comments.adapters.dynamo import from_item, new_client, to_item
from comments.domain.errors import (
    AlreadyDecided,
    DuplicateComment,
    NotFound,
    RateLimited,
    RequestAlreadyStored,
)
from comments.domain.models import ArticlePage, ArticleSettings, Comment, StoredComment
from comments.domain.ports import SubmissionState
from comments.domain.trust import AuthorRecord

if TYPE_CHECKING:
    from comments.adapters.tallies import Applied
    from comments.domain.tallies import Tally

ARTICLE_INDEX = "ArticleIndex"
_COMMENT_FIELDS = tuple(StoredComment.model_fields)


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


def _rate_limited(now_epoch: int) -> RateLimited:
    """429, with the seconds left in the current one-minute window as Retry-After."""
    return RateLimited(retry_after=(now_epoch // 60 + 1) * 60 - now_epoch)


def cancellation_codes(exc: Any) -> list[str]:
    return [str(r.get("Code", "None")) for r in exc.response.get("CancellationReasons", [])]


class CommentTable(ModerationItems):
    """The boto3 adapter behind the domain's `CommentStore` port."""

    def __init__(self, table_name: str, ddb: Any | None = None) -> None:
        self.name = table_name
        self._ddb = ddb

    @property
    def ddb(self) -> Any:
        if self._ddb is None:
            self._ddb = new_client()
        return self._ddb

    # -- reads ---------------------------------------------------------------------------------
    def get(self, comment_id: str, consistent: bool = True) -> StoredComment | None:
        item = self.ddb.get_item(TableName=self.name, Key=comment_key(comment_id), ConsistentRead=consistent)
        found = item.get("Item")
        return comment_from_item(found) if found else None

    def article_settings(self, article_id: str) -> ArticleSettings:
        item = self.ddb.get_item(TableName=self.name, Key={"pk": {"S": f"ART#{article_id}"}}).get("Item")
        return ArticleSettings.from_stored(from_item(item) if item else None)

    def submission_state(
        self,
        article_id: str,
        author_id: str,
        fingerprint: str | None,
        now_epoch: int,
        also: str | None = None,
        older_author_ids: tuple[str, ...] = (),
    ) -> tuple[SubmissionState, dict[str, Any] | None]:
        """The article's settings, the author's ban and record (`AUT#`, moderators' decisions)
        and (with a fingerprint) the duplicate marker in one strongly consistent BatchGetItem
        (one round trip instead of four on the submit path), and with them the item whose key
        is `also` (an idempotency record), as DynamoDB returned it. `older_author_ids`: the same
        author under older key versions (after a rotation of the service secret), whose bans and
        markers count too, in the same read."""
        keys = {"settings": f"ART#{article_id}", "ban": f"BAN#{author_id}", "author": f"AUT#{author_id}"}
        if fingerprint is not None:
            keys["duplicate"] = f"D#{author_id}#{fingerprint}"
        for n, older in enumerate(older_author_ids):
            keys[f"ban{n}"] = f"BAN#{older}"
            if fingerprint is not None:
                keys[f"duplicate{n}"] = f"D#{older}#{fingerprint}"
        if also is not None:
            keys["also"] = also
        raw: dict[str, Any] | None = None
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {
            self.name: {"Keys": [{"pk": {"S": k}} for k in keys.values()], "ConsistentRead": True}
        }
        while request:
            reply = self.ddb.batch_get_item(RequestItems=request)
            for item in reply.get("Responses", {}).get(self.name, []):
                if also is not None and item["pk"]["S"] == also:
                    raw = item
                    continue
                values = from_item(item)
                found[str(values["pk"])] = values
            request = reply.get("UnprocessedKeys") or {}
        bans = [found.get(k) for name, k in keys.items() if name.startswith("ban")]
        markers = [found.get(k) for name, k in keys.items() if name.startswith("duplicate")]
        live = [m for m in markers if m and int(m.get("expiration", 0)) > now_epoch]
        article = found.get(keys["settings"])
        state = SubmissionState(
            settings=ArticleSettings.from_stored(article),
            page=ArticlePage.from_stored((article or {}).get("page")),
            banned=any(
                ban is not None and (ban.get("expiration") is None or int(ban["expiration"]) > now_epoch)
                for ban in bans
            ),
            duplicate_of=str(live[0]["commentId"]) if live else None,
            # Markers written with the comment in one transaction (before 2026-11-28) have no time.
            duplicate_marked_at=int(live[0].get("at", 0)) if live else None,
            author=AuthorRecord.from_stored(found.get(keys["author"])),
        )
        return state, raw

    def list_published(
        self, article_id: str, limit: int, after: dict[str, str] | None, newest_first: bool = False
    ) -> tuple[list[Comment], dict[str, str] | None]:
        """One page, oldest (or newest) first, from the index's projection of the public fields:
        one Query, whatever the article's size and the page. Asks for one more than `limit` so
        that the last page says so (no cursor) instead of handing out a cursor to an empty page."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": ARTICLE_INDEX,
            "KeyConditionExpression": "gsi1pk = :a",
            "ExpressionAttributeValues": {":a": {"S": f"A#{article_id}"}},
            "Limit": limit + 1,
            "ScanIndexForward": not newest_first,
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
        try:
            self.ddb.update_item(**self._rate_window(scope, ident, now_epoch, limit))
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise _rate_limited(now_epoch) from None

    def _rate_window(self, scope: str, ident: str, now_epoch: int, limit: int) -> dict[str, Any]:
        minute = now_epoch // 60
        return {
            "TableName": self.name,
            "Key": {"pk": {"S": f"R#{scope}#{ident}#{minute}"}},
            "UpdateExpression": "ADD n :one SET expiration = if_not_exists(expiration, :exp)",
            "ConditionExpression": "attribute_not_exists(n) OR n < :limit",
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":exp": {"N": str((minute + 2) * 60)},
            },
        }

    def mark_duplicate(
        self,
        author_id: str,
        fingerprint: str,
        comment_id: str,
        until_epoch: int,
        now_epoch: int,
        replacing: str | None = None,
    ) -> None:
        """The author's marker for this text, naming the comment about to be stored, unless a
        live one names another comment (DuplicateComment). It may replace an expired marker, one
        this comment already wrote (a retry), or a stale one (`replacing`: its comment was never
        stored)."""
        names = [":id"] + ([":stale"] if replacing else [])
        values: dict[str, Any] = {":now": {"N": str(now_epoch)}, ":id": {"S": comment_id}}
        if replacing:
            values[":stale"] = {"S": replacing}
        try:
            self.ddb.put_item(
                TableName=self.name,
                Item=to_item(
                    {
                        "pk": f"D#{author_id}#{fingerprint}",
                        "kind": "duplicate",
                        "commentId": comment_id,
                        "at": now_epoch,
                        "expiration": until_epoch,
                    }
                ),
                ConditionExpression=(
                    f"attribute_not_exists(pk) OR expiration < :now OR commentId IN ({', '.join(names)})"
                ),
                ExpressionAttributeValues=values,
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise DuplicateComment() from None

    def insert(self, comment: StoredComment, receipt: dict[str, Any] | None = None) -> None:
        """The comment, with the idempotent request's receipt in the same item (if any): one
        conditional put, so a comment is whole or absent. An item already under this id is the
        same request's comment, stored by a retry or a race (RequestAlreadyStored)."""
        try:
            self.ddb.put_item(
                TableName=self.name,
                Item={**comment_item(comment), **(receipt or {})},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise RequestAlreadyStored() from None

    def open_article(self, article_id: str, at: str, page: ArticlePage | None = None) -> None:
        """The article's settings item records when its first comment came (auto-close counts
        from there; a later first-comment race keeps the earlier time) and, given one, the page
        the article is on (title and URL, for moderators), in the same write."""
        values: dict[str, Any] = {":at": {"S": at}, ":article": {"S": "article"}}
        update = "SET opened_at = if_not_exists(opened_at, :at), kind = :article"
        if page is not None:
            update += ", page = :page"
            values[":page"] = to_item({"page": page.model_dump()})["page"]
        self.ddb.update_item(
            TableName=self.name,
            Key={"pk": {"S": f"ART#{article_id}"}},
            UpdateExpression=update,
            ConditionExpression="attribute_not_exists(pk) OR kind = :article",
            ExpressionAttributeValues=values,
        )

    # -- counts and tallies (moved by the relay, `adapters.tallies`) ---------------------------
    def count_changes(self, changes: list[tuple[str, str, int]], now_epoch: int) -> list[str]:
        """Apply (stream record id, article id, delta) to the articles' counters, each change
        exactly once (`apply_tallies`). Returns the ids of the changes not applied."""
        from comments.domain.tallies import Tally

        return self.apply_tallies([(r, Tally(article=(a, d))) for r, a, d in changes], now_epoch).failed

    def apply_tallies(self, tallies: list[tuple[str, "Tally"]], now_epoch: int) -> "Applied":
        """A batch's tallies (article counts, policy statistics, authors' records), each stream
        record's exactly once however often the stream delivers it (a `CTR#<record id>` marker
        in the same transaction); returns the records applied now and those to hand back."""
        from comments.adapters.tallies import TallyWriter

        return TallyWriter(self.name, self.ddb).apply(tallies, now_epoch)

    def policy_stats(self, days: list[str]) -> dict[str, dict[tuple[str, str], int]]:
        """The policy statistics of these days (`PST#<day>`): day -> {(rule, what): count}, in
        one BatchGetItem (never a scan)."""
        found: dict[str, dict[tuple[str, str], int]] = {}
        keys = [{"pk": {"S": f"PST#{day}"}} for day in dict.fromkeys(days)]
        whats = {"h": "held", "a": "approved", "r": "rejected"}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {self.name: {"Keys": keys[start : start + 100]}}
            while request:
                reply = self.ddb.batch_get_item(RequestItems=request)
                for item in reply.get("Responses", {}).get(self.name, []):
                    values = from_item(item)
                    counts = found.setdefault(str(values["pk"]).removeprefix("PST#"), {})
                    for name, value in values.items():
                        what, _, rule = name.partition("_")
                        if what in whats and rule and isinstance(value, int):
                            counts[(rule, whats[what])] = value
                request = reply.get("UnprocessedKeys") or {}
        return found

    def forget_author(self, author_id: str) -> None:
        """Delete the author's record of moderators' decisions (an erasure)."""
        self.ddb.delete_item(
            TableName=self.name,
            Key={"pk": {"S": f"AUT#{author_id}"}},
            ConditionExpression="attribute_not_exists(pk) OR kind = :author",
            ExpressionAttributeValues={":author": {"S": "author"}},
        )

    def counts(self, article_ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = dict.fromkeys(article_ids, 0)
        keys = [{"pk": {"S": f"CNT#{a}"}} for a in dict.fromkeys(article_ids)]
        request: dict[str, Any] = {self.name: {"Keys": keys, "ProjectionExpression": "pk, n"}} if keys else {}
        while request:
            reply = self.ddb.batch_get_item(RequestItems=request)
            for item in reply.get("Responses", {}).get(self.name, []):
                found[item["pk"]["S"].removeprefix("CNT#")] = max(0, int(item.get("n", {}).get("N", "0")))
            request = reply.get("UnprocessedKeys") or {}
        return found

    def put_article_settings(self, article_id: str, settings: ArticleSettings) -> None:
        """The settings, whole (a field left at None is removed); the article's page is kept."""
        fields = settings.model_dump()
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values: dict[str, Any] = {":article": "article"}
        sets, removes = ["kind = :article"], []
        for alias, name in names.items():
            if fields[name] is None:
                removes.append(alias)
            else:
                values[f":{alias[1:]}"] = fields[name]
                sets.append(f"{alias} = :{alias[1:]}")
        self.ddb.update_item(
            TableName=self.name,
            Key={"pk": {"S": f"ART#{article_id}"}},
            UpdateExpression="SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            ConditionExpression="attribute_not_exists(pk) OR kind = :article",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
        )

    # -- status changes ------------------------------------------------------------------------
    def transition(
        self,
        comment: StoredComment,
        *,
        expect: tuple[str, ...],
        status: str,
        entry: dict[str, Any],
        now: str,
        set_values: dict[str, Any] | None = None,
        remove: tuple[str, ...] = (),
        replace_history: bool = False,
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
    ) -> StoredComment:
        """Move a comment from one of the `expect`ed statuses to `status`, exactly once: the
        write's condition is the status it expects, so of two racing writers one wins and the
        other gets AlreadyDecided (or NotFound if the comment does not exist). The public index
        keys move with the status, in the same single-item write, and one history entry is
        appended (or the history replaced, for an erasure). The article's count follows from the
        change stream (the relay, `count_changes`)."""
        names = {"#s": "status", "#h": "history"}
        values: dict[str, Any] = {":new": status, ":now": now, ":entry": [entry]}
        sets = ["#s = :new", "updatedAt = :now"]
        sets.append("#h = :entry" if replace_history else "#h = list_append(#h, :entry)")
        removals = list(remove)
        for i, (attr, value) in enumerate((set_values or {}).items()):
            names[f"#a{i}"] = attr
            values[f":a{i}"] = value
            sets.append(f"#a{i} = :a{i}")
        if status == "published":
            index = published_keys(comment)
            sets += ["gsi1pk = :g1pk", "gsi1sk = :g1sk"]
            values[":g1pk"], values[":g1sk"] = index["gsi1pk"], index["gsi1sk"]
        else:
            removals += ["gsi1pk", "gsi1sk"]
        if status != "pending" or "pending" not in expect:
            # Leaving pending, or coming back to it: no queue message of before is the live one
            # (the relay queues the comment again, without a token, when it becomes pending).
            removals.append("queueToken")
        expected = {f":e{i}": s for i, s in enumerate(expect)}
        values.update(expected)
        cond = f"attribute_exists(pk) AND #s IN ({', '.join(expected)})"
        if condition:
            cond += f" AND ({condition})"
            values.update(condition_values or {})
        update = (
            "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(dict.fromkeys(removals)) if removals else "")
        )
        try:
            self.ddb.update_item(
                TableName=self.name,
                Key=comment_key(comment.id),
                UpdateExpression=update,
                ConditionExpression=cond,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            if self.get(comment.id) is None:
                raise NotFound() from None
            raise AlreadyDecided() from None
        history = [entry] if replace_history else [*comment.history, entry]
        changed = {**(set_values or {}), "status": status, "updatedAt": now, "history": history}
        if "queueToken" in removals:
            changed["queueToken"] = None
        return comment.model_copy(
            update={k: v for k, v in changed.items() if k in StoredComment.model_fields}
        )

    def decide(self, comment: StoredComment, status: str, entry: dict[str, Any], now: str) -> StoredComment:
        """pending -> published | rejected, exactly once."""
        return self.transition(comment, expect=("pending",), status=status, entry=entry, now=now)

    def ban(self, author_id: str, until_epoch: int | None, entry: dict[str, Any]) -> None:
        values: dict[str, Any] = {"pk": f"BAN#{author_id}", "kind": "ban", **entry}
        if until_epoch is not None:
            values["expiration"] = until_epoch
        self.ddb.put_item(
            TableName=self.name,
            Item=to_item(values),
            ConditionExpression="attribute_not_exists(pk) OR kind = :ban",
            ExpressionAttributeValues={":ban": {"S": "ban"}},
        )

    def report(
        self,
        comment: StoredComment,
        client_id: str,
        reason: str,
        now: str,
        ttl: int,
        older_client_ids: tuple[str, ...] = (),
    ) -> int | None:
        """Count one report per client: the marker and the count move together. Returns the new
        count, or None when this client had already reported the comment (also under an older
        key version of the service secret: `older_client_ids`)."""
        marker_key = f"RPT#{comment.id}#{client_id}"
        # A read first: a repeated report (the common case for a reload) costs half a read unit
        # instead of a cancelled transaction's write units. The condition still guards races.
        for key in (marker_key, *(f"RPT#{comment.id}#{older}" for older in older_client_ids)):
            if self.ddb.get_item(TableName=self.name, Key={"pk": {"S": key}}, ProjectionExpression="pk").get(
                "Item"
            ):
                return None
        marker = to_item({"pk": marker_key, "kind": "report", "reason": reason, "at": now, "expiration": ttl})
        try:
            self.ddb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.name,
                            "Item": marker,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.name,
                            "Key": comment_key(comment.id),
                            "UpdateExpression": "ADD reports :one",
                            "ConditionExpression": "#s = :published",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {
                                ":one": {"N": "1"},
                                ":published": {"S": "published"},
                            },
                        }
                    },
                ]
            )
        except self.ddb.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                return None
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise NotFound() from None
            raise
        item = self.ddb.get_item(
            TableName=self.name,
            Key=comment_key(comment.id),
            ConsistentRead=True,
            ProjectionExpression="reports",
        ).get("Item", {})
        return int(item.get("reports", {}).get("N", "0"))

    def send_back(
        self, comment: StoredComment, threshold: int, hit: dict[str, Any], entry: dict[str, Any], now: str
    ) -> bool:
        """published -> pending once enough readers reported it; the stream then queues it."""
        try:
            self.transition(
                comment,
                expect=("published",),
                status="pending",
                entry=entry,
                now=now,
                set_values={"hits": [*comment.hits, hit]},
                condition="reports >= :t",
                condition_values={":t": threshold},
            )
        except AlreadyDecided:
            return False
        return True

    def author_comments(self, author_id: str) -> list[StoredComment]:
        """Every comment by one author (any status), oldest first, through the AuthorIndex."""
        return self.comments_by_ids(self.author_comment_ids(author_id))

    def erase(self, comment: StoredComment, entry: dict[str, Any], now: str) -> StoredComment:
        """Empty the name, body and hits, remove every identity (author and client hashes, edit
        token hash, the author index keys, report count), take it off the public list, and
        replace its history with the one entry saying that an erasure took place."""
        return self.transition(
            comment,
            expect=(comment.status,),
            status="erased",
            entry=entry,
            now=now,
            set_values={"name": "", "body": "", "hits": []},
            remove=("authorId", "clientId", "editTokenHash", "gsi2pk", "gsi2sk", "reports"),
            replace_history=True,
        )

    def author_comment_ids(self, author_id: str) -> list[str]:
        ids: list[str] = []
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": AUTHOR_INDEX,
            "KeyConditionExpression": "gsi2pk = :u",
            "ExpressionAttributeValues": {":u": {"S": f"U#{author_id}"}},
        }
        while True:
            page = self.ddb.query(**kwargs)
            ids += [item["pk"]["S"].removeprefix("C#") for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return ids
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def comments_by_ids(self, ids: list[str]) -> list[StoredComment]:
        out: list[StoredComment] = []
        for start in range(0, len(ids), 100):
            request: dict[str, Any] = {
                self.name: {"Keys": [comment_key(i) for i in ids[start : start + 100]]}
            }
            while request:
                reply = self.ddb.batch_get_item(RequestItems=request)
                out += [comment_from_item(item) for item in reply.get("Responses", {}).get(self.name, [])]
                request = reply.get("UnprocessedKeys") or {}
        return sorted(out, key=lambda c: (c.createdAt, c.id))

    def forget_duplicate_marker(self, author_id: str, fingerprint: str) -> None:
        self.ddb.delete_item(
            TableName=self.name,
            Key={"pk": {"S": f"D#{author_id}#{fingerprint}"}},
            ConditionExpression="attribute_not_exists(pk) OR kind = :dup",
            ExpressionAttributeValues={":dup": {"S": "duplicate"}},
        )
