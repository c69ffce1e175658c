"""Optional classifiers, behind one port: services that read a comment and say whether a moderator
should see it first (Amazon Comprehend's toxicity detection, Akismet). Each is off unless the
deployment configures it, and each has a time budget: a slow or failing service never blocks a
comment and never loses one (the rules alone decide, and it is logged and counted).

The adapters (`comments.adapters.classifiers` and one module per service) implement `Classifier`
and run them within their budgets (`Screen`); the domain only sees what they found.
"""

from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True)
class Sender:
    """Who sent the comment, as the request shows it: sent to a classifier that asks for it
    (Akismet), never stored."""

    ip: str
    user_agent: str = ""


@dataclass(frozen=True)
class ToScreen:
    """A comment as the classifiers read it."""

    article_id: str
    comment_id: str
    body: str
    name: str
    sender: Sender
    created_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class Finding:
    """What one classifier said. `flagged`: a moderator should see the comment first. `labels`:
    what it found (Comprehend's label names, at or above the threshold). `said`: its own answer,
    kept on the comment so that a moderator's decision can be reported back (Akismet's
    "spam", "ham" or "discard")."""

    classifier: str
    flagged: bool
    labels: tuple[str, ...] = ()
    said: str = ""


Unavailability = Literal["timeout", "throttled", "bad_key", "error"]


class ClassifierUnavailable(Exception):
    """A classifier could not answer: it timed out, was throttled, refused the key, or failed."""

    def __init__(self, reason: "Unavailability") -> None:
        super().__init__(reason)
        self.reason: Unavailability = reason


@dataclass(frozen=True)
class Screened:
    """What the configured classifiers found, and which could not answer in time (with why)."""

    findings: tuple[Finding, ...] = ()
    unavailable: tuple[tuple[str, Unavailability], ...] = ()

    def kept(self) -> dict[str, str] | None:
        """What a stored comment keeps of it: each classifier's own answer, by name."""
        kept = {f.classifier: f.said for f in self.findings if f.said}
        return kept or None


class Classifier(Protocol):
    """One service. `classify` raises ClassifierUnavailable when the service cannot answer (any
    other exception counts as an "error"); it gives up by itself soon after `budget_seconds`,
    and the runner stops waiting for it then."""

    name: str
    budget_seconds: float

    def classify(self, comment: ToScreen) -> Finding: ...


class Screen(Protocol):
    """The configured classifiers, run together, each within its budget."""

    def screen(self, comment: ToScreen) -> Screened: ...
