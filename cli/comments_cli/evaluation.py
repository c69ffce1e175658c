"""`comments-policy evaluate`: how well the policy judges a labelled set of comments.

Input: JSON lines, one comment each, with what it should get:

    {"body": str, "name": str (optional), "verdict": "publish" | "hold" | "reject", "rule": str (optional)}

`rule` names the rule that should fire (for a comment that should be held or rejected). A line
is judged right when the policy's verdict is the expected one and, if a rule is named, that rule
is among those that fired. Per rule, over the whole file:

- recall: of the lines labelled with the rule, how many it fired on;
- precision: of the lines it fired on, how many were labelled with it (a line labelled with
  another rule, or a line that should publish, counts against it).

Rules that fire on the file but label no line are listed with how often they fired (there is no
truth to measure them against). Then the overall accuracy, the innocent lines (expected
`publish`) held or rejected, and every misjudged line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from comments.policy.engine import RULES, evaluate
from comments.policy.model import Policy

OUTCOMES = ("publish", "hold", "reject")


class BadLabel(ValueError):
    """A line that is not a labelled comment; its message says why."""


@dataclass(frozen=True, slots=True)
class Labelled:
    number: int
    body: str
    name: str
    verdict: str
    rule: str | None


@dataclass(frozen=True, slots=True)
class Judged:
    case: Labelled
    verdict: str
    fired: frozenset[str]

    @property
    def right(self) -> bool:
        expected = self.case
        return self.verdict == expected.verdict and (expected.rule is None or expected.rule in self.fired)


@dataclass(slots=True)
class RuleFigures:
    labelled: int = 0  # lines labelled with the rule
    fired: int = 0  # lines it fired on
    both: int = 0  # lines labelled with it that it fired on

    @property
    def precision(self) -> float | None:
        return self.both / self.fired if self.fired else None

    @property
    def recall(self) -> float | None:
        return self.both / self.labelled if self.labelled else None


@dataclass(slots=True)
class Report:
    judged: list[Judged] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def rules(self) -> dict[str, RuleFigures]:
        figures: dict[str, RuleFigures] = {}
        for item in self.judged:
            label = item.case.rule
            if label is not None:
                figures.setdefault(label, RuleFigures()).labelled += 1
            for rule in item.fired:
                entry = figures.setdefault(rule, RuleFigures())
                entry.fired += 1
                entry.both += rule == label
        order = {rule: index for index, rule in enumerate(RULES)}
        return dict(sorted(figures.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))

    @property
    def misjudged(self) -> list[Judged]:
        return [item for item in self.judged if not item.right]

    @property
    def innocent_stopped(self) -> list[Judged]:
        return [item for item in self.judged if item.case.verdict == "publish" and item.verdict != "publish"]


def labelled(number: int, line: str) -> Labelled:
    """One input line as a labelled comment; BadLabel says what is wrong with it."""
    try:
        data: Any = json.loads(line)
    except ValueError as error:
        raise BadLabel(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise BadLabel('each line must be a JSON object: {"body": str, "verdict": str, "rule"?: str}')
    body, name, verdict, rule = data.get("body"), data.get("name", ""), data.get("verdict"), data.get("rule")
    if not isinstance(body, str):
        raise BadLabel('"body" must be a string')
    if not isinstance(name, str):
        raise BadLabel('"name" must be a string')
    if verdict not in OUTCOMES:
        raise BadLabel('"verdict" must be "publish", "hold" or "reject"')
    if rule is not None and not isinstance(rule, str):
        raise BadLabel('"rule" must be a string')
    return Labelled(number=number, body=body, name=name, verdict=verdict, rule=rule)


def judge_all(policy: Policy, lines: Iterable[tuple[int, str | ValueError]]) -> Report:
    """Judge every labelled line (number, text or the reason it could not be read)."""
    report = Report()
    for number, line in lines:
        if isinstance(line, str) and not line.strip():
            continue
        try:
            if isinstance(line, ValueError):
                raise BadLabel(str(line))
            case = labelled(number, line)
        except BadLabel as error:
            report.errors.append(f"line {number}: {error}")
            continue
        verdict = evaluate(policy, body=case.body, name=case.name)
        report.judged.append(Judged(case, verdict.outcome, frozenset(hit.rule for hit in verdict.hits)))
    return report


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _excerpt(body: str, width: int = 90) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def render(report: Report) -> list[str]:
    """The report as lines of text: per-rule figures, accuracy, then every misjudged line."""
    total = len(report.judged)
    lines = [f"{total} labelled comments"]
    figures = report.rules()
    measured = {rule: f for rule, f in figures.items() if f.labelled}
    if measured:
        lines += [
            "",
            f"{'rule':<14} {'labelled':>8} {'fired':>6} {'right':>6} {'precision':>10} {'recall':>8}",
        ]
        for rule, f in measured.items():
            lines.append(
                f"{rule:<14} {f.labelled:>8} {f.fired:>6} {f.both:>6} "
                f"{_percent(f.precision):>10} {_percent(f.recall):>8}"
            )
    unlabelled = {rule: f for rule, f in figures.items() if not f.labelled}
    if unlabelled:
        lines += ["", "also fired (no line labelled with them, so no precision or recall):"]
        lines += [
            f"  {rule:<14} on {f.fired} line{'s' if f.fired != 1 else ''}" for rule, f in unlabelled.items()
        ]
    right = total - len(report.misjudged)
    publish = sum(1 for item in report.judged if item.case.verdict == "publish")
    lines += [
        "",
        f"accuracy: {right} of {total} judged right ({_percent(right / total if total else None)})",
        f"innocent comments held or rejected: {len(report.innocent_stopped)} of {publish}",
    ]
    if report.misjudged:
        lines += ["", "misjudged:"]
        for item in report.misjudged:
            expected = item.case.verdict + (f" ({item.case.rule})" if item.case.rule else "")
            got = item.verdict + (f" ({', '.join(sorted(item.fired))})" if item.fired else "")
            lines.append(
                f"  line {item.case.number}: expected {expected}, got {got}: {_excerpt(item.case.body)}"
            )
    if report.errors:
        lines += ["", f"{len(report.errors)} line{'s' if len(report.errors) != 1 else ''} not read:"]
        lines += [f"  {error}" for error in report.errors]
    return lines
