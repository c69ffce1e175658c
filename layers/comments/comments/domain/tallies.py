"""What one change of a comment adds to the service's running tallies, each applied exactly once
per stream record by the relay (`CommentStore.apply_tallies`: a marker per record in the same
transaction as the updates):

- the article's count of published comments (+1 / -1);
- the policy statistics: per rule and per day, the comments it held, and how many of those
  moderators approved and rejected (a decision counts on the day its comment was held, so that
  "of those" holds: approved + rejected never exceed held);
- the author's record of moderators' decisions (`trust.AuthorRecord`).

Pure: from the change's images to values.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from comments.domain.models import parse_iso
from comments.domain.trust import Decided

if TYPE_CHECKING:
    from comments.domain.ports import CommentStore
    from comments.domain.relay import StreamChange

Counted = Literal["held", "approved", "rejected"]


@dataclass(frozen=True)
class Tally:
    """One record's part: the article's count, rule statistics ((day, rule, what) each +1) and
    the author's decision."""

    article: tuple[str, int] | None = None
    rules: tuple[tuple[str, str, Counted], ...] = ()
    author: tuple[str, Decided] | None = None

    def __bool__(self) -> bool:
        return bool(self.article or self.rules or self.author)


def day_of(at: str) -> str:
    """The UTC day (YYYY-MM-DD) of an ISO 8601 time as the service writes them."""
    if at.endswith("Z") and len(at) >= 10 and at[4] == "-" and at[7] == "-":
        return at[:10]
    from datetime import UTC

    return parse_iso(at).astimezone(UTC).date().isoformat()


def _rules(hits: list[dict[str, Any]] | list[str]) -> list[str]:
    names = [h if isinstance(h, str) else str(h.get("rule", "")) for h in hits]
    return [n for n in dict.fromkeys(names) if n]


def held_rules(change: "StreamChange") -> tuple[tuple[str, str, Counted], ...]:
    """For a change that moved a comment into `pending`: (day, rule, "held") for each rule that
    holds it."""
    from comments.domain.relay import newly_held

    comment = newly_held(change)
    if comment is None:
        return ()
    history = comment.history
    at = str(history[-1].get("at", comment.createdAt)) if history else comment.createdAt
    day = day_of(at)
    return tuple((day, rule, "held") for rule in _rules(comment.hits))


def decided_rules(change: "StreamChange") -> tuple[tuple[str, str, Counted], ...]:
    """For a moderator's decision: (day the comment was held, rule, "approved" | "rejected") for
    each rule that held it."""
    from comments.domain.relay import decision

    found = decision(change)
    if found is None or found[0].get("decision") not in ("approve", "reject"):
        return ()
    entry, held = found
    day = day_of(str((held or entry).get("at", "")))
    what: Counted = "approved" if entry["decision"] == "approve" else "rejected"
    return tuple((day, rule, what) for rule in _rules(list(entry.get("rules") or [])))


def author_decision(change: "StreamChange") -> tuple[str, Decided] | None:
    """(author id, the decision) for a moderator's approve or reject of an author's comment."""
    from comments.domain.relay import decision

    found = decision(change)
    if found is None or found[0].get("decision") not in ("approve", "reject"):
        return None
    entry = found[0]
    author = str((change.new or {}).get("authorId") or "")
    if not author:
        return None  # erased: nobody to keep a record for
    at = int(parse_iso(str(entry["at"])).timestamp())
    outcome: Literal["approved", "rejected"] = "approved" if entry["decision"] == "approve" else "rejected"
    return author, Decided(comment_id=str((change.new or {})["id"]), outcome=outcome, at=at)


def tally(change: "StreamChange", article: tuple[str, int] | None) -> Tally:
    """Everything this change adds (`article`: its count delta, from `relay.count_delta`)."""
    return Tally(
        article=article,
        rules=held_rules(change) + decided_rules(change),
        author=author_decision(change),
    )


# --- reading the statistics back -----------------------------------------------------------------


@dataclass(frozen=True)
class RuleStats:
    rule: str
    held: int = 0
    approved: int = 0
    rejected: int = 0

    def as_json(self) -> dict[str, Any]:
        decided = self.approved + self.rejected
        return {
            "rule": self.rule,
            "held": self.held,
            "approved": self.approved,
            "rejected": self.rejected,
            # The share of decided holds that moderators approved: near 1, the rule is too strict.
            "approvedShare": round(self.approved / decided, 3) if decided else None,
        }


def days_back(today: date, days: int) -> list[str]:
    """The `days` UTC days up to and including today, newest first."""
    from datetime import timedelta

    return [(today - timedelta(days=n)).isoformat() for n in range(days)]


def summed(per_day: dict[str, dict[tuple[str, str], int]]) -> list[RuleStats]:
    """Per rule, over the days read: held, approved, rejected (most held first, then by name)."""
    totals: dict[str, dict[str, int]] = {}
    for counts in per_day.values():
        for (rule, what), n in counts.items():
            totals.setdefault(rule, {"held": 0, "approved": 0, "rejected": 0})[what] += max(0, int(n))
    stats = [RuleStats(rule, **values) for rule, values in totals.items()]
    return sorted(stats, key=lambda s: (-s.held, s.rule))


def policy_stats(store: "CommentStore", today: date, days: int) -> dict[str, Any]:
    """GET /moderation/policy/stats: per rule, over the last `days` days (today included, UTC),
    the comments it held and how many of those moderators approved and rejected. One read of
    the day items (`PST#<day>`), never a scan."""
    wanted = days_back(today, days)
    per_day = store.policy_stats(wanted)
    return {
        "days": days,
        "from": wanted[-1],
        "to": wanted[0],
        "rules": [s.as_json() for s in summed(per_day)],
    }
