"""The one place where the rules that need stored state (or a service) join the policy engine's
verdict, for a submission and an edit alike. Each honours its `enabled` switch in the policy data.

- `banned_author`, `duplicate`, `premoderation`: the ban, the duplicate marker, the article.
- `new_author`: fewer approved comments than the article's (or else the policy's)
  `newAuthorPremoderation`; `author_history`: most of the author's recent moderated comments
  were rejected. Both from the author's record (`trust.AuthorRecord`).
- the honeypot: the form's hidden field came back filled (held as `spam`).
- `toxicity`, `akismet`: what the configured classifiers found (`classifiers.Screened`).
- trusted authors: the policy's soft holds (`trusted_authors.soft_holds`) are published instead.
"""

from typing import TYPE_CHECKING

from comments.domain.ports import SubmissionState

if TYPE_CHECKING:
    from comments.domain.classifiers import Screened
    from comments.policy.model import Policy, PolicyHit, Verdict


def new_author_threshold(policy: "Policy", state: SubmissionState) -> int:
    """Approved comments an author needs before theirs appear straight away (0: no such rule)."""
    own = state.settings.newAuthorPremoderation
    return own if own is not None else policy.rules.new_author.newAuthorPremoderation


def stateful_hits(policy: "Policy", state: SubmissionState, *, honeypot: bool = False) -> list["PolicyHit"]:
    """The hits the stored state (and the form's hidden field) give. (`reported` fires when
    readers report a published comment: see `reports`.)"""
    from comments.policy.engine import stateful_hit

    rules = policy.rules
    hits = []
    if rules.banned_author.enabled and state.banned:
        hits.append(stateful_hit(policy, "banned_author"))
    if rules.duplicate.enabled and state.duplicate_of:
        hits.append(stateful_hit(policy, "duplicate"))
    if rules.premoderation.enabled and state.settings.premoderation:
        hits.append(stateful_hit(policy, "premoderation"))
    author = state.author
    needed = new_author_threshold(policy, state)
    if rules.new_author.enabled and author.approved < needed:
        hits.append(stateful_hit(policy, "new_author", approved=needed))
    history = rules.author_history
    if history.enabled:
        rejected, moderated = author.rejected_of_last(history.recent)
        if rejected >= history.rejected:
            hits.append(stateful_hit(policy, "author_history", rejected=rejected, recent=moderated))
    if rules.honeypot.enabled and honeypot:
        hits.append(stateful_hit(policy, "honeypot"))
    return hits


def _words(policy: "Policy", labels: tuple[str, ...]) -> str:
    names = policy.rules.toxicity.labels
    words = list(dict.fromkeys(names.get(label) or label.replace("_", " ").lower() for label in labels))
    if not words:
        return "toxic language"
    return " and ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " and " + words[-1]


def classifier_hits(policy: "Policy", screened: "Screened | None") -> list["PolicyHit"]:
    """A hold for each configured classifier that flagged the comment (and whose rule is on)."""
    from comments.policy.engine import stateful_hit

    hits = []
    for finding in screened.findings if screened else ():
        if not finding.flagged:
            continue
        if finding.classifier == "toxicity" and policy.rules.toxicity.enabled:
            hits.append(stateful_hit(policy, "toxicity", words=_words(policy, finding.labels)))
        elif finding.classifier == "akismet" and policy.rules.akismet.enabled:
            hits.append(stateful_hit(policy, "akismet"))
    return hits


def judge(
    policy: "Policy",
    state: SubmissionState,
    *,
    body: str,
    name: str,
    now_epoch: int,
    honeypot: bool = False,
    screened: "Screened | None" = None,
) -> "Verdict":
    """Every rule, stateless and stateful, reported together (reject > hold > publish)."""
    from comments.policy.engine import evaluate

    engine = evaluate(policy, body=body, name=name)
    return decide(policy, state, engine, now_epoch=now_epoch, honeypot=honeypot, screened=screened)


def decide(
    policy: "Policy",
    state: SubmissionState,
    engine: "Verdict",
    *,
    now_epoch: int,
    honeypot: bool = False,
    screened: "Screened | None" = None,
) -> "Verdict":
    """The engine's verdict on the text joined with what the stored state, the hidden field and
    the classifiers say. A trusted author's soft holds are left out: what remains decides.
    (Given the engine's verdict, so that a submission judged again once its classifiers have
    answered does not read its text twice.)"""
    verdict = engine
    extra = stateful_hits(policy, state, honeypot=honeypot) + classifier_hits(policy, screened)
    if extra:
        verdict = verdict.with_hits(extra)
    trust = policy.trusted_authors
    soft = set(trust.soft_holds)
    softened = verdict.outcome == "hold" and any(h.rule in soft for h in verdict.hits)
    if softened and state.author.is_trusted(trust, now_epoch):
        kept = [h for h in verdict.hits if not (h.rule in soft and h.verdict == "hold")]
        verdict = type(verdict).of(kept, policy_version=verdict.policy_version)
    return verdict


def stored_hits(verdict: "Verdict") -> list[dict[str, object]]:
    """The hits as a comment keeps them (for moderators: rule, verdict, words, where)."""
    return [h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits]
