"""`comments-moderate` with no subcommand: the next held comment with its context, one key to
decide it, a note for the audit trail if the moderator writes one."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from comments_cli.moderate.display import show
from comments_cli.moderate.work import ClaimKeeper, Work

if TYPE_CHECKING:
    from comments.domain.moderation import ClaimedItem, Moderator

EXIT_OK = 0
EXIT_INTERRUPTED = 130

COMMANDS = {
    "a": "approve",
    "approve": "approve",
    "r": "reject",
    "reject": "reject",
    "b": "ban",
    "ban": "ban",
    "n": "note",
    "note": "note",
    "s": "skip",
    "skip": "skip",
    "q": "quit",
    "quit": "quit",
    "exit": "quit",
}
PROMPT = "[a]pprove  [r]eject  [b]an author + reject  [n]ote  [s]kip  [q]uit > "
NOTE_PROMPT = "Note for the audit trail (Enter for none): "


class Keys:
    """One key at a time from a terminal (raw mode only while waiting, restored right after,
    also on Ctrl-C), or one command per line from anything else (scripts, tests). In lines, a
    command may carry its note: `r spam links` rejects with the note "spam links"."""

    def __init__(self, stream: IO[str], out: IO[str]) -> None:
        self.stream = stream
        self.out = out
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False

    def read(self) -> tuple[str, str | None] | None:
        """The next command and the note written with it (lines only), or None at end of input."""
        while True:
            self.out.write(PROMPT)
            self.out.flush()
            raw = self._key() if self.tty else self._line()
            if raw is None:
                self.out.write("\n")
                return None
            self.out.write(f"{raw}\n")
            word, _, rest = raw.strip().partition(" ")
            if not word:
                continue
            if word.lower() in COMMANDS:
                return COMMANDS[word.lower()], rest.strip() or None
            self.out.write(f"unknown command {raw.strip()!r}: one of a, r, b, n, s, q\n")

    def note(self) -> str | None:
        """A note, typed as a line (on a terminal too: its own line editing, Enter to end)."""
        self.out.write(NOTE_PROMPT)
        self.out.flush()
        line = self.stream.readline()
        if not line:
            raise EOFError
        if not self.tty:
            self.out.write(line if line.endswith("\n") else line + "\n")
        return line.strip() or None

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


@dataclass
class Session:
    work: Work
    ban_days: int | None
    who: Moderator
    colour: bool
    out: IO[str]
    current: ClaimedItem | None = None
    keeper: ClaimKeeper | None = None
    skipped: set[str] = field(default_factory=set)
    decided: int = 0

    @property
    def claim_seconds(self) -> int:
        return self.work.rt.settings.claim_seconds

    def next(self) -> ClaimedItem | None:
        """Claim the next held comment this session has not skipped, and keep renewing its
        claim while it is on screen. A skipped one that comes round again is kept aside (still
        claimed) while looking further, then given back."""
        from comments_cli.moderate.work import LOOKAHEAD

        aside: list[ClaimedItem] = []
        try:
            for _ in range(LOOKAHEAD):
                items = self.work.claim(1, self.claim_seconds)
                if not items:
                    return None
                if items[0].comment.id in self.skipped:
                    aside.append(items[0])
                    continue
                self.current = items[0]
                self.keeper = ClaimKeeper(self.work, items[0], self.claim_seconds)
                return items[0]
            return None
        finally:
            for item in aside:
                self.work.release(item)

    def _held(self) -> ClaimedItem | None:
        """Stop renewing: the latest claim on the current comment (None if there is none)."""
        if self.keeper is not None:
            self.current, self.keeper = self.keeper.stop(), None
        item, self.current = self.current, None
        return item

    def decide(self, action: str, note: str | None) -> str:
        from comments.domain import moderation
        from comments.domain.errors import AlreadyDecided, NotFound
        from comments.domain.requests import DecisionIn

        item = self._held()
        assert item is not None
        rt = self.work.rt
        decision = DecisionIn(
            decision="approve" if action == "approve" else "reject",
            note=note,  # checked when it was written (note_problem)
            claim=item.claim,
            banAuthor=action == "ban",
            banDays=self.ban_days if action == "ban" else None,
        )
        try:
            done = moderation.decide(rt.table, item.comment.id, decision, self.who, rt.now())
        except AlreadyDecided:
            now = rt.table.get(item.comment.id)
            status = f" (it is {now.status} now)" if now else ""
            return f"already decided by someone else{status}"
        except NotFound:
            return "this comment no longer exists"
        self.decided += 1
        outcome = f"{done.status} {item.comment.id}"
        if action == "ban":
            outcome += f"; author banned {f'for {self.ban_days} days' if self.ban_days else 'for good'}"
        return outcome + (" (with a note)" if note else "")

    def give_back(self) -> None:
        item = self._held()
        if item is not None:
            self.work.release(item)


def interactive(session: Session, stdin: IO[str]) -> int:
    out = session.out
    keys = Keys(stdin, out)
    print(
        f"Moderating as {session.who.name}. Claims last {session.claim_seconds} s and are renewed "
        "while a comment is on screen.",
        file=out,
    )
    try:
        while True:
            item = session.next()
            if item is None:
                print(summary(session), file=out)
                return EXIT_OK
            show(item, context(session.work, item.comment.id), session.work.depth_line(), session.colour, out)
            note: str | None = None
            while True:
                read = keys.read()
                action, written = read if read is not None else ("quit", None)
                if action == "quit":
                    session.give_back()
                    print("Quit: the comment is back in the queue.", file=out)
                    return EXIT_OK
                if action == "skip":
                    session.skipped.add(item.comment.id)
                    session.give_back()
                    print(f"skipped {item.comment.id}: back in the queue", file=out)
                    break
                if action == "note":
                    note = written if written is not None else keys.note()
                if action == "note" or written:
                    problem = note_problem(written or note)
                    if problem:
                        print(f"the note {problem}; write it again (n)", file=out)
                        note = None
                        continue
                if action == "note":
                    print(f"note: {note}" if note else "no note", file=out)
                    continue
                print(session.decide(action, written or note), file=out)
                break
    except (KeyboardInterrupt, EOFError) as exc:
        session.give_back()
        if isinstance(exc, EOFError):
            print("Quit: the comment is back in the queue.", file=out)
            return EXIT_OK
        print("\nInterrupted: the comment is back in the queue.", file=out)
        return EXIT_INTERRUPTED
    finally:
        session.give_back()


def note_problem(note: str | None) -> str | None:
    """What is wrong with a note (as the decision's validation says it), or None."""
    from comments.domain.requests import DecisionIn
    from pydantic import ValidationError

    try:
        DecisionIn(decision="approve", note=note)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] in ("too_long", "string_too_long") or message.startswith("must be at most"):
            return "is over 2,000 characters"
        return message
    return None


def context(work: Work, comment_id: str) -> dict[str, Any] | None:
    """What the moderator sees besides the comment (moderation_context.detail), if it can be read."""
    from botocore.exceptions import BotoCoreError, ClientError
    from comments.domain import moderation_context
    from comments.domain.errors import CommentError

    try:
        return moderation_context.detail(work.rt.table, comment_id)
    except (BotoCoreError, ClientError, CommentError):
        return None


def summary(session: Session) -> str:
    if not session.decided and not session.skipped:
        return "No held comments waiting."
    skipped = f", {len(session.skipped)} skipped (back in the queue)" if session.skipped else ""
    return f"No more held comments. {session.decided} decided{skipped}."
