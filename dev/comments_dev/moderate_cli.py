"""`comments-moderate`: moderators work the moderation queue from a terminal.

It runs the same domain code as the Lambda functions (`comments.moderation` with the boto3
adapters), with the moderator's own AWS credentials, against AWS or, with AWS_ENDPOINT_URL,
against the local emulator. See `comments-moderate --help` for configuration and exit codes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comments.models import StoredComment
    from comments.moderation import ClaimedItem, Moderator

PROG = "comments-moderate"

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2  # bad arguments, missing or ambiguous configuration
EXIT_ALREADY_DECIDED = 3
EXIT_NOT_FOUND = 4
EXIT_AWS = 5  # credentials, permissions, region, unreachable endpoint, missing resource
EXIT_INTERRUPTED = 130

# What each resource is called: the flag, the variable the layer reads, the template's stack
# output, and the end of its name on the emulator (the template's logical id).
RESOURCES = {
    "table": ("--table", "TABLE_NAME", "TableName", "CommentsTable"),
    "queue": ("--queue", "QUEUE_URL", "ModerationQueueUrl", "ModerationQueue"),
    "dlq": ("--dlq", "DEAD_LETTER_QUEUE_URL", "ModerationDeadLetterQueueUrl", "ModerationDeadLetterQueue"),
    "secret": ("--secret-arn", "SECRET_ARN", "ServiceSecretArn", "ServiceSecret"),
}
EMULATOR_REGION = "us-east-1"  # where comments_dev.emulator creates the stack
PEEK_SECONDS = 30  # `list` holds what it reads this long at most, then gives it back at once
LOOKAHEAD = 25  # receives to find the next comment this session has not skipped

EPILOG = f"""\
interactive mode (no subcommand):
  Shows the next held comment (one claim at a time) and waits for one key:
    a  approve (publish)        r  reject
    b  reject and ban the author (for --ban-days, else for good)
    s  skip: give the claim back, the comment is visible to everyone again at once
    q  quit: give the current claim back and stop
  On a terminal each key acts at once; otherwise one command per line is read from stdin.

configuration, each resource from the first that gives it:
  1. flags --table, --queue, --dlq, --secret-arn
  2. environment TABLE_NAME, QUEUE_URL, DEAD_LETTER_QUEUE_URL, SECRET_ARN
  3. --stack NAME: the CloudFormation stack's outputs TableName, ModerationQueueUrl,
     ModerationDeadLetterQueueUrl, ServiceSecretArn
  4. with AWS_ENDPOINT_URL set (the local emulator of `make dev`) and no --stack: the one
     table/queue/secret whose name ends with CommentsTable, ModerationQueue,
     ModerationDeadLetterQueue, ServiceSecret
  AWS credentials and region are boto3's usual ones (AWS_PROFILE, --profile, --region, ...).
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


class ConfigError(Exception):
    """Configuration missing or ambiguous: a message for the moderator, no traceback."""


# -- configuration ---------------------------------------------------------------------------------


@dataclass
class Resources:
    values: dict[str, str] = field(default_factory=dict)  # "table" -> name/URL/ARN
    origin: dict[str, str] = field(default_factory=dict)  # "table" -> where it came from

    def get(self, key: str) -> str | None:
        return self.values.get(key)


def resolve(args: argparse.Namespace, environ: dict[str, str] | os._Environ[str]) -> Resources:
    """Flags, then environment, then --stack outputs, then discovery on the emulator."""
    found = Resources()
    for key, (flag, env, _output, _suffix) in RESOURCES.items():
        value = getattr(args, key, None)
        if value:
            found.values[key], found.origin[key] = value, flag
        elif environ.get(env):
            found.values[key], found.origin[key] = environ[env], env
    missing = [k for k in RESOURCES if k not in found.values]
    if missing and args.stack:
        outputs = stack_outputs(args.stack)
        for key in missing:
            output = RESOURCES[key][2]
            if outputs.get(output):
                found.values[key], found.origin[key] = outputs[output], f"stack {args.stack}"
    elif missing and environ.get("AWS_ENDPOINT_URL"):
        found.values.update((k, v) for k, v in discover(missing).items())
        found.origin.update((k, "emulator") for k in missing if k in found.values)
    return found


def stack_outputs(stack: str) -> dict[str, str]:
    import boto3

    reply = boto3.client("cloudformation").describe_stacks(StackName=stack)
    outputs = reply["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}


def discover(keys: list[str]) -> dict[str, str]:
    """The emulator's resources by the end of their names (the template's logical ids). More
    than one candidate (several stacks on one emulator) is refused, never guessed."""
    import boto3

    names: dict[str, list[str]] = {}
    if "table" in keys:
        tables: list[str] = []
        for page in boto3.client("dynamodb").get_paginator("list_tables").paginate():
            tables += page.get("TableNames", [])
        names["table"] = tables
    if "queue" in keys or "dlq" in keys:
        urls: list[str] = []
        for page in boto3.client("sqs").get_paginator("list_queues").paginate():
            urls += page.get("QueueUrls", [])
        names["queue"] = names["dlq"] = urls
    if "secret" in keys:
        arns: list[str] = []
        for page in boto3.client("secretsmanager").get_paginator("list_secrets").paginate():
            arns += [
                s["ARN"] for s in page.get("SecretList", []) if s.get("Name", "").endswith("ServiceSecret")
            ]
        names["secret"] = arns
    found: dict[str, str] = {}
    for key in keys:
        flag, env, _output, suffix = RESOURCES[key]
        if key == "secret":
            candidates = names["secret"]
        else:
            candidates = [n for n in names[key] if n.rstrip("/").rsplit("/", 1)[-1].endswith(suffix)]
        if len(candidates) > 1:
            shown = ", ".join(sorted(c.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for c in candidates)[:5])
            raise ConfigError(
                f"the emulator has {len(candidates)} resources ending with {suffix} ({shown}); "
                f"choose one with {flag} or {env}"
            )
        if candidates:
            found[key] = candidates[0]
    return found


def require(resources: Resources, *keys: str) -> None:
    missing = [k for k in keys if not resources.get(k)]
    if "secret" in missing and os.environ.get("COMMENTS_DEV_SECRET"):
        missing.remove("secret")  # local work: the secret itself instead of Secrets Manager
    if missing:
        wanted = ", ".join(f"{RESOURCES[k][0]} (or {RESOURCES[k][1]})" for k in missing)
        raise ConfigError(
            f"missing configuration: {wanted}. Give them, or --stack NAME for a deployed stack, "
            "or set AWS_ENDPOINT_URL to work against the local emulator (make dev)"
        )


def prepare_aws(args: argparse.Namespace) -> None:
    """boto3's environment: profile and region flags; on the emulator, its region and, if the
    moderator has no credentials at all, the emulator's dummy ones."""
    if args.profile:
        os.environ["AWS_PROFILE"] = args.profile
    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = args.region
    if os.environ.get("AWS_ENDPOINT_URL"):
        if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
            os.environ["AWS_DEFAULT_REGION"] = EMULATOR_REGION
        if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
            import boto3

            if boto3.Session().get_credentials() is None:
                os.environ["AWS_ACCESS_KEY_ID"] = os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105


def configure_layer(resources: Resources, claim_seconds: int | None, wait_seconds: int | None) -> None:
    """Hand the resources to the layer through the variables it reads, and drop whatever it
    cached from an earlier environment (settings, keys, clients are built once)."""
    if wait_seconds is None:
        wait_seconds = 0 if os.environ.get("AWS_ENDPOINT_URL") else 2
    _receive_wait["seconds"] = wait_seconds
    for key, (_flag, env, _output, _suffix) in RESOURCES.items():
        value = resources.get(key)
        if value:
            os.environ[env] = value
    if claim_seconds is not None:
        os.environ["CLAIM_SECONDS"] = str(claim_seconds)
    from comments import keys, moderation_api, runtime, settings
    from comments.adapters import dynamo, queue

    for cached in (
        settings.settings,
        keys._root,
        keys._key,
        runtime.table,
        dynamo.client,
        queue.client,
        moderation_api.queue,
        moderation_api.dead_letters,
    ):
        cached.cache_clear()
    # Powertools Parameters keeps its Secrets Manager client (and so its endpoint) per process.
    from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS

    DEFAULT_PROVIDERS.clear()


def moderator(name: str | None) -> Moderator:
    """Who decides, for the audit trail: --as NAME, else the last part of the caller's IAM ARN,
    else $USER. The id is the IAM ARN whenever STS answers, so the trail records whose
    credentials made the change even under --as."""
    from botocore.exceptions import BotoCoreError, ClientError
    from comments.moderation import Moderator

    arn = None
    try:
        import boto3
        from botocore.config import Config

        quick = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=3, read_timeout=5)
        arn = str(boto3.client("sts", config=quick).get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError):
        pass
    from_arn = re.split(r"[/:]", arn)[-1] if arn else None
    user = name or from_arn or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
    return Moderator(id=arn or f"user:{user}", name=user)


# -- what the domain is reached through -------------------------------------------------------------


class CountingQueue:
    """The moderation queue, noting whether a receive returned anything: claim_next returns
    nothing both for an empty queue and for a batch it dropped (already decided), and only the
    first means "no more work"."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.received = 0

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        messages = self.queue.receive(max_messages, visibility_seconds)
        self.received += len(messages)
        return messages

    def delete(self, receipt_handle: str) -> bool:
        return bool(self.queue.delete(receipt_handle))


class PollingQueue:
    """The moderation queue for a person at a terminal. On AWS a receive long-polls for a
    moment (`wait` seconds): a short poll samples only some SQS servers and can come back
    empty from a small queue that is not empty, which must never read as "no held comments".
    The emulator has no such sampling and is asked without waiting."""

    def __init__(self, url: str, wait_seconds: int) -> None:
        from comments.adapters.queue import SqsQueue

        self.sqs = SqsQueue(url)
        self.wait_seconds = wait_seconds

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        if not self.wait_seconds:
            return self.sqs.receive(max_messages, visibility_seconds)
        from comments.adapters.queue import client

        reply = client().receive_message(
            QueueUrl=self.sqs.url,
            MaxNumberOfMessages=max_messages,
            VisibilityTimeout=visibility_seconds,
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        )
        return list(reply.get("Messages", []))

    def delete(self, receipt_handle: str) -> bool:
        return self.sqs.delete(receipt_handle)

    def release(self, receipt_handle: str) -> None:
        self.sqs.release(receipt_handle)

    def depth(self) -> dict[str, int]:
        return self.sqs.depth()


_receive_wait = {"seconds": 0}


def moderation_queue() -> PollingQueue:
    from comments.settings import settings

    return PollingQueue(settings().queue_url or "", _receive_wait["seconds"])


class NoQueue:
    """For `decide` without a queue configured: a decision without a claim deletes nothing."""

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        return []

    def delete(self, receipt_handle: str) -> bool:
        return False


def release(item: ClaimedItem) -> None:
    """Give a claim back: the message is visible to every moderator again at once."""
    from comments import moderation

    receipt = moderation.open_claim(item.claim, item.comment.id)
    if receipt:
        moderation_queue().release(receipt)


def claim(max_items: int, seconds: int, into: list[ClaimedItem] | None = None) -> list[ClaimedItem]:
    """Up to max_items held comments, claimed for `seconds` (added to `into` as they come, so
    a caller can give them back even if a later receive fails); batches made only of messages
    already decided (dropped by claim_next) do not end the search."""
    from comments import moderation, runtime

    items: list[ClaimedItem] = [] if into is None else into
    for _ in range(LOOKAHEAD):
        counting = CountingQueue(moderation_queue())
        want = min(10, max_items - len(items))
        items += moderation.claim_next(runtime.table(), counting, want, seconds, runtime.now())
        if len(items) >= max_items or not counting.received:
            break
    return items


def depth_line() -> str:
    from botocore.exceptions import BotoCoreError, ClientError
    from comments import moderation_api
    from comments.settings import settings

    try:
        q = moderation_queue().depth()
        line = f"queue: {q['waiting']} waiting, {q['claimed']} claimed"
    except (BotoCoreError, ClientError):
        return "queue depth unavailable"
    if not settings().dead_letter_queue_url:
        return line
    try:
        return f"{line}; dead letters: {moderation_api.dead_letters().depth()['waiting']}"
    except (BotoCoreError, ClientError):
        return line


# -- showing a comment ------------------------------------------------------------------------------

_STYLE = {"reject": "\x1b[1;7;31m", "hold": "\x1b[1;7;33m"}
_RESET = "\x1b[0m"
_SEVERITY = {"hold": 1, "reject": 2}


def printable(text: str) -> str:
    """Control characters (an escape sequence could rewrite the moderator's screen) shown as
    U+FFFD, one for one so that the policy's offsets still line up; tab and newline kept."""
    return "".join(
        "\ufffd"
        if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch != "\u200d"
        else ch
        for ch in text
    )


def _rules_on_stored_state() -> frozenset[str]:
    """Rules that fire on stored state, not on the text (duplicate, banned_author, reported,
    premoderation): listed among the reasons, nothing in the text to mark."""
    from comments.policy.engine import STATEFUL_RULES

    return frozenset(STATEFUL_RULES)


def highlight(text: str, hits: list[dict[str, Any]], where: str, colour: bool) -> str:
    """The text with every span of every hit on this field marked: reverse video (red for a
    rejecting rule, yellow for a holding one) on a terminal, [[...]] otherwise. Overlapping
    and touching spans are marked as one; a hit without spans marks the whole text, unless
    its rule is about stored state rather than the text."""
    marks = [0] * len(text)
    for hit in hits:
        if hit.get("field", "body") != where:
            continue
        level = _SEVERITY.get(str(hit.get("verdict")), 1)
        spans = hit.get("spans") or []
        if not spans and hit.get("rule") not in _rules_on_stored_state():
            spans = [[0, len(text)]]  # a rule about the whole text (shouting, length)
        for span in spans:
            try:
                start, end = max(0, int(span[0])), min(len(text), int(span[1]))
            except (TypeError, ValueError, IndexError):
                continue
            for i in range(start, end):
                marks[i] = max(marks[i], level)
    safe = printable(text)
    out: list[str] = []
    i = 0
    while i < len(safe):
        j = i
        while j < len(safe) and bool(marks[j]) == bool(marks[i]):
            j += 1
        chunk = safe[i:j]
        if not marks[i]:
            out.append(chunk)
        elif colour:
            style = _STYLE["reject" if max(marks[i:j]) == 2 else "hold"]
            # each line on its own, so a highlight never bleeds into the indentation
            out.append("\n".join(f"{style}{line}{_RESET}" if line else line for line in chunk.split("\n")))
        else:
            out.append(f"[[{chunk}]]")
        i = j
    return "".join(out)


def show(item: ClaimedItem, stored: StoredComment | None, colour: bool, out: IO[str]) -> None:
    comment = item.comment
    hits = stored.hits if stored is not None else []
    rule_line = "─" * 72
    print(rule_line, file=out)
    print(f"Comment   {comment.id}   ({depth_line()})", file=out)
    print(f"Article   {printable(comment.articleId)}", file=out)
    if comment.parentId:
        print(f"Reply to  {printable(comment.parentId)}", file=out)
    print(f"Author    {highlight(comment.name, hits, 'name', colour)}", file=out)
    print(f"Posted    {comment.createdAt}", file=out)
    print("", file=out)
    body = highlight(comment.body, hits, "body", colour)
    for line in body.split("\n"):
        print(f"    {line}" if line else "", file=out)
    print("", file=out)
    print("Why it is held:", file=out)
    verdicts = {h["rule"]: h.get("verdict", "hold") for h in hits}
    for reason in item.reasons:
        print(
            f"  {verdicts.get(reason.rule, 'hold'):<7} {reason.rule}: {printable(reason.message)}", file=out
        )
    if not item.reasons:
        print("  (no reasons recorded)", file=out)


# -- reading keys -----------------------------------------------------------------------------------

COMMANDS = {
    "a": "approve",
    "approve": "approve",
    "r": "reject",
    "reject": "reject",
    "b": "ban",
    "ban": "ban",
    "s": "skip",
    "skip": "skip",
    "q": "quit",
    "quit": "quit",
    "exit": "quit",
}
PROMPT = "[a]pprove  [r]eject  [b]an author + reject  [s]kip  [q]uit > "


class Keys:
    """One key at a time from a terminal (raw mode only while waiting, restored right after,
    also on Ctrl-C), or one command per line from anything else (scripts, tests)."""

    def __init__(self, stream: IO[str], out: IO[str]) -> None:
        self.stream = stream
        self.out = out
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False

    def read(self) -> str | None:
        """The next command, or None at end of input."""
        while True:
            self.out.write(PROMPT)
            self.out.flush()
            raw = self._key() if self.tty else self._line()
            if raw is None:
                self.out.write("\n")
                return None
            self.out.write(f"{raw}\n")
            word = raw.strip().lower()
            if not word:
                continue
            if word in COMMANDS:
                return COMMANDS[word]
            self.out.write(f"unknown command {raw.strip()!r}: one of a, r, b, s, q\n")

    def _line(self) -> str | None:
        line = self.stream.readline()
        return line.rstrip("\r\n") if line else None

    def _key(self) -> str | None:
        import termios
        import tty

        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            # keys typed while the last decision was saved must not decide this comment
            termios.tcflush(fd, termios.TCIFLUSH)
            tty.setraw(fd)
            data = os.read(fd, 32)  # an escape sequence (arrow keys) arrives whole: never a command
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if data == b"\x03":
            raise KeyboardInterrupt
        if data in (b"", b"\x04"):
            return None
        if len(data) != 1 or not 0x20 <= data[0] < 0x7F:
            return "?"
        return data.decode()


# -- interactive mode -------------------------------------------------------------------------------


@dataclass
class Session:
    claim_seconds: int
    ban_days: int | None
    who: Moderator
    colour: bool
    out: IO[str]
    current: ClaimedItem | None = None
    skipped: set[str] = field(default_factory=set)
    decided: int = 0

    def next(self) -> ClaimedItem | None:
        """Claim the next held comment this session has not skipped. A skipped one that comes
        round again is kept aside (still claimed) while looking further, then given back."""
        aside: list[ClaimedItem] = []
        try:
            for _ in range(LOOKAHEAD):
                items = claim(1, self.claim_seconds)
                if not items:
                    return None
                if items[0].comment.id in self.skipped:
                    aside.append(items[0])
                    continue
                return items[0]
            return None
        finally:
            for item in aside:
                release(item)

    def decide(self, item: ClaimedItem, action: str) -> str:
        from comments import moderation, runtime
        from comments.errors import AlreadyDecided, NotFound

        decision = moderation.DecisionIn(
            decision="approve" if action == "approve" else "reject",
            claim=item.claim,
            banAuthor=action == "ban",
            banDays=self.ban_days if action == "ban" else None,
        )
        try:
            done = moderation.decide(
                runtime.table(), moderation_queue(), item.comment.id, decision, self.who, runtime.now()
            )
        except AlreadyDecided:
            receipt = moderation.open_claim(item.claim, item.comment.id)
            if receipt:  # nothing left to decide: its message goes, as claim_next would drop it
                moderation_queue().delete(receipt)
            now = runtime.table().get(item.comment.id)
            status = f" (it is {now.status} now)" if now else ""
            return f"already decided by someone else{status}"
        except NotFound:
            return "this comment no longer exists"
        self.decided += 1
        outcome = f"{done.comment.status} {item.comment.id}"
        if action == "ban":
            outcome += f"; author banned {f'for {self.ban_days} days' if self.ban_days else 'for good'}"
        return outcome

    def give_back(self) -> None:
        if self.current is not None:
            item, self.current = self.current, None
            release(item)


def interactive(args: argparse.Namespace, stdin: IO[str], out: IO[str]) -> int:
    from comments import runtime
    from comments.settings import settings

    session = Session(
        claim_seconds=settings().claim_seconds,
        ban_days=args.session_ban_days,
        who=moderator(args.as_),
        colour=use_colour(args.color, out),
        out=out,
    )
    keys = Keys(stdin, out)
    print(f"Moderating as {session.who.name}. Claims last {session.claim_seconds} s.", file=out)
    try:
        while True:
            session.current = session.next()
            if session.current is None:
                print(summary(session), file=out)
                return EXIT_OK
            item = session.current
            show(item, runtime.table().get(item.comment.id), session.colour, out)
            while True:
                action = keys.read()
                if action in (None, "quit"):
                    session.give_back()
                    print("Quit: the comment is back in the queue.", file=out)
                    return EXIT_OK
                if action == "skip":
                    session.skipped.add(item.comment.id)
                    session.give_back()
                    print(f"skipped {item.comment.id}: back in the queue", file=out)
                    break
                assert action is not None
                print(session.decide(item, action), file=out)
                session.current = None
                break
    except KeyboardInterrupt:
        session.give_back()
        print("\nInterrupted: the comment is back in the queue.", file=out)
        return EXIT_INTERRUPTED
    finally:
        session.give_back()


def summary(session: Session) -> str:
    if not session.decided and not session.skipped:
        return "No held comments waiting."
    skipped = f", {len(session.skipped)} skipped (back in the queue)" if session.skipped else ""
    return f"No more held comments. {session.decided} decided{skipped}."


def use_colour(choice: str, out: IO[str]) -> bool:
    if choice != "auto":
        return choice == "always"
    try:
        return out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


# -- subcommands ------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, out: IO[str]) -> int:
    """Held comments, in the order SQS hands them out, without keeping any claim: each is read
    under a short claim that is given back before the command ends."""
    items: list[ClaimedItem] = []
    try:
        claim(args.max, PEEK_SECONDS, into=items)
    finally:
        for item in items:
            release(item)
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
        print(f"No held comments waiting ({depth_line()}).", file=out)
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
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row[:4], widths, strict=True)) + "  " + row[4], file=out)
    print(f"({len(items)} shown; {depth_line()}; nothing was claimed)", file=out)
    return EXIT_OK


def clip(text: str, width: int) -> str:
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def cmd_decide(args: argparse.Namespace, out: IO[str]) -> int:
    """A decision without a claim: still exactly once (the write is conditional on pending).
    Its queue message, if any, is dropped the next time any moderator receives it."""
    from comments import moderation, runtime
    from comments.errors import AlreadyDecided, NotFound
    from comments.ids import is_comment_id
    from comments.settings import settings

    if not is_comment_id(args.id):
        print(f"{PROG}: not found: {args.id!r} is not a comment id", file=sys.stderr)
        return EXIT_NOT_FOUND
    decision = moderation.DecisionIn(
        decision=args.decision,
        note=args.note,
        banAuthor=args.ban,
        banDays=args.ban_days if args.ban else None,
    )
    queue: Any = moderation_queue() if settings().queue_url else NoQueue()
    try:
        done = moderation.decide(
            runtime.table(), queue, args.id, decision, moderator(args.as_), runtime.now()
        )
    except AlreadyDecided:
        current = runtime.table().get(args.id)
        status = f" (it is {current.status})" if current else ""
        print(f"{PROG}: already decided: {args.id}{status}", file=sys.stderr)
        return EXIT_ALREADY_DECIDED
    except NotFound:
        print(f"{PROG}: not found: no comment {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        out.write(json.dumps({"comment": done.comment.public().model_dump()}) + "\n")
    else:
        banned = ""
        if args.ban:
            banned = f"; author banned {f'for {args.ban_days} days' if args.ban_days else 'for good'}"
        print(f"{done.comment.status} {args.id}{banned}", file=out)
    return EXIT_OK


def cmd_dlq_list(args: argparse.Namespace, out: IO[str]) -> int:
    from comments import moderation_api

    items = moderation_api.dead_letter_list(str(args.max))["items"]
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
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row[:4], widths, strict=True)) + "  " + row[4], file=out)
    return EXIT_OK


def cmd_dlq_redrive(args: argparse.Namespace, out: IO[str]) -> int:
    from comments import moderation_api

    moved = moderation_api.dead_letter_redrive(args.limit)
    if args.json:
        out.write(json.dumps(moved) + "\n")
        return EXIT_OK
    print(f"moved {moved['moved']} message(s) back to the moderation queue", file=out)
    left = moderation_api.dead_letters().depth()["waiting"]
    if left:  # the limit, or a receive that came back short: say so rather than claim it is empty
        print(f"about {left} message(s) still in the dead-letter queue: run it again", file=out)
    return EXIT_OK


def cmd_author(args: argparse.Namespace, out: IO[str]) -> int:
    """The right of access (export) and the right to be forgotten (erase), by email."""
    from comments import moderation_api

    if args.author_command == "export":
        comments = moderation_api.export_by_email(args.email)["comments"]
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
    erased = moderation_api.erase_by_email(args.email, moderator(args.as_).name)
    if args.json:
        out.write(json.dumps(erased) + "\n")
    else:
        print(f"erased {erased['erased']} comment(s)", file=out)
    return EXIT_OK


# -- the command line -------------------------------------------------------------------------------


def _count(low: int, high: int) -> Any:
    def parse(raw: str) -> int:
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}")
        return int(raw)

    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        usage="%(prog)s [options]                      (interactive)\n"
        "       %(prog)s [options] {list,decide,dlq,author} ...   (for scripts)",
        description="Work the comment service's moderation queue: interactively (no subcommand) or "
        "from scripts. Uses the service's own domain code with your AWS credentials, against AWS "
        "or the local emulator (AWS_ENDPOINT_URL).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--table", metavar="NAME", help="DynamoDB comments table")
    p.add_argument("--queue", metavar="URL", help="SQS moderation queue URL")
    p.add_argument("--dlq", metavar="URL", help="SQS moderation dead-letter queue URL")
    p.add_argument(
        "--secret-arn", dest="secret", metavar="ARN", help="Secrets Manager ARN of the service secret"
    )
    p.add_argument(
        "--stack", metavar="NAME", help="read the resources from this CloudFormation stack's outputs"
    )
    p.add_argument("--profile", help="AWS profile (else boto3's default chain)")
    p.add_argument("--region", help="AWS region (else boto3's default chain)")
    p.add_argument("--as", dest="as_", metavar="NAME", help="moderator name for the audit trail")
    p.add_argument(
        "--claim-seconds",
        type=_count(10, 43200),
        metavar="N",
        help="how long a claim lasts (default: CLAIM_SECONDS, else 300)",
    )
    p.add_argument(
        "--ban-days",
        dest="session_ban_days",
        type=_count(1, 3650),
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
        type=_count(0, 4),
        metavar="N",
        help="seconds an SQS receive waits for a message (default: 2 on AWS, 0 on the emulator)",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
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
        "--max", type=_count(1, 100), default=10, metavar="N", help="at most N (1-100, default 10)"
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
        type=_count(1, 3650),
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
    dl.add_argument("--max", type=_count(1, 10), default=10, metavar="N", help="at most N (1-10, default 10)")
    dr = dlq_sub.add_parser(
        "redrive",
        prog=f"{PROG} [options] dlq redrive",
        parents=[as_json],
        help="move dead letters back to the moderation queue",
    )
    dr.add_argument(
        "--limit", type=_count(1, 10000), default=100, metavar="N", help="at most N (default 100)"
    )
    author = sub.add_parser("author", prog=f"{PROG} [options] author", help="an author's data, by email")
    author_sub = author.add_subparsers(dest="author_command", metavar="COMMAND", required=True)
    for name, text in (
        ("export", "every comment by the author, any status (the right of access)"),
        ("erase", "remove the author's name, text and identity for good (the right to be forgotten)"),
    ):
        a = author_sub.add_parser(name, prog=f"{PROG} [options] author {name}", parents=[as_json], help=text)
        a.add_argument("email", metavar="EMAIL")
    return p


NEEDS = {
    None: ("table", "queue", "secret"),
    "list": ("table", "queue", "secret"),
    "decide": ("table",),
    ("dlq", "list"): ("dlq",),
    ("dlq", "redrive"): ("dlq", "queue"),
    ("author", "export"): ("table", "secret"),
    ("author", "erase"): ("table", "secret"),
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
    try:
        prepare_aws(args)
        resources = resolve(args, os.environ)
        require(resources, *NEEDS[key])
        configure_layer(resources, args.claim_seconds, args.wait)
        if args.command is None:
            return interactive(args, sys.stdin, sys.stdout)
        if args.command == "list":
            return cmd_list(args, sys.stdout)
        if args.command == "decide":
            return cmd_decide(args, sys.stdout)
        if args.command == "author":
            return cmd_author(args, sys.stdout)
        if args.dlq_command == "list":
            return cmd_dlq_list(args, sys.stdout)
        return cmd_dlq_redrive(args, sys.stdout)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        code, message = explain(exc)
        print(f"{PROG}: {message}", file=sys.stderr)
        return code


def explain(exc: Exception) -> tuple[int, str]:
    """An exit code and one line for the moderator, never a traceback."""
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError
    from comments.errors import AlreadyDecided, CommentError, NotFound
    from pydantic import ValidationError

    if isinstance(exc, ConfigError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
        return EXIT_USAGE, f"invalid input: {problems}"
    if isinstance(exc, AlreadyDecided):
        return EXIT_ALREADY_DECIDED, "already decided"
    if isinstance(exc, NotFound):
        return EXIT_NOT_FOUND, "not found"
    if isinstance(exc, CommentError):
        return EXIT_USAGE, str(exc) or exc.code
    if isinstance(exc, NoCredentialsError):
        return EXIT_AWS, "no AWS credentials: configure them (aws configure / aws sso login) or use --profile"
    if isinstance(exc, NoRegionError):
        return EXIT_AWS, "no AWS region: set AWS_REGION or use --region"
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        op = getattr(exc, "operation_name", "") or "request"
        return EXIT_AWS, f"AWS error in {op}: {err.get('Code', 'Error')}: {err.get('Message', '')}".rstrip(
            ": "
        )
    if isinstance(exc, BotoCoreError):
        return EXIT_AWS, f"AWS error: {exc}"
    if isinstance(exc, GetParameterError):
        return EXIT_AWS, f"cannot read the service secret: {exc}"
    return EXIT_UNEXPECTED, f"unexpected error: {type(exc).__name__}: {exc} (--debug shows the traceback)"


if __name__ == "__main__":
    raise SystemExit(main())
