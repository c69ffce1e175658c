"""The one place where the rules that need stored state join the policy engine's verdict, for a
submission and an edit alike. Each honours its `enabled` switch in the policy data."""

from typing import TYPE_CHECKING

from comments.domain.ports import SubmissionState

if TYPE_CHECKING:
    from comments.policy.model import Policy, PolicyHit, Verdict


def stateful_hits(policy: "Policy", state: SubmissionState) -> list["PolicyHit"]:
    """`banned_author`, `duplicate` and `premoderation`, as the stored state says. (`reported`
    fires when readers report a published comment: see `reports`.)"""
    from comments.policy.engine import stateful_hit

    rules = policy.rules
    hits = []
    if rules.banned_author.enabled and state.banned:
        hits.append(stateful_hit(policy, "banned_author"))
    if rules.duplicate.enabled and state.duplicate_of:
        hits.append(stateful_hit(policy, "duplicate"))
    if rules.premoderation.enabled and state.settings.premoderation:
        hits.append(stateful_hit(policy, "premoderation"))
    return hits


def judge(policy: "Policy", state: SubmissionState, *, body: str, name: str) -> "Verdict":
    """Every rule, stateless and stateful, reported together (reject > hold > publish)."""
    from comments.policy.engine import evaluate

    verdict = evaluate(policy, body=body, name=name)
    extra = stateful_hits(policy, state)
    return verdict.with_hits(extra) if extra else verdict


def stored_hits(verdict: "Verdict") -> list[dict[str, object]]:
    """The hits as a comment keeps them (for moderators: rule, verdict, words, where)."""
    return [h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits]
