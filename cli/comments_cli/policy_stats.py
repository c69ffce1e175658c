"""`comments-policy stats [--days N] [--json]`: which rules are too strict. Per rule, over the last
N days (default 30): how many comments it held, and how many of those moderators approved and
rejected. A rule whose held comments are mostly approved is a rule to loosen.

Against AWS or the local emulator, finding the table as comments-moderate does. Reads the
policy statistics the relay keeps (one item per day: one BatchGetItem, never a scan).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from comments_cli.resources import (
    EXIT_AWS,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    add_arguments,
    configuration_help,
    explained,
    tool_runtime,
    whole_number,
)

PROG = "comments-policy stats"
KEYS = ("table",)

EPILOG = f"""\
what it shows:
  One line per rule that held a comment in the period: held, approved, rejected, still
  waiting (held and not yet decided, or sent back), and the share of decided holds that
  moderators approved. A decision counts on the day its comment was held. With --json, the
  same as GET /moderation/policy/stats answers.

{configuration_help(KEYS)}
exit codes:
  {EXIT_OK}    shown
  {EXIT_UNEXPECTED}    unexpected error (--debug shows the traceback)
  {EXIT_USAGE}    bad arguments, or configuration missing or ambiguous
  {EXIT_AWS}    AWS error: credentials, permissions, region, endpoint, missing resource
"""


def add_command(commands: Any) -> None:
    """The `stats` subcommand of comments-policy."""
    p = commands.add_parser(
        "stats",
        help="per rule: comments held in the last N days, and how many moderators approved and rejected",
        description=(
            "Which rules are too strict: per rule, over the last N days, how many comments it held "
            "and how many of those moderators approved and rejected (against AWS or the emulator)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--days",
        type=whole_number(1, 90, "days"),
        default=30,
        help="how many days back, today included (1-90; default 30)",
    )
    p.add_argument("--json", action="store_true", help="write the report as JSON")
    add_arguments(p, KEYS)


def table(report: dict[str, Any]) -> list[str]:
    """The report as aligned text lines."""
    lines = [f"Policy statistics, {report['from']} to {report['to']} ({report['days']} days, UTC)"]
    rules = report["rules"]
    if not rules:
        return [*lines, "No comment was held in this period."]
    header = ("RULE", "HELD", "APPROVED", "REJECTED", "WAITING", "APPROVED OF DECIDED")
    rows = [header]
    for r in rules:
        share = "-" if r["approvedShare"] is None else f"{round(r['approvedShare'] * 100)}%"
        waiting = max(0, r["held"] - r["approved"] - r["rejected"])
        rows.append((r["rule"], str(r["held"]), str(r["approved"]), str(r["rejected"]), str(waiting), share))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    loose = [
        r["rule"] for r in rules if (r["approvedShare"] or 0) >= 0.8 and r["approved"] + r["rejected"] >= 5
    ]
    if loose:
        lines.append(f"Mostly approved when held (80% or more of 5 or more decisions): {', '.join(loose)}.")
    return lines


def run(args: argparse.Namespace, out: IO[str]) -> int:
    from comments.domain.tallies import policy_stats

    rt = tool_runtime(args, KEYS)
    report = policy_stats(rt.table, rt.now().date(), args.days)
    if args.json:
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        out.write("\n".join(table(report)) + "\n")
    return EXIT_OK


def main(args: argparse.Namespace) -> int:
    try:
        return run(args, sys.stdout)
    except Exception as exc:
        if args.debug:
            raise
        code, message = explained(exc)
        print(f"comments-policy: {message}", file=sys.stderr)
        return code
