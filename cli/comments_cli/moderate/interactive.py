"""`comments-moderate` with no subcommand: the next held comment, one key to decide it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from comments_cli.moderate.display import show
from comments_cli.moderate.work import Work

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


@dataclass
class Session:
    work: Work
    ban_days: int | None
    who: Moderator
    colour: bool
    out: IO[str]
    current: ClaimedItem | None = None
    skipped: set[str] = field(default_factory=set)
    decided: int = 0

    @property
    def claim_seconds(self) -> int:
        return self.work.rt.settings.claim_seconds

    def next(self) -> ClaimedItem | None:
        """Claim the next held comment this session has not skipped. A skipped one that comes
        round again is kept aside (still claimed) while looking further, then given back."""
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
                return items[0]
            return None
        finally:
            for item in aside:
                self.work.release(item)

    def decide(self, item: ClaimedItem, action: str) -> str:
        from comments.domain import moderation
        from comments.domain.errors import AlreadyDecided, NotFound
        from comments.domain.requests import DecisionIn

        rt = self.work.rt
        decision = DecisionIn(
            decision="approve" if action == "approve" else "reject",
            claim=item.claim,
            banAuthor=action == "ban",
            banDays=self.ban_days if action == "ban" else None,
        )
        try:
            receipt = moderation.claimed_receipt(rt.keys, item.claim, item.comment.id)
            done = moderation.decide(
                rt.table, rt.queue, item.comment.id, decision, self.who, rt.now(), receipt
            )
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
        return outcome

    def give_back(self) -> None:
        if self.current is not None:
            item, self.current = self.current, None
            self.work.release(item)


def interactive(session: Session, stdin: IO[str]) -> int:
    out = session.out
    keys = Keys(stdin, out)
    rt = session.work.rt
    print(f"Moderating as {session.who.name}. Claims last {session.claim_seconds} s.", file=out)
    try:
        while True:
            session.current = session.next()
            if session.current is None:
                print(summary(session), file=out)
                return EXIT_OK
            item = session.current
            show(item, rt.table.get(item.comment.id), session.work.depth_line(), session.colour, out)
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
