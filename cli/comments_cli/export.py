"""`comments-export [--article ID] [FILE]`: every comment (or one article's), of every status, in
the service's own export format, which `comments-import json` reads back unchanged: the backup
format. See `comments-export --help` and docs/import-export.md."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import IO

from comments_cli.resources import (
    EXIT_AWS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    add_arguments,
    aws_problem,
    configuration_help,
    explained,
    guarded,
    tool_runtime,
)

PROG = "comments-export"
KEYS = ("table",)

EPILOG = f"""\
what it writes:
  One JSON document ("format": "comment-service-export", "version": 1): the articles' settings
  and every comment with its status, times, parent, author id (a keyed hash of the email),
  policy verdict and history, sorted by article and time, one record per line. Never an email
  or an IP, nor the hashes of an IP or an edit token. docs/import-export.md has the schema.
  `comments-import json FILE` reads it back unchanged (same ids, same threads).

how it reads:
  A Scan of the comments table, page by page (an article's comments of every status have no
  index; the ArticleIndex holds published ones only), so it reads the whole table once, with
  --article too: an operator's tool, run when a backup or a move is due, not on a schedule
  that matters to cost. Memory stays bounded: records are sorted in a temporary file.
  FILE is written whole or not at all (a temporary file renamed at the end); without FILE, or
  with -, the export goes to standard output.

{configuration_help(KEYS)}
exit codes:
  {EXIT_OK}    exported
  {EXIT_UNEXPECTED}    unexpected error (--debug shows the traceback)
  {EXIT_USAGE}    bad arguments, or configuration missing or ambiguous
  {EXIT_AWS}    AWS error: credentials, permissions, region, endpoint, missing resource
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C): FILE is left as it was
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Export every comment (or one article's) in the service's own JSON format.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--article", metavar="ID", help="only this article's comments (and settings)")
    p.add_argument("file", metavar="FILE", nargs="?", default="-", help="where to write it (default: stdout)")
    add_arguments(p, KEYS)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    from comments.domain.ids import is_article_id

    if args.article is not None and not is_article_id(args.article):
        p.error(f"--article: {args.article!r} is not an article id (1-128 of A-Z a-z 0-9 . _ ~ -)")

    def explain(exc: Exception) -> tuple[int, str]:
        if isinstance(exc, OSError) and not aws_problem(exc):
            return EXIT_USAGE, f"cannot write {args.file}: {exc.strerror or exc}"
        return explained(exc)

    return guarded(PROG, lambda: run(args, sys.stdout), explain, debug=args.debug)


def run(args: argparse.Namespace, out: IO[str]) -> int:
    from comments.adapters.comment_bulk import CommentBulk, bulk_client
    from comments.domain.models import iso

    from comments_cli.import_.own_format import ExportedArticle, ExportedComment, header, line
    from comments_cli.import_.writer import Progress

    rt = tool_runtime(args, KEYS)
    bulk = CommentBulk(rt.settings.table_name, bulk_client(rt.session))
    exported_at = iso(rt.now())
    with tempfile.NamedTemporaryFile(prefix="comments-export-", suffix=".sqlite") as spool:
        db = sqlite3.connect(spool.name, isolation_level=None)
        db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;"
            "CREATE TABLE records (kind INT, article TEXT, created TEXT, id TEXT, doc TEXT);"
        )
        with Progress().task("reading the table", None) as advance:
            for found in bulk.scan(args.article):
                if isinstance(found, tuple):
                    article, settings = found
                    record = (0, article, "", "", line(ExportedArticle(articleId=article, settings=settings)))
                else:
                    record = (1, found.articleId, found.createdAt, found.id, line(ExportedComment.of(found)))
                db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?)", record)
                advance(1)
        counts = dict(db.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind").fetchall())
        rows = db.execute("SELECT kind, doc FROM records ORDER BY kind, article, created, id")
        if args.file == "-":
            _write(out, header(exported_at, args.article), rows)
        else:
            path = Path(args.file)
            with tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                dir=path.parent if str(path.parent) else ".",
                prefix=f".{path.name}.",
                delete=False,
            ) as target:
                try:
                    _write(target, header(exported_at, args.article), rows)
                    target.flush()
                    os.fsync(target.fileno())
                except BaseException:
                    os.unlink(target.name)
                    raise
            os.replace(target.name, path)
        db.close()
    where = "standard output" if args.file == "-" else args.file
    scope = f" of article {args.article}" if args.article else ""
    print(
        f"exported {counts.get(1, 0)} comment(s){scope} and {counts.get(0, 0)} article setting(s) to {where}",
        file=sys.stderr,
    )
    return EXIT_OK


def _write(target: IO[str], head: str, rows: sqlite3.Cursor) -> None:
    """The document, one record per line: articles first, then comments."""
    target.write(head + ',\n "articles": [')
    first, kind_open = True, 0
    for kind, doc in rows:
        if kind != kind_open:
            target.write('\n ],\n "comments": [')
            first, kind_open = True, kind
        target.write(("\n" if first else ",\n") + doc)
        first = False
    if kind_open == 0:
        target.write('\n ],\n "comments": [')
    target.write("\n ]}\n")
