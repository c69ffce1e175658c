"""Properties of the intent rules over many comments: clean news stays clean however it is put
together or cased, quoting someone is not threatening anyone, and disguises do not hide threats."""

import json
from pathlib import Path

from comments.policy.engine import default_policy, evaluate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

POLICY = default_policy()
INTENT_RULES = {"threat", "self_harm", "hate", "spam"}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CASES = [
    json.loads(line)
    for line in Path(__file__).with_name("intent_corpus.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
# Controls that publish on their own and end a sentence: the pieces of clean comments.
CLEAN = [case["body"] for case in CASES if case["verdict"] == "publish" and case["body"][-1] in ".!?"]
# Threats that nothing but the threat rule holds, with no quotation marks of their own.
THREATS = [
    case["body"]
    for case in CASES
    if case.get("rule") == "threat"
    and '"' not in case["body"]
    and {hit.rule for hit in evaluate(POLICY, body=case["body"], name="Ada").hits} == {"threat"}
]


def intent_rules_that_fire(body: str) -> set[str]:
    return {hit.rule for hit in evaluate(POLICY, body=body, name="Ada").hits} & INTENT_RULES


@FAST
@given(st.lists(st.sampled_from(CLEAN), min_size=2, max_size=6))
def test_clean_sentences_put_together_make_a_clean_comment(sentences):
    # Given sentences from news comments that each publish on their own
    body = " ".join(sentences)
    # When they are posted as one comment
    # Then no intent rule fires (rules that count, such as links or repetition, may: three
    # sentences with a link each are three links)
    assert intent_rules_that_fire(body) == set(), body


@FAST
@given(st.sampled_from(CLEAN), st.sampled_from(CLEAN))
def test_appending_a_clean_sentence_never_makes_a_clean_comment_held(comment, sentence):
    # Given a clean comment, and a clean sentence appended to it
    assert evaluate(POLICY, body=comment, name="Ada").outcome == "publish"
    # When the longer comment is judged
    verdict = evaluate(POLICY, body=f"{comment} {sentence}", name="Ada")
    # Then it is still published
    assert verdict.outcome == "publish", verdict.hits


@FAST
@given(st.sampled_from(CLEAN), st.data())
def test_a_control_stays_clean_whatever_its_case(sentence, data):
    # Given a clean sentence, in lower case, or with letters inside words made capitals (a word's
    # first letter is left alone: a capital there can make a name, which is a different comment)
    how = data.draw(st.sampled_from(["lower", "inside"]))
    if how == "lower":
        changed = sentence.lower()
    else:
        flags = data.draw(st.lists(st.booleans(), min_size=len(sentence), max_size=len(sentence)))
        changed = "".join(
            char.upper() if flag and index and sentence[index - 1].isalpha() else char
            for index, (char, flag) in enumerate(zip(sentence, flags, strict=True))
        )
        letters = [char for char in changed if char.isalpha()]
        assume(sum(char.isupper() for char in letters) <= 0.5 * len(letters))  # not shouting
    # When it is judged
    # Then no intent rule fires
    assert intent_rules_that_fire(changed) == set()


@FAST
@given(
    st.sampled_from(THREATS),
    st.sampled_from(["The minister", "A witness", "Police", "He", "The defendant", "One of the gunmen"]),
    st.sampled_from(
        ['{who} said: "{threat}"', '"{threat}" {who_lower} said.', '{who} told the court: "{threat}"']
    ),
)
def test_a_threat_quoted_from_someone_who_said_it_is_not_a_threat(threat, who, form):
    # Given a threat, in quotation marks, attributed to someone who said it
    body = form.format(threat=threat.rstrip("."), who=who, who_lower=who[0].lower() + who[1:])
    # When it is judged
    # Then the threat rule does not fire: the commenter is reporting, not threatening
    assert "threat" not in intent_rules_that_fire(body), body


LEET = {letter: chars for letter, chars in POLICY.matching.leet.items()}
DISGUISABLE = [
    ("Someone should shoot the author.", "shoot"),
    ("I will kill you.", "kill"),
    ("The reporter should be hanged.", "hanged"),
    ("Hope the journalist gets stabbed.", "stabbed"),
    ("Lynch the lot of them.", "Lynch"),
]


@FAST
@given(st.sampled_from(DISGUISABLE), st.data())
def test_a_threat_disguised_with_digits_symbols_or_dots_is_still_a_threat(case, data):
    # Given a threat whose harm word is written with digits or symbols for letters, or spelled out
    body, word = case
    style = data.draw(st.sampled_from(["leet", "dots"]))
    if style == "dots":
        disguised = ".".join(word)
    else:
        chars = [
            data.draw(st.sampled_from([char, *LEET.get(char.lower(), "")])) if index else char
            for index, char in enumerate(word)
        ]
        disguised = "".join(chars)
    # When it is judged
    verdict = evaluate(POLICY, body=body.replace(word, disguised), name="Ada")
    # Then it is still held as a threat
    assert "threat" in {hit.rule for hit in verdict.hits}, (disguised, verdict.hits)
