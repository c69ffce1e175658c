"""comments-policy: try the comment policy on comments, offline, for editors tuning it.

    comments-policy check [FILE] [--policy OVERRIDE.json]
    comments-policy explain [FILE] [--policy OVERRIDE.json]
    comments-policy evaluate [FILE] [--policy OVERRIDE.json]
    comments-policy stats [--days N] [--json]   (against AWS or the emulator: comments_cli.policy_stats)

All three read JSON lines, {"body": str, "name": str} ("name" may be left out), from FILE or
standard input. `check` writes one JSON line per comment, in order: {"verdict": ..., "reasons":
[...]}, or {"error": "bad_request", "message": ...} for a line it cannot read, and goes on.
`explain` writes, for each comment, every rule, whether it fired, what it matched and where.
`evaluate` reads labelled lines, {"body": str, "name"?: str, "verdict": "publish" | "hold" |
"reject", "rule"?: str}, and prints precision and recall per rule, the overall accuracy and
every misjudged line (see comments_cli.evaluation).
Only the rules that need no stored state run; no AWS, no network.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from comments.policy.engine import (
    CLASSIFIER_RULES,
    RULES,
    STATEFUL_RULES,
    default_policy,
    evaluate,
    parse_policy,
)
from comments.policy.model import Policy, Verdict
from pydantic import ValidationError


class BadLine(ValueError):
    """An input line that is not a comment; its message says why, in plain words."""


_COMMENTS = '{"body": str, "name": str}'
_LABELLED = '{"body": str, "name"?: str, "verdict": "publish" | "hold" | "reject", "rule"?: str}'


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comments-policy", description="Try the comment policy on comments (JSON lines), offline."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary, lines in (
        ("check", "one JSON line per comment: the verdict and the reasons a commenter would see", _COMMENTS),
        ("explain", "for each comment, every rule: whether it fired, what it matched and where", _COMMENTS),
        (
            "evaluate",
            "precision and recall per rule on comments labelled with what they should get",
            _LABELLED,
        ),
    ):
        command = commands.add_parser(name, help=summary, description=summary)
        command.add_argument("file", nargs="?", help=f"JSON lines {lines} (default: stdin)")
        command.add_argument(
            "--policy", metavar="JSON", help="a policy override to use instead of the default"
        )
    from comments_cli import policy_stats

    policy_stats.add_command(commands)
    return parser


def _lines(stream: IO[bytes] | IO[str]) -> Iterator[str | BadLine]:
    for raw in stream:
        if isinstance(raw, bytes):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                yield BadLine("the line is not UTF-8")
        else:
            yield raw


def _comment(line: str) -> tuple[str, str]:
    try:
        comment = json.loads(line)
    except ValueError as error:
        raise BadLine(f"not JSON ({error})") from None
    if not isinstance(comment, dict):
        raise BadLine('each line must be a JSON object: {"body": str, "name": str}')
    body, name = comment.get("body"), comment.get("name", "")
    if not isinstance(body, str):
        raise BadLine('"body" must be a string')
    if not isinstance(name, str):
        raise BadLine('"name" must be a string')
    return body, name


def _check(verdict: Verdict) -> dict[str, Any]:
    return {"verdict": verdict.outcome, "reasons": [reason.model_dump() for reason in verdict.reasons()]}


def _explain(number: int, body: str, name: str, verdict: Verdict) -> list[str]:
    lines = [f"line {number}: {verdict.outcome} (policy {verdict.policy_version})"]
    fired = {hit.rule: hit for hit in verdict.hits}
    for rule in RULES:
        if rule in STATEFUL_RULES:
            lines.append(f"  {rule:<14} -       needs stored state: not checked here")
            continue
        if rule in CLASSIFIER_RULES:
            lines.append(f"  {rule:<14} -       asks a service when configured: not checked here")
            continue
        hit = fired.get(rule)
        if hit is None:
            lines.append(f"  {rule:<14} ok")
            continue
        text = name if hit.field == "name" else body
        where = ", ".join(f"{text[start:end]!r} at {start}-{end}" for start, end in hit.spans)
        lines.append(f"  {rule:<14} {hit.verdict:<7} {hit.field}: {where or 'the whole text'}")
        lines.append(f"  {'':<14} {'':<7} says: {hit.message}")
    return lines


def _write(out: IO[str], line: str, flush: bool = True) -> None:
    # A lone surrogate (possible through a JSON \\udXXX escape) is written as that same escape.
    out.write((line if line.isascii() else line.encode("utf-8", "backslashreplace").decode("utf-8")) + "\n")
    if flush:  # each answer as soon as it is known, for a program reading it line by line
        out.flush()


def run(
    command: str, policy: Policy, lines: Iterable[str | BadLine], out: IO[str], *, flush_each: bool = True
) -> None:
    """Answer each line; `flush_each`: write each answer out at once (for standard input, where a
    program may wait for it), rather than when the output's buffer fills (for a file)."""
    if command == "evaluate":
        from comments_cli.evaluation import judge_all, render

        for text in render(judge_all(policy, enumerate(lines, start=1))):
            _write(out, text)
        return
    for number, line in enumerate(lines, start=1):
        if isinstance(line, str) and not line.strip():
            continue
        try:
            if isinstance(line, BadLine):
                raise line
            body, name = _comment(line)
        except BadLine as error:
            message = f"line {number}: {error}"
            _write(
                out, json.dumps({"error": "bad_request", "message": message}, ensure_ascii=False), flush_each
            )
            continue
        verdict = evaluate(policy, body=body, name=name)
        if command == "check":
            _write(out, json.dumps(_check(verdict), ensure_ascii=False), flush_each)
        else:
            for text in _explain(number, body, name, verdict):
                _write(out, text, flush_each)
    out.flush()


def _policy(path: str | None) -> Policy:
    if path is None:
        return default_policy()
    with open(path, "rb") as override:
        return parse_policy(override.read())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "stats":
        from comments_cli import policy_stats

        return policy_stats.main(args)
    try:
        policy = _policy(args.policy)
    except OSError as error:
        print(f"comments-policy: cannot read the policy: {error}", file=sys.stderr)
        return 2
    except (ValueError, ValidationError) as error:
        print(f"comments-policy: the policy is refused: {error}", file=sys.stderr)
        return 2
    if args.file is None:
        run(args.command, policy, _lines(getattr(sys.stdin, "buffer", sys.stdin)), sys.stdout)
        return 0
    try:
        with open(args.file, "rb") as comments:
            run(args.command, policy, _lines(comments), sys.stdout, flush_each=False)
    except OSError as error:
        print(f"comments-policy: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
