"""The comment policy as data, and what the engine says about a comment.

`Policy` is parsed from JSON (the shipped default or an operator's override) and is frozen.
Every message and explanation is a template whose placeholders are checked when the policy
is parsed, so a bad override is refused before it can reach a commenter.
"""

from __future__ import annotations

import string
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

Outcome = Literal["publish", "hold", "reject"]
HitVerdict = Literal["hold", "reject"]
CommentField = Literal["body", "name"]

_SEVERITY: dict[str, int] = {"publish": 0, "hold": 1, "reject": 2}


class Reason(BaseModel):
    """The contract's Reason: which rule, and what the commenter can do about it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    message: str


class PolicyHit(BaseModel):
    """One rule that fired, with where it fired (offsets into the original text)."""

    model_config = ConfigDict(frozen=True)

    rule: str
    verdict: HitVerdict
    message: str
    field: CommentField = "body"
    spans: list[tuple[int, int]] = []

    def reason(self) -> Reason:
        return Reason(rule=self.rule, message=self.message)


def outcome_of(hits: list[PolicyHit]) -> Outcome:
    """reject > hold > publish."""
    outcome: Outcome = "publish"
    for hit in hits:
        if _SEVERITY[hit.verdict] > _SEVERITY[outcome]:
            outcome = hit.verdict
    return outcome


class Verdict(BaseModel):
    """What the policy decided: the outcome follows from the hits, every rule that fired is kept."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    hits: list[PolicyHit]
    policy_version: str

    @model_validator(mode="after")
    def _outcome_follows_from_hits(self) -> Verdict:
        if self.outcome != outcome_of(self.hits):
            raise ValueError(f"outcome {self.outcome!r} does not follow from the hits")
        return self

    @classmethod
    def of(cls, hits: list[PolicyHit], *, policy_version: str) -> Verdict:
        return cls(outcome=outcome_of(hits), hits=hits, policy_version=policy_version)

    def reasons(self) -> list[Reason]:
        return [hit.reason() for hit in self.hits]

    def with_hits(self, extra: list[PolicyHit]) -> Verdict:
        return Verdict.of([*self.hits, *extra], policy_version=self.policy_version)


class RuleExplanation(BaseModel):
    """One rule as the public /policy page shows it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    title: str
    verdict: HitVerdict
    explanation: str


# --- the policy data ---------------------------------------------------------------------------

_Text = Annotated[str, Field(min_length=1, max_length=2000)]
_Term = Annotated[str, Field(min_length=1, max_length=100)]
_Terms = Annotated[tuple[_Term, ...], Field(max_length=20_000)]


class _Frozen(BaseModel):
    # The policy's validators are built on first use (default_policy() or an override), not at
    # import: a function that imports the engine and never judges a comment does not pay for them.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def _check_template(owner: str, name: str, template: str, allowed: frozenset[str]) -> None:
    """Only plain {placeholder} fields the engine fills in: no attribute access, no indexing."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as error:
        raise ValueError(f"{owner}.{name}: not a valid template ({error})") from None
    for field in fields:
        if field not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ValueError(f"{owner}.{name}: unknown placeholder {{{field}}} (known: {known})")


class RuleSettings(_Frozen):
    """What every rule has: whether it applies, its verdict, and the words people read."""

    #: template fields -> the placeholders each may use; the engine fills exactly these.
    placeholders: ClassVar[dict[str, frozenset[str]]] = {}

    enabled: bool = True
    verdict: HitVerdict
    title: _Text
    explanation: _Text

    @model_validator(mode="after")
    def _templates_use_known_placeholders(self) -> RuleSettings:
        owner = type(self).__name__
        for name, allowed in {"explanation": self.explanation_fields(), **self.placeholders}.items():
            _check_template(owner, name, getattr(self, name), allowed)
        return self

    def explanation_fields(self) -> frozenset[str]:
        return frozenset()


class MessageRule(RuleSettings):
    message: _Text


class LengthRule(RuleSettings):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "message_too_short": frozenset({"min_chars", "max_chars", "length"}),
        "message_too_long": frozenset({"min_chars", "max_chars", "length"}),
    }
    min_chars: int = Field(default=2, ge=0)
    max_chars: int = Field(default=5000, ge=1)
    message_too_short: _Text
    message_too_long: _Text

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"min_chars", "max_chars"})


class TermRule(MessageRule):
    """A word list. A term ending in "+" also matches its usual inflections (policy.matching)."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"words"})}
    source: _Text
    licence: _Text
    terms: _Terms
    extra_terms: _Terms = ()


class LinksRule(MessageRule):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"count", "max_links"})}
    max_links: int = Field(default=2, ge=0)

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"max_links"})


class BlockedLinkRule(MessageRule):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"domains"})}
    domains: Annotated[
        tuple[Annotated[str, Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", max_length=253)], ...],
        Field(max_length=10_000),
    ]

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"examples"})


class PersonalInfoRule(MessageRule):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"found"})}
    emails: bool = True
    phones: bool = True


class ShoutingRule(MessageRule):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset()}
    min_letters: int = Field(default=20, ge=1)
    max_upper_ratio: float = Field(default=0.7, ge=0, le=1)

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"min_letters", "max_upper_percent"})


class RepetitionRule(MessageRule):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"what"})}
    char_run: int = Field(default=10, ge=2)
    word_run: int = Field(default=8, ge=2)
    flood_min_words: int = Field(default=6, ge=2)
    flood_share: float = Field(default=0.5, gt=0, lt=1)

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"char_run", "word_run"})


class NameRule(RuleSettings):
    placeholders: ClassVar[dict[str, frozenset[str]]] = {
        "message_blocked_term": frozenset(),
        "message_link": frozenset(),
        "message_reserved": frozenset({"word"}),
    }
    reserved: _Terms
    message_blocked_term: _Text
    message_link: _Text
    message_reserved: _Text


class StatefulRule(MessageRule):
    """A rule that needs stored state (the lifecycle decides when it fires; the policy says what it says)."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"hours", "threshold"})}

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"hours", "threshold"})


#: A phrase of a word class of the intent rules: lower-case words (an apostrophe stands for both
#: ways people write a contraction: "don't" is "don't", "don t" and "dont"), or a structure in the
#: pattern language without ^, $ and ! ("{det} {person}", "beat|kick {target} up"); checked with
#: the classes as a whole (intent.word_class_error).
_Phrase = Annotated[str, Field(min_length=1, max_length=200)]
_ClassName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
_ShortWord = Annotated[str, Field(pattern=r"^[a-z0-9]{1,20}$")]
#: A structure an intent rule looks for, in the small language of intent.py: words, a|b (either),
#: {class}, {class}? and word? (optional), !{class} and !word (not next), ~N (up to N other words),
#: ^ (a clause starts here), $ (a clause ends here).
_Pattern = Annotated[str, Field(min_length=1, max_length=500)]
_Patterns = Annotated[tuple[_Pattern, ...], Field(max_length=500)]


class IntentRule(MessageRule):
    """A rule that reads intent: structures of word classes within a clause (see intent.py).

    `anchors`: the word classes whose words make a sentence worth reading (seen through disguises);
    every pattern needs one of them. `context`: classes of everyday words ("should", "I will")
    that patterns need too, looked for only in the sentences an anchor leads to (as are signals).
    `patterns`: what fires. A match does not count when one of `unless_sentence_has` matches
    elsewhere in its sentence (reported speech, hypotheticals), one of `unless_before` earlier in
    its clause (negation), or one of `unless_after` right after it (idioms: "shoot you an email").
    `signals`: weaker patterns; the rule also fires when `min_signals` different ones match
    (within `signals_within` consecutive sentences, or anywhere in the comment when 0).
    """

    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"words"})}
    anchors: Annotated[tuple[_ClassName, ...], Field(min_length=1, max_length=100)]
    context: Annotated[tuple[_ClassName, ...], Field(max_length=100)] = ()
    patterns: _Patterns
    unless_sentence_has: _Patterns = ()
    unless_before: _Patterns = ()
    unless_after: _Patterns = ()
    #: whether `unless_sentence_has` counts inside the match too ("the casino promised free spins");
    #: off by default, so that "whoever ordered it should be shot" is not excused by its own words
    unless_anywhere: bool = False
    signals: _Patterns = ()
    min_signals: int = Field(default=2, ge=1)
    #: how many consecutive sentences the signals must fall within (0: the whole comment): a sales
    #: pitch says its pieces together, a comment that mentions a pharmacy, bitcoin's price and a
    #: wage in three unrelated sentences is not one
    signals_within: int = Field(default=0, ge=0, le=50)

    @model_validator(mode="after")
    def _patterns_are_well_formed(self) -> IntentRule:
        from comments.policy.intent_language import pattern_error  # the pattern language

        for name in ("patterns", "unless_sentence_has", "unless_before", "unless_after", "signals"):
            for pattern in getattr(self, name):
                error = pattern_error(pattern)
                if error:
                    raise ValueError(f"{name}: {pattern!r}: {error}")
        return self

    def classes_used(self) -> set[str]:
        """Every word class the rule names (in its anchors and its patterns), built-ins aside."""
        from comments.policy.intent_language import BUILT_IN_CLASSES, classes_in

        used = {*self.anchors, *self.context}
        for name in ("patterns", "unless_sentence_has", "unless_before", "unless_after", "signals"):
            for pattern in getattr(self, name):
                used.update(classes_in(pattern))
        return used - BUILT_IN_CLASSES


# --- rules about the author, classifiers and the honeypot (they need stored state or a service) ---

#: A rule name as the data and the reasons spell it.
RuleName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class NewAuthorRule(MessageRule):
    """Hold an author's comments until moderators have approved `newAuthorPremoderation` of them
    (0 = off); an article's settings may say otherwise for that article."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"approved"})}
    newAuthorPremoderation: int = Field(default=0, ge=0, le=1000)

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"approved"})


class AuthorHistoryRule(MessageRule):
    """Hold when `rejected` or more of the author's last `recent` moderated comments were rejected."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"rejected", "recent"})}
    recent: int = Field(default=5, ge=1, le=20)
    rejected: int = Field(default=3, ge=1, le=20)

    @model_validator(mode="after")
    def _rejected_within_recent(self) -> AuthorHistoryRule:
        if self.rejected > self.recent:
            raise ValueError("author_history.rejected must not be more than author_history.recent")
        return self

    def explanation_fields(self) -> frozenset[str]:
        return frozenset({"rejected", "recent"})


class ToxicityRule(MessageRule):
    """Amazon Comprehend's toxicity score at or above the configured threshold (the threshold is
    the deployment's: template parameter ToxicityThreshold, 0 = off). `labels` turns Comprehend's
    label names into the words a writer reads."""

    placeholders: ClassVar[dict[str, frozenset[str]]] = {"message": frozenset({"words"})}
    labels: dict[Annotated[str, Field(pattern=r"^[A-Z_]{1,40}$")], Annotated[str, Field(max_length=80)]] = {}


class HoneypotRule(MessageRule):
    """A submission that filled the form's hidden field (people never see it; robots fill it). Its
    reason is given under `reported_as` (the contract holds such comments as `spam`)."""

    reported_as: RuleName = "spam"


#: Holds that no author's trust can waive: what the article or readers asked for, and the
#: rules about the author.
_NEVER_WAIVED = frozenset({"premoderation", "reported", "new_author", "author_history", "honeypot"})


class TrustedAuthors(_Frozen):
    """Authors moderators approved at least `min_approved` times, with no comment rejected in the
    last `clean_days` days, have the `soft_holds` rules' holds published instead."""

    enabled: bool = True
    min_approved: int = Field(default=5, ge=1, le=100_000)
    clean_days: int = Field(default=90, ge=0, le=3650)
    soft_holds: tuple[RuleName, ...] = ("links", "shouting")


class PolicyRules(_Frozen):
    length: LengthRule
    profanity: TermRule
    suspect_term: TermRule
    links: LinksRule
    blocked_link: BlockedLinkRule
    personal_info: PersonalInfoRule
    shouting: ShoutingRule
    repetition: RepetitionRule
    name: NameRule
    duplicate: StatefulRule
    banned_author: StatefulRule
    reported: StatefulRule
    premoderation: StatefulRule
    threat: IntentRule
    self_harm: IntentRule
    hate: IntentRule
    spam: IntentRule

    def intent_rules(self) -> tuple[tuple[str, IntentRule], ...]:
        return (
            ("threat", self.threat),
            ("self_harm", self.self_harm),
            ("hate", self.hate),
            ("spam", self.spam),
        )

    new_author: NewAuthorRule
    author_history: AuthorHistoryRule
    honeypot: HoneypotRule
    toxicity: ToxicityRule
    akismet: MessageRule


class Matching(_Frozen):
    """How disguises are seen through: leetspeak and mask characters, inflections, the allowlist."""

    #: letter -> ASCII characters that stand for it (e.g. "a": "4@").
    leet: dict[Annotated[str, Field(pattern=r"^[a-z]$")], Annotated[str, Field(pattern=r"^[!-~]{1,16}$")]]
    #: characters that may hide any letter but the first ("f*ck").
    masks: Annotated[str, Field(pattern=r"^[!-~]{0,8}$")] = "*"
    inflections: tuple[Annotated[str, Field(pattern=r"^[a-z]{1,8}$")], ...] = ()
    #: words and phrases never flagged, even when they contain a listed term ("cum laude").
    allowlist: _Terms = ()

    @model_validator(mode="after")
    def _symbols_are_not_letters_or_separators(self) -> Matching:
        symbols = set(self.masks).union(*self.leet.values())
        bad = sorted(ch for ch in symbols if ch.isalpha() or ch in "-_.,;:'\"/\\()[]{}<>?")
        if bad:
            raise ValueError(f"leet and mask characters must be digits or symbols, not {''.join(bad)!r}")
        return self


class Policy(_Frozen):
    """The whole comment policy: versioned data an operator can change without code."""

    version: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:+-]+$")]
    report_threshold: int = Field(default=3, ge=1)
    edit_window_minutes: int = Field(default=15, ge=0)
    duplicate_window_hours: int = Field(default=24, ge=0)
    matching: Matching
    #: The word classes the intent rules' patterns are made of: class name -> words and phrases.
    intent_words: dict[_ClassName, Annotated[tuple[_Phrase, ...], Field(max_length=5000)]] = {}
    #: Texting shorthand the intent rules read as the word it stands for ("u" -> "you").
    intent_shorthand: dict[_ShortWord, _ShortWord] = {}
    rules: PolicyRules
    trusted_authors: TrustedAuthors = Field(default_factory=TrustedAuthors)

    @model_validator(mode="after")
    def _soft_holds_are_holds_a_trusted_author_may_skip(self) -> Policy:
        for name in self.trusted_authors.soft_holds:
            rule = getattr(self.rules, name, None)
            if not isinstance(rule, RuleSettings) or name in _NEVER_WAIVED:
                raise ValueError(
                    f"trusted_authors.soft_holds: {name!r} is not a hold a trusted author may skip"
                )
            if rule.verdict != "hold":
                raise ValueError(f"trusted_authors.soft_holds: {name!r} rejects; only holds can be skipped")
        return self

    @model_validator(mode="after")
    def _intent_rules_name_known_classes(self) -> Policy:
        from comments.policy.intent_language import word_class_error

        error = word_class_error(self.intent_words)
        if error:
            raise ValueError(f"intent_words: {error}")
        for name, rule in self.rules.intent_rules():
            unknown = sorted(rule.classes_used() - self.intent_words.keys())
            if unknown:
                raise ValueError(f"{name}: unknown word class {', '.join(unknown)} (not in intent_words)")
        from comments.policy.intent_language import unanchored_pattern

        for name, rule in self.rules.intent_rules():
            pattern = unanchored_pattern(self.intent_words, rule)
            if pattern is not None:
                raise ValueError(
                    f"{name}: the pattern {pattern!r} needs none of the rule's anchor classes, so no "
                    "comment would ever be read for it"
                )
        return self

    # The engine's compiled form of this policy (word-list matchers), built on first use.
    _compiled: object | None = PrivateAttr(default=None)
