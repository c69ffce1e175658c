"""`comments-moderate`: moderators work the moderation queue from a terminal.

It runs the same domain code as the Lambda functions (`comments.domain.moderation` with the boto3
adapters, on a runtime of its own), with the moderator's own AWS credentials, against AWS or,
with AWS_ENDPOINT_URL, against the local emulator. See `comments-moderate --help` for
configuration and exit codes.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from comments_cli.resources import (
    EXIT_AWS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    RESOURCES,
    add_arguments,
    aws_session,
    configuration_help,
    explained,
    guarded,
    require,
    resolve,
    runtime,
    whole_number,
)

PROG = "comments-moderate"

EXIT_ALREADY_DECIDED = 3
EXIT_NOT_FOUND = 4

EPILOG = f"""\
interactive mode (no subcommand):
  Shows the next held comment (one claim at a time, renewed while it is on screen) with its
  context (the article's title and link, the comment it answers, earlier texts, the author's
  history) and waits for one key:
    a  approve (publish)        r  reject
    b  reject and ban the author (for --ban-days, else for good)
    n  write a note for the audit trail; the next a, r or b carries it
    s  skip: give the claim back, the comment is visible to everyone again at once
    q  quit: give the current claim back and stop
  On a terminal each key acts at once (n asks for a line); otherwise one command per line is
  read from stdin, and a command may carry its note: "r links to a scam shop".
  Looking is free: claims, skips and lapsed claims never send a comment to the dead letters.

{configuration_help(tuple(RESOURCES))}\
  The moderator in the audit trail: --as NAME, else your IAM identity, else $USER.

exit codes:
  {EXIT_OK}    done (an empty queue is not an error)
  {EXIT_UNEXPECTED}    unexpected error (--debug shows the traceback)
  {EXIT_USAGE}    bad arguments, or configuration missing or ambiguous
  {EXIT_ALREADY_DECIDED}    decide: the comment was already decided
  {EXIT_NOT_FOUND}    decide: no such comment
  {EXIT_AWS}    AWS error: credentials, permissions, region, endpoint, missing resource
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); any claim held is given back
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        usage="%(prog)s [options]                      (interactive)\n"
        "       %(prog)s [options] {list,decide,dlq,author} ...   (for scripts)\n"
        "       %(prog)s [options] add-moderator EMAIL        (give someone the console)",
        description="Work the comment service's moderation queue: interactively (no subcommand) or "
        "from scripts. Uses the service's own domain code with your AWS credentials, against AWS "
        "or the local emulator (AWS_ENDPOINT_URL).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p, tuple(RESOURCES))
    p.add_argument("--as", dest="as_", metavar="NAME", help="moderator name for the audit trail")
    p.add_argument(
        "--claim-seconds",
        type=whole_number(10, 900),
        metavar="N",
        help="how long a claim lasts before it is renewed (default: CLAIM_SECONDS, else 60)",
    )
    p.add_argument(
        "--ban-days",
        dest="session_ban_days",
        type=whole_number(1, 3650),
        metavar="N",
        help="interactive: `b` bans for N days (default: for good)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight policy hits in colour (auto: when stdout is a terminal)",
    )
    p.add_argument(
        "--wait",
        type=whole_number(0, 4),
        metavar="N",
        help="seconds an SQS receive waits for a message (default: 2 on AWS, 0 on the emulator)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable: one JSON object per line")

    ls = sub.add_parser(
        "list",
        prog=f"{PROG} [options] list",
        parents=[as_json],
        help="show held comments without claiming them",
    )
    ls.add_argument(
        "--max", type=whole_number(1, 100), default=10, metavar="N", help="at most N (1-100, default 10)"
    )

    d = sub.add_parser(
        "decide",
        prog=f"{PROG} [options] decide",
        parents=[as_json],
        help="approve or reject one comment (no claim needed)",
        description="Decide one held comment. Exactly once: a comment that is no longer "
        f"pending exits {EXIT_ALREADY_DECIDED}, an unknown one {EXIT_NOT_FOUND}.",
    )
    d.add_argument("id", metavar="ID", help="comment id")
    d.add_argument("decision", choices=("approve", "reject"))
    d.add_argument("--ban", action="store_true", help="with reject: ban the author")
    d.add_argument(
        "--ban-days",
        dest="ban_days",
        type=whole_number(1, 3650),
        metavar="N",
        help="with --ban: for N days (default: for good)",
    )
    d.add_argument("--note", metavar="TEXT", help="note for the audit trail")

    dlq = sub.add_parser("dlq", prog=f"{PROG} [options] dlq", help="the moderation dead-letter queue")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", metavar="COMMAND", required=True)
    dl = dlq_sub.add_parser(
        "list",
        prog=f"{PROG} [options] dlq list",
        parents=[as_json],
        help="look at dead letters (nothing is taken off)",
    )
    dl.add_argument(
        "--max", type=whole_number(1, 10), default=10, metavar="N", help="at most N (1-10, default 10)"
    )
    dr = dlq_sub.add_parser(
        "redrive",
        prog=f"{PROG} [options] dlq redrive",
        parents=[as_json],
        help="move dead letters back to the moderation queue",
    )
    dr.add_argument(
        "--limit", type=whole_number(1, 10000), default=100, metavar="N", help="at most N (default 100)"
    )
    author = sub.add_parser("author", prog=f"{PROG} [options] author", help="an author's data, by email")
    author_sub = author.add_subparsers(dest="author_command", metavar="COMMAND", required=True)
    for name, text in (
        ("export", "every comment by the author, any status (the right of access)"),
        ("erase", "remove the author's name, text and identity for good (the right to be forgotten)"),
    ):
        a = author_sub.add_parser(name, prog=f"{PROG} [options] author {name}", parents=[as_json], help=text)
        a.add_argument("email", metavar="EMAIL")
    add = sub.add_parser(
        "add-moderator",
        prog=f"{PROG} [options] add-moderator",
        help="give someone a moderator's account: Cognito emails them a temporary password",
        description="Create a moderator's account in the stack's Cognito user pool (Cognito emails "
        "the invitation with a temporary password) and put it in the moderators group. The "
        "console asks for a password of their own at the first sign-in. The user pool: "
        "--user-pool-id, USER_POOL_ID, --stack's ModeratorsUserPoolId output, or the emulator's.",
    )
    add.add_argument("email", metavar="EMAIL", help="their email address: they sign in with it")
    add.add_argument("--user-pool-id", metavar="ID", help="the moderators' Cognito user pool")
    add.add_argument(
        "--temporary-password",
        metavar="PASSWORD",
        help="instead of one Cognito makes up (the emulator, which sends no email, prints its own)",
    )
    add.add_argument("--resend", action="store_true", help="send an existing account's invitation again")
    return p


NEEDS = {
    None: ("table", "queue", "secret"),
    "list": ("table", "queue", "secret"),
    "decide": ("table",),
    ("dlq", "list"): ("dlq",),
    ("dlq", "redrive"): ("dlq", "queue"),
    ("author", "export"): ("table", "secret"),
    ("author", "erase"): ("table", "secret"),
    "add-moderator": (),
}


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "decide":
        if args.ban and args.decision != "reject":
            p.error("--ban goes with reject")
        if args.ban_days and not args.ban:
            p.error("--ban-days goes with --ban")
    key = (
        (args.command, getattr(args, f"{args.command}_command"))
        if args.command in ("dlq", "author")
        else args.command
    )
    return guarded(PROG, lambda: run(key, args), explain, debug=args.debug)


def run(key: Any, args: argparse.Namespace) -> int:
    from comments_cli.moderate import commands, interactive
    from comments_cli.moderate.display import use_colour
    from comments_cli.moderate.work import Work, moderator

    session = aws_session(args.profile, args.region)
    if args.command == "add-moderator":
        from comments_cli.moderate import moderators

        pool = moderators.user_pool(args.user_pool_id, args.stack, session)
        password, resend = args.temporary_password, args.resend
        return moderators.add_moderator(
            session, pool, args.email, sys.stdout, temporary_password=password, resend=resend
        )
    flags = {"table": args.table, "queue": args.queue, "dlq": args.dlq, "secret": args.secret}
    resources = resolve(flags, args.stack, session)
    require(resources, *NEEDS[key])
    # On AWS a receive long-polls for a moment (see SqsQueue); the emulator is asked without waiting.
    wait = args.wait if args.wait is not None else (0 if os.environ.get("AWS_ENDPOINT_URL") else 2)
    work = Work(runtime(resources, session, claim_seconds=args.claim_seconds, queue_wait_seconds=wait))
    if args.command is None:
        moderating = interactive.Session(
            work=work,
            ban_days=args.session_ban_days,
            who=moderator(session, args.as_),
            colour=use_colour(args.color, sys.stdout),
            out=sys.stdout,
        )
        return interactive.interactive(moderating, sys.stdin)
    if args.command == "list":
        return commands.cmd_list(work, args, sys.stdout)
    if args.command == "decide":
        return commands.cmd_decide(work, args, sys.stdout)
    if args.command == "author":
        return commands.cmd_author(work, args, sys.stdout)
    if args.dlq_command == "list":
        return commands.cmd_dlq_list(work, args, sys.stdout)
    return commands.cmd_dlq_redrive(work, args, sys.stdout)


def explain(exc: Exception) -> tuple[int, str]:
    """An exit code and one line for the moderator, never a traceback."""
    from comments.domain.errors import AlreadyDecided, CommentError, NotFound
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
        return EXIT_USAGE, f"invalid input: {problems}"
    if isinstance(exc, AlreadyDecided):
        return EXIT_ALREADY_DECIDED, "already decided"
    if isinstance(exc, NotFound):
        return EXIT_NOT_FOUND, "not found"
    if isinstance(exc, CommentError):
        return EXIT_USAGE, str(exc) or exc.code
    return explained(exc)
