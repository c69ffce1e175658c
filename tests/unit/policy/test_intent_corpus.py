"""The corpus that proves the intent rules: threats, self-harm, hate and spam are held, and news
(killings, shelling, executions, calls for a tribunal, officials quoted, sharp criticism, idioms,
every sentence of the demo article) is published.

intent_corpus.jsonl holds one labelled comment per line, in the format `comments-policy evaluate`
reads: {"body", "verdict", "rule"?, "note"?}. A line is right when the policy gives the verdict
and, if a rule is named, that rule is among those that fired. Where an existing word rule decides
the verdict (shouting, a suspect term such as "scum", a phone number), the label says so in its
note: the intent rules change no other rule. Words whose meaning depends on who says them to whom
("kill yourself", "vermin") are left to the intent rules, which hold them when they are aimed at
someone and publish them when they are quoted or condemned.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).with_name("intent_corpus.jsonl")
ARTICLE = Path(__file__).parents[3] / "web" / "article.txt"
INTENT_RULES = ("threat", "self_harm", "hate", "spam")
CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sentences(text: str) -> list[str]:
    """The demo article's sentences (a sentence ends after . ! ? or a closing quote)."""
    return [
        sentence.strip()
        for paragraph in text.split("\n")
        for sentence in re.split(r"(?<=[.!?\u201d])\s+(?=[\u201cA-Z])", paragraph)
        if sentence.strip()
    ]


def test_the_corpus_has_the_cases_the_issue_asks_for():
    # Given the labelled corpus
    # When its lines are counted by label
    labels = Counter(case.get("rule", "publish") for case in CASES)
    controls = [case for case in CASES if case.get("rule") not in INTENT_RULES]
    # Then it has at least 120 intent cases in the issue's mix, and at least 150 controls
    assert labels["threat"] >= 30 and labels["self_harm"] >= 15
    assert labels["hate"] >= 30 and labels["spam"] >= 45
    assert sum(labels[rule] for rule in INTENT_RULES) >= 120
    assert len(controls) >= 150
    assert all(case["verdict"] in ("publish", "hold", "reject") for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"line {n}" for n in range(1, len(CASES) + 1)])
def test_each_labelled_comment_gets_its_verdict_and_rule(judge, case):
    # Given a labelled comment
    # When it is judged
    verdict = judge(case["body"])
    fired = {hit.rule for hit in verdict.hits}
    # Then it gets the expected verdict, the named rule fired, and no intent rule fired on a control
    assert verdict.outcome == case["verdict"], (case, verdict.hits)
    if case.get("rule"):
        assert case["rule"] in fired, (case, verdict.hits)
    if case.get("rule") not in INTENT_RULES:
        assert not fired & set(INTENT_RULES), (case, verdict.hits)


@pytest.mark.parametrize("sentence", _sentences(ARTICLE.read_text(encoding="utf-8")))
def test_every_sentence_of_the_demo_article_publishes(judge, sentence):
    # Given a sentence of the demo article (a war story: targets, fire, militias, generals)
    # When it is posted as a comment
    verdict = judge(sentence)
    # Then it is published
    assert verdict.outcome == "publish", verdict.hits


def test_the_whole_demo_article_publishes_as_one_comment(judge):
    # Given the demo article's whole text
    text = ARTICLE.read_text(encoding="utf-8")
    # When it is posted as one comment
    # Then no rule fires
    assert judge(text).hits == []


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ("I know where you live and I will find you.", "threat"),
        ("Someone should shoot the author of this article.", "threat"),
        ("People like you deserve to be hanged.", "threat"),
        ("Go back to your own country, nobody wants your kind here.", "hate"),
        ("I make $500 a day working from home! Check my profile for details.", "spam"),
        ("Buy cheap viagra online, best prices guaranteed.", "spam"),
    ],
)
def test_the_six_comments_of_the_issue_are_held_with_the_right_rule(judge, body, rule):
    # Given a comment the issue found published at once
    # When it is judged
    verdict = judge(body)
    # Then it is held, and the right rule says why
    assert verdict.outcome == "hold"
    assert [hit.rule for hit in verdict.hits] == [rule]
