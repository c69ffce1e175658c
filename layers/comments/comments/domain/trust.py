"""What moderators' decisions say about an author: how many of their comments were approved and
rejected, and the latest outcomes with their times. Kept per author id (`AUT#<authorId>`), moved
by the relay from the change stream (`comment.decided`), read with the rest of a submission's
stored state, and judged by `stateful_rules` (`new_author`, `author_history`, trusted authors).

Pure: values in, values out. A comment decided again (a published comment that readers sent back
and a moderator then rejected) counts once, with its latest outcome.
"""

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from comments.policy.model import TrustedAuthors

Outcome = Literal["approved", "rejected"]
#: Outcomes kept per author: enough for the longest `author_history.recent` the policy allows.
KEEP = 20
_DAY = 86400


# NamedTuples, not dataclasses: this module is imported by every cold start of the submit path,
# and a dataclass costs about ten times as much to define.
class Decided(NamedTuple):
    """One moderated comment: its id, the outcome, and when (epoch seconds)."""

    comment_id: str
    outcome: Outcome
    at: int


class AuthorRecord(NamedTuple):
    """An author's moderated comments: counts, the time of the latest rejection, and the latest
    outcomes (oldest first, at most KEEP). `revision` counts the writes, for the writer's
    condition (two relays updating one author: one wins, the other reads again)."""

    approved: int = 0
    rejected: int = 0
    last_rejected_at: int | None = None
    recent: tuple[Decided, ...] = ()
    revision: int = 0

    @classmethod
    def from_stored(cls, values: dict[str, Any] | None) -> "AuthorRecord":
        """The record in a stored item; anything malformed counts as nothing (a new author),
        so that no stored value can make a submission fail."""
        if not values:
            return cls()
        try:
            recent = tuple(
                Decided(str(d["c"]), "approved" if d["o"] == "a" else "rejected", int(d["t"]))
                for d in values.get("recent") or []
            )
            last = values.get("lastRejectedAt")
            return cls(
                approved=max(0, int(values.get("approved", 0))),
                rejected=max(0, int(values.get("rejected", 0))),
                last_rejected_at=int(last) if last is not None else None,
                recent=recent[-KEEP:],
                revision=int(values.get("revision", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return cls()

    def stored(self) -> dict[str, Any]:
        """The attributes the item keeps (short names: this item is read on every submission)."""
        values: dict[str, Any] = {
            "approved": self.approved,
            "rejected": self.rejected,
            "recent": [{"c": d.comment_id, "o": d.outcome[0], "t": d.at} for d in self.recent],
            "revision": self.revision,
        }
        if self.last_rejected_at is not None:
            values["lastRejectedAt"] = self.last_rejected_at
        return values

    def with_decision(self, decided: Decided) -> "AuthorRecord":
        """The record after one more decision. A comment already counted moves to its new outcome
        (its earlier one no longer counts); the same decision applied twice changes nothing."""
        approved, rejected = self.approved, self.rejected
        earlier = next((d for d in self.recent if d.comment_id == decided.comment_id), None)
        if earlier == decided:
            return self
        if earlier is not None:
            approved -= earlier.outcome == "approved"
            rejected -= earlier.outcome == "rejected"
        approved += decided.outcome == "approved"
        rejected += decided.outcome == "rejected"
        recent = (*(d for d in self.recent if d.comment_id != decided.comment_id), decided)
        recent = tuple(sorted(recent, key=lambda d: d.at))[-KEEP:]
        last = self.last_rejected_at
        if decided.outcome == "rejected":
            last = max(last or 0, decided.at)
        return self._replace(
            approved=max(0, approved),
            rejected=max(0, rejected),
            last_rejected_at=last,
            recent=recent,
            revision=self.revision + 1,
        )

    def rejected_of_last(self, count: int) -> tuple[int, int]:
        """(rejected, moderated) among the author's last `count` moderated comments."""
        last = self.recent[-count:] if count > 0 else ()
        return sum(d.outcome == "rejected" for d in last), len(last)

    def is_trusted(self, trust: "TrustedAuthors", now_epoch: int) -> bool:
        """Approved at least `min_approved` times, and nothing rejected in the last `clean_days`."""
        if not trust.enabled or self.approved < trust.min_approved:
            return False
        return self.last_rejected_at is None or now_epoch - self.last_rejected_at >= trust.clean_days * _DAY
