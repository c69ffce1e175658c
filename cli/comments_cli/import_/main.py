"""`comments-import disqus|wordpress|json FILE`: a site's comments from Disqus, WordPress or this
service's own export, into the comments table, against AWS or the local emulator. See
`comments-import --help` and docs/import-export.md."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from comments_cli.import_.source import ArticleMap, FileProblem
from comments_cli.resources import (
    EXIT_AWS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    add_arguments,
    configuration_help,
    explained,
    guarded,
    tool_runtime,
    whole_number,
)

if TYPE_CHECKING:
    from comments.domain.models import StoredComment

    from comments_cli.import_.staging import Staging
    from comments_cli.import_.writer import Progress

PROG = "comments-import"
KEYS = ("table", "secret")
EXIT_BAD_FILE = 3  # the file (or the article map) cannot be imported: nothing was written
SHOWN_NOTES = 10

EPILOG = f"""\
formats:
  disqus     Disqus's XML export (Admin > Moderation > Export)
  wordpress  WordPress's WXR export (Tools > Export), WXR 1.0, 1.1 or 1.2
  json       this service's own export (comments-export): the same ids, threads and statuses

what it does:
  The whole file is checked first (streamed, in bounded memory); a file that is not well-formed
  or not of the format stops the import with its line, before anything is written. Approved
  comments become published (counted), pending ones pending (queued for moderators); spam,
  deleted, trashed comments, pingbacks and trackbacks are skipped and counted by reason. Each
  comment's id comes from its source, and each write is conditional: importing the same file
  again changes nothing, and an interrupted import completes when run again. Nothing that is
  there is replaced. No email or IP is stored. The policy is not applied (--policy report lists
  the comments the current policy would hold or reject). It ends with `imported N, skipped M`.

article ids:
  The last segment of the thread's (post's) URL path, query and fragment dropped, reduced to
  A-Z a-z 0-9 . _ ~ - (accents dropped, anything else a hyphen). --article-map CSV gives others:
  rows `url,articleId` (a header row `url,articleId` is allowed). A thread whose URL gives no id
  is reported and its comments skipped: map it.

{configuration_help(KEYS)}
exit codes:
  {EXIT_OK}    imported (skipped comments are not an error)
  {EXIT_UNEXPECTED}    unexpected error (--debug shows the traceback)
  {EXIT_USAGE}    bad arguments, or configuration missing or ambiguous
  {EXIT_BAD_FILE}    the file or the article map cannot be read: nothing was written
  {EXIT_AWS}    AWS error: credentials, permissions, region, endpoint, missing resource
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C): what was written stays; run it again to complete it
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Import a site's comments from a Disqus or WordPress export, or from this "
        "service's own export, into the comments table (AWS, or the local emulator with "
        "AWS_ENDPOINT_URL).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("format", choices=("disqus", "wordpress", "json"), help="what FILE is")
    p.add_argument("file", metavar="FILE", help="the export to import")
    p.add_argument("--article-map", metavar="CSV", help="url,articleId rows: article ids for thread URLs")
    p.add_argument(
        "--dry-run", action="store_true", help="check and plan, write nothing, say what it would do"
    )
    p.add_argument(
        "--policy",
        choices=("report",),
        help="report: list the comments the current policy would hold or reject (it is not applied)",
    )
    p.add_argument(
        "--policy-parameter",
        metavar="NAME",
        help="SSM parameter with the operator's policy (else POLICY_PARAMETER; else the shipped policy)",
    )
    p.add_argument(
        "--workers",
        type=whole_number(1, 16),
        default=4,
        metavar="N",
        help="transactions in flight (1-16, default 4)",
    )
    p.add_argument(
        "--verbose", action="store_true", help=f"list every note (else the first {SHOWN_NOTES} of each kind)"
    )
    add_arguments(p, KEYS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return guarded(
        PROG,
        lambda: run(args, sys.stdout),
        explain,
        debug=args.debug,
        interrupted="interrupted: what was written stays; run the same import again to complete it",
    )


def explain(exc: Exception) -> tuple[int, str]:
    from comments.adapters.comment_bulk import TooManyRetries

    if isinstance(exc, FileProblem):
        return EXIT_BAD_FILE, f"{exc} (nothing was written)"
    if isinstance(exc, TooManyRetries):
        return EXIT_AWS, f"{exc}; what was written stays: run the same import again to complete it"
    return explained(exc)


def stage(fmt: str, path: str, staging: Staging, progress: Progress) -> None:
    """The whole file into the staging database: any problem with it is raised here, before
    anything is written."""
    from comments_cli.import_ import disqus, own_format, wordpress
    from comments_cli.import_.source import Thread

    total = Path(path).stat().st_size if fmt != "json" else None  # bytes read; records for json
    with progress.task(f"checking {Path(path).name}", total) as advance:
        if fmt == "json":
            for line, restored in own_format.read(path):
                staging.add_restored(line, restored)
                advance(1)
            return
        reader = disqus.read if fmt == "disqus" else wordpress.read
        for record in reader(path, advance):
            if isinstance(record, Thread):
                staging.add_thread(record)
            else:
                staging.add_post(record)


def run(args: argparse.Namespace, out: IO[str]) -> int:
    from comments.adapters.comment_bulk import CommentBulk, bulk_client

    from comments_cli.import_.staging import Staging
    from comments_cli.import_.writer import Progress, write_all

    article_map = ArticleMap.read(args.article_map)
    if not Path(args.file).is_file():
        raise FileProblem(args.file, None, "no such file")
    rt = tool_runtime(args, KEYS, args.policy_parameter)
    keys = rt.keys  # read the secret before the file is worked through
    bulk = CommentBulk(rt.settings.table_name, bulk_client(rt.session, args.workers))
    progress = Progress()
    now = rt.now()
    with Staging(args.format, keys, article_map) as staging:
        stage(args.format, args.file, staging, progress)
        staging.resolve()
        comments = staging.comments(now)
        if args.policy == "report":
            comments = _judged(comments, rt.policy(), staging)
        if args.dry_run:
            return _dry_run(bulk, staging, comments, args, out)
        with progress.task("importing", staging.kept_count()) as advance:
            written = write_all(bulk, comments, advance, workers=args.workers)
        closed = []
        for settle in staging.articles():
            bulk.settle_article(
                settle.article, opened_at=settle.opened_at, close=settle.close, defaults=settle.defaults
            )
            if settle.close:
                closed.append(settle.article)
        skipped = staging.skipped()
        if written.existing:
            skipped["already there"] = written.existing
        _report(staging, args, out)
        if closed:
            print(f"closed articles ({len(closed)}): {_listing(closed, args.verbose)}", file=out)
        if skipped:
            print("skipped: " + ", ".join(f"{reason} {n}" for reason, n in skipped.items()), file=out)
        print(f"imported {written.imported}, skipped {sum(skipped.values())}", file=out)
    return EXIT_OK


def _judged(comments: Iterator[StoredComment], policy: Any, staging: Staging) -> Iterator[StoredComment]:
    """The comments as they pass, each judged by the policy's stateless rules for the report."""
    from comments.policy.engine import evaluate

    for comment in comments:
        if comment.status in ("published", "pending"):
            verdict = evaluate(policy, body=comment.body, name=comment.name)
            if verdict.outcome != "publish":
                staging.add_report(comment, verdict.outcome, [h.rule for h in verdict.hits])
        yield comment


def _listing(items: list[str], verbose: bool) -> str:
    shown = items if verbose else items[:SHOWN_NOTES]
    more = f" and {len(items) - len(shown)} more" if len(items) > len(shown) else ""
    return ", ".join(shown) + more


def _report(staging: Staging, args: argparse.Namespace, out: IO[str]) -> None:
    """The notes (replies attached to the top, threads without an article, ...) and the policy
    report, before the last line: read from the staging database as they are printed."""
    shown: dict[str, int] = {}
    for kind, line, text in staging.notes():
        shown[kind] = shown.get(kind, 0) + 1
        if args.verbose or shown[kind] <= SHOWN_NOTES:
            print(f"note: line {line}: {text}" if line else f"note: {text}", file=out)
    for kind, n in shown.items():
        if n > SHOWN_NOTES and not args.verbose:
            print(f"note: ... and {n - SHOWN_NOTES} more like this ({kind}; --verbose lists all)", file=out)
    if args.policy == "report":
        print(
            f"policy report: {staging.report_count()} comment(s) the current policy would hold or reject",
            file=out,
        )
        for outcome, comment_id, article, rules in staging.report():
            print(f"policy: {outcome} {comment_id} on {article}: {rules.replace(',', ', ')}", file=out)


def _dry_run(
    bulk: Any, staging: Staging, comments: Iterator[StoredComment], args: argparse.Namespace, out: IO[str]
) -> int:
    """What the import would do, read from the table but with nothing written."""
    per_article: dict[str, int] = {}
    statuses: dict[str, int] = {}
    existing = 0
    chunk: list[StoredComment] = []

    def check() -> None:
        nonlocal existing
        there = bulk.existing([c.id for c in chunk])
        existing += len(there)
        for c in chunk:
            if c.id not in there:
                per_article[c.articleId] = per_article.get(c.articleId, 0) + 1
                statuses[c.status] = statuses.get(c.status, 0) + 1
        chunk.clear()

    for comment in comments:
        chunk.append(comment)
        if len(chunk) == 100:
            check()
    check()
    would = sum(per_article.values())
    settles = list(staging.articles())
    skipped = staging.skipped()
    if existing:
        skipped["already there"] = existing
    shown = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    print(f"would import {would} comment(s) ({shown or 'none'}) into {len(per_article)} article(s)", file=out)
    for article, n in sorted(per_article.items(), key=lambda kv: (-kv[1], kv[0]))[
        : None if args.verbose else SHOWN_NOTES
    ]:
        print(f"  {article}: {n}", file=out)
    if len(per_article) > SHOWN_NOTES and not args.verbose:
        print(f"  ... and {len(per_article) - SHOWN_NOTES} more article(s) (--verbose lists all)", file=out)
    closing = [s.article for s in settles if s.close]
    if closing:
        print(f"would close articles ({len(closing)}): {_listing(closing, args.verbose)}", file=out)
    _report(staging, args, out)
    if skipped:
        print("would skip: " + ", ".join(f"{reason} {n}" for reason, n in skipped.items()), file=out)
    print(f"dry run, nothing written: would import {would}, skip {sum(skipped.values())}", file=out)
    return EXIT_OK
