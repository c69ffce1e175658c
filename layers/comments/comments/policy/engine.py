"""The comment policy engine: pure functions from a policy and a comment to a verdict.

Nothing here does I/O (the shipped default policy is package data, read once), reads the
environment or keeps state beyond caches. Word lists are compiled on first use, once per Policy
instance, never at import time.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from comments.policy.intent import IntentReader
from comments.policy.links import Link, blocked_domain, find_links
from comments.policy.model import (
    CommentField,
    HitVerdict,
    Policy,
    PolicyHit,
    RuleExplanation,
    TermRule,
    Verdict,
    outcome_of,
)
from comments.policy.normalise import MatchText, fingerprint
from comments.policy.personal_info import find_emails, find_phones
from comments.policy.terms import TermMatch, TermMatcher
from comments.policy.text_shape import is_shouting, repeated_character, repeated_word

__all__ = [
    "CLASSIFIER_RULES",
    "RULES",
    "STATEFUL_RULES",
    "RuleExplanation",
    "default_policy",
    "describe",
    "duplicate_fingerprint",
    "evaluate",
    "parse_policy",
    "stateful_hit",
]

#: Every rule, in the order the contract lists them (and hits are reported).
RULES: Final = (
    "length",
    "profanity",
    "suspect_term",
    "links",
    "blocked_link",
    "personal_info",
    "shouting",
    "repetition",
    "duplicate",
    "banned_author",
    "name",
    "threat",
    "self_harm",
    "hate",
    "spam",
    "reported",
    "premoderation",
    "new_author",
    "author_history",
    "honeypot",
    "toxicity",
    "akismet",
)
#: Rules that need stored state: the lifecycle decides when they fire, `stateful_hit` words them.
STATEFUL_RULES: Final = frozenset(
    {"duplicate", "banned_author", "reported", "premoderation", "new_author", "author_history", "honeypot"}
)
#: Rules that ask a service (off unless the deployment configures it; `comments.domain.classifiers`).
CLASSIFIER_RULES: Final = frozenset({"toxicity", "akismet"})


# --- the policy data --------------------------------------------------------------------------


def _default_document() -> dict[str, Any]:
    from importlib import resources  # only when the data is first read

    raw = resources.files("comments.policy").joinpath("data/default.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(raw)
    return document


@functools.cache
def default_policy() -> Policy:
    """The policy shipped with the layer (data/default.json), parsed once."""
    return Policy.model_validate(_default_document())


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        else:
            merged[key] = value
    return merged


def parse_policy(raw: str | bytes) -> Policy:
    """An operator's policy: a JSON object laid over the default, key by key.

    Objects are merged (so `{"version": "site-7", "rules": {"links": {"max_links": 4}}}` changes
    one setting); anything else, lists included, replaces the default's value (add words with a
    rule's `extra_terms`). The override must name its own `version`, which every verdict carries.
    Raises ValueError (bad JSON, no version) or pydantic.ValidationError (bad settings).
    """
    try:
        override = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"the policy is not valid JSON: {error}") from None
    if not isinstance(override, dict):
        raise ValueError("the policy must be a JSON object")
    if "version" not in override:
        raise ValueError("the policy must state its own version")
    return Policy.model_validate(_merged(_default_document(), override))


# --- the compiled form of a policy ----------------------------------------------------------


def _listed(rule: TermRule) -> tuple[str, ...]:
    return (*rule.terms, *rule.extra_terms)


class _Compiled:
    """A policy's word lists and domain lists, compiled for matching."""

    def __init__(self, policy: Policy) -> None:
        rules, matching = policy.rules, policy.matching
        terms = [(term, "profanity") for term in _listed(rules.profanity)]
        terms += [(term, "suspect_term") for term in _listed(rules.suspect_term)]
        self.words = TermMatcher(
            terms,
            leet=matching.leet,
            masks=matching.masks,
            inflections=matching.inflections,
            allowlist=matching.allowlist,
        )
        self.reserved = TermMatcher(
            [(term, "name") for term in rules.name.reserved],
            leet=matching.leet,
            masks="",
            inflections=matching.inflections,
            digits_end_words=False,
        )
        self.blocked_domains = frozenset(rules.blocked_link.domains)
        self.intent = IntentReader(policy)  # compiled on the first comment with one of its words
        # Display names repeat (the same people comment again and again): the name rule's answer
        # per name, as (message, spans); None when nothing fired. Bounded, emptied when full.
        self.names: dict[str, tuple[str, list[tuple[int, int]]] | None] = {}
        # The word-list messages already written, per rule and words named.
        self.messages: dict[tuple[str, tuple[str, ...]], str] = {}


_last: tuple[Policy, _Compiled] | None = None  # the policy in use, almost always the one before


def _compiled(policy: Policy) -> _Compiled:
    global _last
    if _last is not None and _last[0] is policy:
        return _last[1]
    compiled = policy._compiled
    if not isinstance(compiled, _Compiled):
        compiled = _Compiled(policy)
        policy._compiled = compiled
    _last = (policy, compiled)
    return compiled


# --- evaluation -------------------------------------------------------------------------------


def _quoted(items: Iterable[str]) -> str:
    """“a”, “b” and “c”."""
    return _and(f"\u201c{item}\u201d" for item in items)


def _and(items: Iterable[str]) -> str:
    parts = list(dict.fromkeys(items))
    return " and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _hit(
    rule: str,
    verdict: HitVerdict,
    message: str,
    spans: list[tuple[int, int]] | None = None,
    field: CommentField = "body",
) -> PolicyHit:
    return PolicyHit(rule=rule, verdict=verdict, message=message, field=field, spans=spans or [])


def _length_hits(policy: Policy, body: str) -> list[PolicyHit]:
    rule = policy.rules.length
    length = len(body.strip())
    if not rule.enabled or rule.min_chars <= length <= rule.max_chars:
        return []
    template = rule.message_too_short if length < rule.min_chars else rule.message_too_long
    message = template.format(
        min_chars=f"{rule.min_chars:,}", max_chars=f"{rule.max_chars:,}", length=f"{length:,}"
    )
    return [_hit("length", rule.verdict, message)]


_MESSAGES_REMEMBERED = 4096


def _term_hits(
    policy: Policy, compiled: _Compiled, text: MatchText, matches: list[TermMatch]
) -> list[PolicyHit]:
    if not matches:
        return []
    hits = []
    for name in ("profanity", "suspect_term"):
        rule = getattr(policy.rules, name)
        found = [m for m in matches if m.term.rule == name]
        if found and rule.enabled:
            words = tuple(dict.fromkeys(m.term.masked for m in found))
            message = compiled.messages.get((name, words))
            if message is None:
                message = rule.message.format(words=_quoted(words))
                if len(compiled.messages) < _MESSAGES_REMEMBERED:
                    compiled.messages[(name, words)] = message
            hits.append(_hit(name, rule.verdict, message, [text.to_original(m.start, m.end) for m in found]))
    return hits


def _link_hits(policy: Policy, compiled: _Compiled, text: MatchText, links: list[Link]) -> list[PolicyHit]:
    if not links:
        return []
    hits = []
    rules = policy.rules
    if rules.links.enabled and len(links) > rules.links.max_links:
        message = rules.links.message.format(count=len(links), max_links=rules.links.max_links)
        spans = [text.to_original(link.start, link.end) for link in links]
        hits.append(_hit("links", rules.links.verdict, message, spans))
    if rules.blocked_link.enabled:
        blocked = [(link, blocked_domain(link.host, compiled.blocked_domains)) for link in links]
        shortened = [(link, domain) for link, domain in blocked if domain is not None]
        if shortened:
            message = rules.blocked_link.message.format(
                domains=_and(domain for _, domain in shortened if domain)
            )
            spans = [text.to_original(link.start, link.end) for link, _ in shortened]
            hits.append(_hit("blocked_link", rules.blocked_link.verdict, message, spans))
    return hits


def _personal_info_hits(policy: Policy, text: MatchText) -> list[PolicyHit]:
    rule = policy.rules.personal_info
    if not rule.enabled:
        return []
    found = (find_emails(text) if rule.emails else []) + (find_phones(text) if rule.phones else [])
    if not found:
        return []
    kinds = {"email": "an email address", "phone": "a phone number"}
    message = rule.message.format(found=_and(kinds[f.kind] for f in sorted(found, key=lambda f: f.kind)))
    spans = sorted(text.to_original(f.start, f.end) for f in found)
    return [_hit("personal_info", rule.verdict, message, spans)]


def _shouting_hits(policy: Policy, text: MatchText) -> list[PolicyHit]:
    rule = policy.rules.shouting
    if rule.enabled and is_shouting(
        text.plain, min_letters=rule.min_letters, max_upper_ratio=rule.max_upper_ratio
    ):
        return [_hit("shouting", rule.verdict, rule.message.format())]
    return []


_WORD_IN_VIEW = re.compile(r"\S+")


def _repetition_hits(policy: Policy, text: MatchText, view: str) -> list[PolicyHit]:
    rule = policy.rules.repetition
    if not rule.enabled:
        return []
    spans: list[tuple[int, int]] = []
    what: list[str] = []
    # The skeleton (lower case) serves where its offsets are the original's: a run is a run.
    character = repeated_character(text.plain, rule.char_run, text.aligned)
    if character is not None:
        what.append("a character")
        spans.append((character.start, character.end))
    word = repeated_word(
        view, run=rule.word_run, flood_min_words=rule.flood_min_words, flood_share=rule.flood_share
    )
    if word is not None:
        what.append("a word")
        located = list(_WORD_IN_VIEW.finditer(view))
        first, last = located[word.start], located[word.end - 1]
        spans.append(text.to_original(first.start() - 1, last.end() - 1))
    if not what:
        return []
    return [_hit("repetition", rule.verdict, rule.message.format(what=_and(what)), spans)]


def _camel_case_starts(text: MatchText, view: str) -> list[int]:
    """View offsets where words start in a name written in camel case ("SiteAdmin": "S" and "A")."""
    original = text.original
    inside = [
        text.skeleton_index(index) + 1
        for index in range(1, len(original))
        if original[index].isupper() and original[index - 1].islower()
    ]
    if not inside:
        return []
    word_starts = (index for index in range(1, len(view)) if view[index - 1] == " " != view[index])
    return sorted({*inside, *word_starts})


_NAMES_REMEMBERED = 4096


def _name_hits(policy: Policy, compiled: _Compiled, name: str) -> list[PolicyHit]:
    rule = policy.rules.name
    if not rule.enabled or not name.strip():
        return []
    if name not in compiled.names:
        if len(compiled.names) >= _NAMES_REMEMBERED:
            compiled.names.clear()
        compiled.names[name] = _name_finding(policy, compiled, name)
    finding = compiled.names[name]
    if finding is None:
        return []
    message, spans = finding
    return [_hit("name", rule.verdict, message, list(spans), field="name")]


def _name_finding(policy: Policy, compiled: _Compiled, name: str) -> tuple[str, list[tuple[int, int]]] | None:
    """What the name rule says about a display name: its message and where, or None."""
    rule = policy.rules.name
    text = MatchText(name)
    view = compiled.words.view(text)
    camel = _camel_case_starts(text, view)
    messages: list[str] = []
    spans: list[tuple[int, int]] = []
    words = compiled.words.find(text, view) + compiled.words.find_joined_words(text, view, camel)
    blocked = [m for m in words if m.term.rule == "profanity"]
    if blocked:
        messages.append(rule.message_blocked_term.format())
        spans += [text.to_original(m.start, m.end) for m in blocked]
    links = find_links(text)
    if links:
        messages.append(rule.message_link.format())
        spans += [text.to_original(link.start, link.end) for link in links]
    # The same view serves: the reserved names' matcher only keeps fewer symbols (no masks).
    reserved = compiled.reserved.find(text, view) + compiled.reserved.find_joined_words(text, view, camel)
    if reserved:
        messages.append(rule.message_reserved.format(word=reserved[0].term.word))
        spans += [text.to_original(m.start, m.end) for m in reserved]
    if not messages:
        return None
    return " ".join(messages), sorted(set(spans))


_SNIPPET = 60  # the longest stretch of a comment that an intent rule's message quotes


def _snippet(text: MatchText, span: tuple[int, int]) -> str:
    start, end = text.to_original(*span)
    words = " ".join(text.original[start:end].split())
    return words if len(words) <= _SNIPPET else words[: _SNIPPET - 1].rstrip() + "\u2026"


def _intent_hits(
    policy: Policy, compiled: _Compiled, text: MatchText, view: str, links: list[Link]
) -> list[PolicyHit]:
    hits = []
    for finding in compiled.intent.read(text, view, links):
        rule = getattr(policy.rules, finding.rule)
        message = rule.message.format(words=_quoted(_snippet(text, span) for span in finding.spans))
        spans = [text.to_original(start, end) for start, end in finding.spans]
        hits.append(_hit(finding.rule, rule.verdict, message, spans))
    return hits


def evaluate(policy: Policy, *, body: str, name: str) -> Verdict:
    """The stateless rules on one comment: every rule that fires, and the outcome they add up to."""
    compiled = _compiled(policy)
    text = MatchText(body)
    view = compiled.words.view(text)
    links = find_links(text)
    hits = [
        *_length_hits(policy, body),
        *_term_hits(policy, compiled, text, compiled.words.find(text, view)),
        *_link_hits(policy, compiled, text, links),
        *_personal_info_hits(policy, text),
        *_shouting_hits(policy, text),
        *_repetition_hits(policy, text, view),
        *_name_hits(policy, compiled, name),
        *_intent_hits(policy, compiled, text, view, links),
    ]
    return Verdict(outcome=outcome_of(hits), hits=hits, policy_version=policy.version)


# --- rules the engine cannot see by itself ------------------------------------------------------


def stateful_hit(policy: Policy, rule: str, **fields: object) -> PolicyHit:
    """The hit for a rule that needs stored state or a service (STATEFUL_RULES, CLASSIFIER_RULES),
    its message filled with `fields` (the placeholders its data may use). A rule may be reported
    under another name (the honeypot's `reported_as`). Raises ValueError for any other rule."""
    if rule not in STATEFUL_RULES and rule not in CLASSIFIER_RULES:
        raise ValueError(f"not a stateful rule: {rule!r}")
    settings = getattr(policy.rules, rule)
    message = settings.message.format(
        hours=policy.duplicate_window_hours, threshold=policy.report_threshold, **fields
    )
    return PolicyHit(rule=getattr(settings, "reported_as", rule), verdict=settings.verdict, message=message)


def duplicate_fingerprint(body: str) -> str:
    """sha256 hex of the body as the duplicate rule compares it (case, spacing, punctuation,
    accents and stretched letters ignored): "Great   article!!" and "great article!" are one text."""
    return fingerprint(body)


# --- the public policy page -------------------------------------------------------------------


def _explanation_fields(policy: Policy) -> dict[str, Callable[[], dict[str, object]]]:
    rules = policy.rules
    stateful: dict[str, object] = {
        "hours": policy.duplicate_window_hours,
        "threshold": policy.report_threshold,
    }
    return {
        "length": lambda: {
            "min_chars": f"{rules.length.min_chars:,}",
            "max_chars": f"{rules.length.max_chars:,}",
        },
        "links": lambda: {"max_links": rules.links.max_links},
        "blocked_link": lambda: {"examples": ", ".join(rules.blocked_link.domains[:3])},
        "shouting": lambda: {
            "min_letters": rules.shouting.min_letters,
            "max_upper_percent": round(rules.shouting.max_upper_ratio * 100),
        },
        "repetition": lambda: {"char_run": rules.repetition.char_run, "word_run": rules.repetition.word_run},
        **{rule: (lambda: stateful) for rule in STATEFUL_RULES},
        "new_author": lambda: {"approved": rules.new_author.newAuthorPremoderation},
        "author_history": lambda: {
            "rejected": rules.author_history.rejected,
            "recent": rules.author_history.recent,
        },
    }


def describe(policy: Policy, configured: Iterable[str] = ()) -> list[RuleExplanation]:
    """Each rule that applies, in plain words, for the public policy page. The classifiers
    (CLASSIFIER_RULES) apply only where the deployment configured them (`configured`); new
    writers are pre-moderated site-wide only with a `newAuthorPremoderation` above 0."""
    fields = _explanation_fields(policy)
    configured = frozenset(configured)
    explained = []
    for name in RULES:
        rule = getattr(policy.rules, name)
        if not rule.enabled or (name in CLASSIFIER_RULES and name not in configured):
            continue
        if name == "new_author" and policy.rules.new_author.newAuthorPremoderation == 0:
            continue
        values = fields[name]() if name in fields else {}
        explained.append(
            RuleExplanation(
                rule=name,
                title=rule.title,
                verdict=rule.verdict,
                explanation=rule.explanation.format(**values),
            )
        )
    return explained
