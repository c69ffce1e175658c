"""The whole file, checked and worked out before the first write, in bounded memory: every thread
and post goes into a temporary SQLite database on disk (the standard library's), where threads,
parents and articles are joined; the writer then reads the comments back in article and time
order. Nothing but this temporary file (deleted at the end) holds the export's content, and it
holds no email and no IP: author ids are made while staging.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from comments.domain.hmac_keys import HmacKeys
from comments.domain.imports import ImportedPost, imported_author_id, imported_comment, imported_id
from comments.domain.models import StoredComment, iso

from comments_cli.import_.own_format import ExportedArticle, ExportedComment
from comments_cli.import_.source import ArticleMap, Post, Thread
from comments_cli.import_.text import html_to_text

_SCHEMA = """
CREATE TABLE threads (key TEXT PRIMARY KEY, alt TEXT, url TEXT, article TEXT, mapped INT,
                      closed INT, deleted INT, listed INT, line INT);
CREATE INDEX threads_alt ON threads (alt);
CREATE TABLE posts (seq INTEGER PRIMARY KEY, source_id TEXT, alt TEXT, thread_ref TEXT,
                    thread_alt TEXT, thread_key TEXT, parent_ref TEXT, parent_alt TEXT,
                    parent_seq INT, line INT, created_ms INT, comment_id TEXT, article TEXT,
                    parent_id TEXT, status TEXT, skip TEXT, restored INT, doc TEXT);
CREATE UNIQUE INDEX posts_source ON posts (source_id);
CREATE INDEX posts_alt ON posts (alt);
CREATE TABLE articles (article TEXT PRIMARY KEY, settings TEXT);
CREATE TABLE notes (kind TEXT, line INT, text TEXT);
CREATE TABLE report (comment_id TEXT, article TEXT, outcome TEXT, rules TEXT);
"""

# Each post's thread: by dsq:id, or by the text of the thread's own <id> (Disqus's documented form).
_THREAD_OF_POST = """
UPDATE posts SET thread_key = COALESCE(
    (SELECT key FROM threads WHERE key = posts.thread_ref),
    (SELECT key FROM threads WHERE key = posts.thread_alt),
    (SELECT key FROM threads WHERE alt = posts.thread_alt))
WHERE restored = 0"""
_SKIP_IN_DELETED_THREADS = """
UPDATE posts SET skip = 'thread deleted' WHERE skip IS NULL AND restored = 0
AND thread_key IN (SELECT key FROM threads WHERE deleted)"""
_THREADS_WITHOUT_ARTICLE = """
SELECT t.line, t.url, COUNT(*) FROM threads t JOIN posts p ON p.thread_key = t.key
WHERE t.article IS NULL AND p.skip IS NULL GROUP BY t.key ORDER BY t.line"""
_SKIP_WITHOUT_ARTICLE = """
UPDATE posts SET skip = 'no article' WHERE skip IS NULL AND restored = 0
AND thread_key IN (SELECT key FROM threads WHERE article IS NULL)"""
_ARTICLE_OF_POST = """
UPDATE posts SET article = (SELECT article FROM threads WHERE key = posts.thread_key)
WHERE restored = 0 AND skip IS NULL"""
_PARENT_ROW = """
UPDATE posts SET parent_seq = COALESCE(
    (SELECT p.seq FROM posts p WHERE p.source_id = posts.parent_ref),
    (SELECT p.seq FROM posts p WHERE p.alt = posts.parent_alt ORDER BY p.seq LIMIT 1))
WHERE restored = 0 AND skip IS NULL AND (parent_ref IS NOT NULL OR parent_alt IS NOT NULL)"""
# A parent is kept only if it is imported too, on the same article (else the reply goes to the top).
_PARENT_ID = """
UPDATE posts SET parent_id = (
    SELECT p.comment_id FROM posts p WHERE p.seq = posts.parent_seq
    AND p.skip IS NULL AND p.article = posts.article AND p.seq != posts.seq)
WHERE restored = 0 AND skip IS NULL AND parent_seq IS NOT NULL"""
_ORPHANS = """
SELECT c.line, p.line, p.skip, p.article != c.article FROM posts c
LEFT JOIN posts p ON p.seq = c.parent_seq
WHERE c.restored = 0 AND c.skip IS NULL AND c.parent_id IS NULL
AND (c.parent_ref IS NOT NULL OR c.parent_alt IS NOT NULL) ORDER BY c.seq"""
_MERGED = """
SELECT DISTINCT t.article, t.url FROM threads t
WHERE t.mapped = 0 AND t.key IN (SELECT thread_key FROM posts WHERE skip IS NULL)
AND t.article IN (
    SELECT article FROM threads WHERE mapped = 0 AND article IS NOT NULL
    AND key IN (SELECT thread_key FROM posts WHERE skip IS NULL)
    GROUP BY article HAVING COUNT(DISTINCT url) > 1)
ORDER BY t.article, t.url"""


@dataclass(frozen=True)
class Settle:
    """What an article's settings become after the import (see CommentBulk.settle_article)."""

    article: str
    opened_at: str | None
    close: bool
    defaults: dict[str, Any]


class Staging:
    def __init__(self, source: str, keys: HmacKeys, article_map: ArticleMap | None = None) -> None:
        self.source = source
        self.keys = keys
        self.map = article_map or ArticleMap()
        self._file = tempfile.NamedTemporaryFile(prefix="comments-import-", suffix=".sqlite")  # noqa: SIM115
        self.db = sqlite3.connect(self._file.name, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;"
            "PRAGMA temp_store = FILE; BEGIN;" + _SCHEMA
        )

    def close(self) -> None:
        self.db.close()
        self._file.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def note(self, kind: str, line: int | None, text: str) -> None:
        self.db.execute("INSERT INTO notes VALUES (?, ?, ?)", (kind, line, text))

    # -- in -------------------------------------------------------------------------------------
    def add_thread(self, thread: Thread) -> None:
        article, mapped = self.map.article(thread.url)
        self.db.execute(
            "INSERT OR IGNORE INTO threads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                thread.key,
                thread.alt,
                thread.url,
                article,
                mapped,
                thread.closed,
                thread.deleted,
                thread.listed,
                thread.line,
            ),
        )

    def _insert_post(self, values: dict[str, Any]) -> None:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        try:
            self.db.execute(f"INSERT INTO posts ({columns}) VALUES ({marks})", tuple(values.values()))  # noqa: S608
        except sqlite3.IntegrityError:  # the same source id twice: the first one counts
            self.note("duplicate", values.get("line"), f"the same comment ({values['source_id']}) again")
            self.db.execute(
                f"INSERT INTO posts ({columns}) VALUES ({marks})",  # noqa: S608
                tuple({**values, "source_id": None, "skip": "duplicate"}.values()),
            )

    def add_post(self, post: Post) -> None:
        skip = post.skip
        body = ""
        if skip is None and not post.source_id:
            skip = "invalid"
            self.note("invalid", post.line, "a comment without an id")
        if skip is None and post.created is None:
            skip = "invalid"
            self.note("invalid", post.line, "a comment without a valid date")
        if skip is None:
            body = html_to_text(post.html, newlines=post.newlines)
            if not body:
                skip = "empty"
        values: dict[str, Any] = {
            "source_id": post.source_id,
            "alt": post.alt,
            "thread_ref": post.thread_ref,
            "thread_alt": post.thread_alt,
            "parent_ref": post.parent_ref,
            "parent_alt": post.parent_alt,
            "line": post.line,
            "status": post.status,
            "skip": skip,
            "restored": 0,
        }
        if skip is None and post.created is not None and post.source_id:
            values["created_ms"] = int(post.created.timestamp() * 1000)
            values["comment_id"] = imported_id(self.keys, self.source, post.source_id, post.created)
            author = imported_author_id(self.keys, self.source, post.source_id, post.email, post.identity)
            values["doc"] = json.dumps({"name": post.name, "body": body, "authorId": author})
        self._insert_post(values)

    def add_restored(self, line: int, record: ExportedArticle | ExportedComment) -> None:
        """A record of the service's own export: taken as it is."""
        if isinstance(record, ExportedArticle):
            self.db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?)",
                (record.articleId, record.settings.model_dump_json()),
            )
            return
        created = datetime.fromisoformat(record.createdAt.replace("Z", "+00:00"))
        self._insert_post(
            {
                "source_id": record.id,
                "line": line,
                "created_ms": int(created.timestamp() * 1000),
                "comment_id": record.id,
                "article": record.articleId,
                "parent_id": record.parentId,
                "status": record.status,
                "restored": 1,
                "doc": record.model_dump_json(),
            }
        )

    # -- worked out -----------------------------------------------------------------------------
    def resolve(self) -> None:
        """Each post's article (its thread's) and parent (a kept comment of the same article);
        what cannot be worked out is skipped or attached to the top, and noted."""
        x = self.db.execute
        x(_THREAD_OF_POST)
        x("UPDATE posts SET skip = 'no thread' WHERE restored = 0 AND skip IS NULL AND thread_key IS NULL")
        x("CREATE INDEX posts_thread ON posts (thread_key)")
        x(_SKIP_IN_DELETED_THREADS)
        for line, url, count in x(_THREADS_WITHOUT_ARTICLE).fetchall():
            shown = f"URL {url!r}" if url else "no URL"
            self.note(
                "no article", line, f"a thread with {shown}: {count} comment(s) skipped (--article-map)"
            )
        x(_SKIP_WITHOUT_ARTICLE)
        x(_ARTICLE_OF_POST)
        x(_PARENT_ROW)
        x(_PARENT_ID)
        for line, parent_line, parent_skip, elsewhere in x(_ORPHANS).fetchall():
            if parent_line is None:
                why = "its parent is not in the file"
            elif parent_skip:
                why = f"its parent (line {parent_line}) is skipped ({parent_skip})"
            elif elsewhere:
                why = f"its parent (line {parent_line}) is on another article"
            else:
                why = "it names itself as its parent"
            self.note("top level", line, f"a reply attached to the top of its thread: {why}")
        merged: dict[str, list[str]] = {}
        for article, url in x(_MERGED).fetchall():
            merged.setdefault(article, []).append(url)
        for article, urls in merged.items():
            shown = ", ".join(urls[:3]) + (", ..." if len(urls) > 3 else "")
            self.note("merged", None, f"article {article!r} gets the comments of {len(urls)} URLs ({shown})")
        x("CREATE INDEX posts_article ON posts (article)")
        x("CREATE INDEX threads_article ON threads (article)")

    # -- out ------------------------------------------------------------------------------------
    def skipped(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT skip, COUNT(*) FROM posts WHERE skip IS NOT NULL GROUP BY skip ORDER BY 2 DESC"
        )
        return dict(rows.fetchall())

    def kept_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM posts WHERE skip IS NULL").fetchone()[0])

    def notes(self) -> Iterator[tuple[str, int | None, str]]:
        yield from self.db.execute("SELECT kind, line, text FROM notes ORDER BY kind, line")

    def comments(self, now: datetime) -> Iterator[StoredComment]:
        """Every comment to be written, as the table will store it, by article then time."""
        rows = self.db.execute(
            """SELECT source_id, article, parent_id, created_ms, status, restored, doc FROM posts
               WHERE skip IS NULL ORDER BY article, created_ms, seq"""
        )
        for source_id, article, parent_id, created_ms, status, restored, doc in rows:
            if restored:
                yield ExportedComment.model_validate_json(doc).stored()
                continue
            values = json.loads(doc)
            yield imported_comment(
                self.keys,
                ImportedPost(
                    source=self.source,
                    source_id=source_id,
                    article_id=article,
                    parent_id=parent_id,
                    name=values["name"],
                    body=values["body"],
                    created_at=datetime.fromtimestamp(created_ms / 1000, UTC),
                    status=status,
                    author_id=values["authorId"],
                ),
                now,
            )

    def articles(self) -> Iterator[Settle]:
        """Each article's settings after the import: opened with its first comment, closed if its
        thread was, and the settings an export of this service carries."""
        rows = self.db.execute(
            """SELECT a.article, MIN(p.created_ms), COALESCE(MAX(t.closed), 0), s.settings
               FROM (SELECT article FROM posts WHERE skip IS NULL
                     UNION SELECT article FROM threads WHERE closed AND NOT deleted AND article IS NOT NULL
                       AND (listed OR key IN (SELECT thread_key FROM posts))
                     UNION SELECT article FROM articles) a
               LEFT JOIN posts p ON p.article = a.article AND p.skip IS NULL
               LEFT JOIN threads t ON t.article = a.article AND NOT t.deleted
               LEFT JOIN articles s ON s.article = a.article
               GROUP BY a.article ORDER BY a.article"""
        )
        for article, first_ms, closed, settings in rows:
            stored = json.loads(settings) if settings else {}
            defaults = {k: v for k, v in stored.items() if k != "closed" and v not in (None, False)}
            opened = iso(datetime.fromtimestamp(first_ms / 1000, UTC)) if first_ms is not None else None
            yield Settle(article, opened, bool(closed) or bool(stored.get("closed")), defaults)

    def add_report(self, comment: StoredComment, outcome: str, rules: list[str]) -> None:
        self.db.execute(
            "INSERT INTO report VALUES (?, ?, ?, ?)",
            (comment.id, comment.articleId, outcome, ",".join(rules)),
        )

    def report_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM report").fetchone()[0])

    def report(self) -> Iterator[tuple[str, str, str, str]]:
        yield from self.db.execute(
            "SELECT outcome, comment_id, article, rules FROM report ORDER BY outcome DESC, article"
        )
