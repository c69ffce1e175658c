"""`comments-moderate`'s subcommands for scripts: list, decide, dlq list/redrive, author
export/erase."""

from __future__ import annotations

import json
import sys
from typing import IO, TYPE_CHECKING

from comments_cli.moderate.display import clip, table
from comments_cli.moderate.work import PEEK_SECONDS, Work, moderator

if TYPE_CHECKING:
    import argparse

    from comments.domain.moderation import ClaimedItem

PROG = "comments-moderate"
EXIT_OK = 0
EXIT_ALREADY_DECIDED = 3
EXIT_NOT_FOUND = 4


def cmd_list(work: Work, args: argparse.Namespace, out: IO[str]) -> int:
    """Held comments, in the order SQS hands them out, without keeping any claim: each is read
    under a short claim that is given back before the command ends. Looking is free: however
    often it runs, no message's receive count grows (see `comments.domain.moderation`)."""
    items: list[ClaimedItem] = []
    try:
        work.claim(args.max, PEEK_SECONDS, into=items)
    finally:
        for item in items:
            work.release(item)
    if args.json:
        for item in items:
            out.write(
                json.dumps(
                    {"comment": item.comment.model_dump(), "reasons": [r.model_dump() for r in item.reasons]}
                )
                + "\n"
            )
        return EXIT_OK
    if not items:
        print(f"No held comments waiting ({work.depth_line()}).", file=out)
        return EXIT_OK
    rows = [("ID", "ARTICLE", "AUTHOR", "RULES", "TEXT")]
    for item in items:
        c = item.comment
        rows.append(
            (
                c.id,
                clip(c.articleId, 24),
                clip(c.name, 20),
                ",".join(r.rule for r in item.reasons),
                clip(c.body, 50),
            )
        )
    table(rows, out)
    print(f"({len(items)} shown; {work.depth_line()}; nothing was claimed)", file=out)
    return EXIT_OK


def cmd_decide(work: Work, args: argparse.Namespace, out: IO[str]) -> int:
    """A decision without a claim: still exactly once (the write is conditional on pending).
    Its queue message is dropped the next time any moderator receives it."""
    from comments.domain import moderation
    from comments.domain.errors import AlreadyDecided, NotFound
    from comments.domain.ids import is_comment_id
    from comments.domain.requests import DecisionIn

    rt = work.rt
    if not is_comment_id(args.id):
        print(f"{PROG}: not found: {args.id!r} is not a comment id", file=sys.stderr)
        return EXIT_NOT_FOUND
    decision = DecisionIn(
        decision=args.decision,
        note=args.note,
        banAuthor=args.ban,
        banDays=args.ban_days if args.ban else None,
    )
    who = moderator(rt.session, args.as_)
    try:
        done = moderation.decide(rt.table, args.id, decision, who, rt.now())
    except AlreadyDecided:
        current = rt.table.get(args.id)
        status = f" (it is {current.status})" if current else ""
        print(f"{PROG}: already decided: {args.id}{status}", file=sys.stderr)
        return EXIT_ALREADY_DECIDED
    except NotFound:
        print(f"{PROG}: not found: no comment {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        out.write(json.dumps({"comment": done.public().model_dump()}) + "\n")
    else:
        banned = ""
        if args.ban:
            banned = f"; author banned {f'for {args.ban_days} days' if args.ban_days else 'for good'}"
        print(f"{done.status} {args.id}{banned}", file=out)
    return EXIT_OK


def cmd_dlq_list(work: Work, args: argparse.Namespace, out: IO[str]) -> int:
    from comments.domain import dead_letters

    items = dead_letters.look(work.rt.dead_letters, args.max)
    if args.json:
        for item in items:
            out.write(json.dumps(item) + "\n")
        return EXIT_OK
    if not items:
        print("No dead letters.", file=out)
        return EXIT_OK
    rows = [("MESSAGE", "RECEIVES", "COMMENT", "ARTICLE", "TEXT")]
    for item in items:
        comment = item["message"].get("comment") or {}
        text = comment.get("body") if comment else item["message"].get("raw", "")
        rows.append(
            (
                item["messageId"],
                str(item["receiveCount"]),
                comment.get("id", "-"),
                clip(comment.get("articleId", "-"), 24),
                clip(str(text), 50),
            )
        )
    table(rows, out)
    return EXIT_OK


def cmd_dlq_redrive(work: Work, args: argparse.Namespace, out: IO[str]) -> int:
    from comments.domain import dead_letters

    moved = dead_letters.redrive(work.rt.queue, work.rt.dead_letters, args.limit)
    if args.json:
        out.write(json.dumps({"moved": moved}) + "\n")
        return EXIT_OK
    print(f"moved {moved} message(s) back to the moderation queue", file=out)
    left = work.rt.dead_letters.depth()["waiting"]
    if left:  # the limit, or a receive that came back short: say so rather than claim it is empty
        print(f"about {left} message(s) still in the dead-letter queue: run it again", file=out)
    return EXIT_OK


def cmd_author(work: Work, args: argparse.Namespace, out: IO[str]) -> int:
    """The right of access (export) and the right to be forgotten (erase), by email."""
    from comments.domain import authors

    rt = work.rt
    if args.author_command == "export":
        comments = authors.export(rt.table, rt.keys, args.email)
        if args.json:
            for comment in comments:
                out.write(json.dumps(comment) + "\n")
        else:
            for c in comments:
                print(
                    f"{c['id']}  {c['status']:<9}  {clip(c['articleId'], 24):<24}  {clip(c['body'], 60)}",
                    file=out,
                )
            print(f"{len(comments)} comment(s)", file=out)
        return EXIT_OK
    erased = authors.erase(rt.table, rt.keys, args.email, moderator(rt.session, args.as_).name, rt.now())
    if args.json:
        out.write(json.dumps({"erased": erased}) + "\n")
    else:
        print(f"erased {erased} comment(s)", file=out)
    return EXIT_OK
