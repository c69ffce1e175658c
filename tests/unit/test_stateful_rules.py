"""The rules that read an author's record, the honeypot and the classifiers, judged where every
stateful rule joins the engine's verdict (`stateful_rules.judge`), with the author's record as
moderators' decisions build it (`trust.AuthorRecord`)."""

import pytest
from comments.domain.classifiers import Finding, Screened
from comments.domain.models import ArticleSettings
from comments.domain.ports import SubmissionState
from comments.domain.stateful_rules import judge
from comments.domain.trust import KEEP, AuthorRecord, Decided
from comments.policy.engine import default_policy, parse_policy

NOW = 1_800_000_000
DAY = 86400
CALM = "A calm remark about the council's budget."
LINKS = "See https://a.example.org https://b.example.org https://c.example.org"


def record(*outcomes: str, start: int = NOW - 30 * DAY) -> AuthorRecord:
    """An author's record after these decisions ("a" approved, "r" rejected), a day apart."""
    author = AuthorRecord()
    for n, outcome in enumerate(outcomes):
        author = author.with_decision(
            Decided(f"c{n}", "approved" if outcome == "a" else "rejected", start + n * DAY)
        )
    return author


def state(author: AuthorRecord | None = None, **settings) -> SubmissionState:
    return SubmissionState(
        settings=ArticleSettings(**settings), banned=False, duplicate_of=None, author=author or AuthorRecord()
    )


def verdict_of(body: str = CALM, policy=None, **kwargs):
    judged = judge(
        policy or default_policy(),
        kwargs.pop("state", state()),
        body=body,
        name="Robin",
        now_epoch=NOW,
        **kwargs,
    )
    return judged.outcome, [h.rule for h in judged.hits]


# --- the author's record ------------------------------------------------------------------------


def test_a_record_counts_each_comment_once_with_its_latest_outcome():
    # Given a comment approved, then (sent back by readers) rejected
    author = record("a")
    author = author.with_decision(Decided("c0", "rejected", NOW))
    # Then it counts once, as rejected, and the same decision again changes nothing
    assert (author.approved, author.rejected, author.last_rejected_at) == (0, 1, NOW)
    assert author.with_decision(Decided("c0", "rejected", NOW)) == author


def test_a_record_keeps_the_latest_outcomes_only():
    author = record(*("r" * 5 + "a" * (KEEP + 5)))
    assert len(author.recent) == KEEP and author.rejected_of_last(5) == (0, 5)
    assert (author.approved, author.rejected) == (KEEP + 5, 5)


def test_a_stored_record_reads_back_and_a_malformed_one_reads_as_new():
    author = record("a", "r", "a")
    assert AuthorRecord.from_stored(author.stored()) == author
    assert AuthorRecord.from_stored({"approved": "many", "recent": [{"x": 1}]}) == AuthorRecord()


# --- new_author ---------------------------------------------------------------------------------


def test_new_writers_are_not_held_by_default():
    assert verdict_of() == ("publish", [])


@pytest.mark.parametrize(
    ("site", "article", "approved", "held"),
    [
        (2, None, 1, True),  # the site's threshold
        (2, None, 2, False),
        (0, 1, 0, True),  # an article's own, with the site's off
        (3, 0, 0, False),  # an article that turns it off
        (1, 3, 2, True),  # an article stricter than the site
    ],
)
def test_new_writers_are_held_until_enough_comments_were_approved(site, article, approved, held):
    # Given the site's threshold, an article's own (None: the site's), and the writer's approvals
    policy = parse_policy(
        f'{{"version": "n", "rules": {{"new_author": {{"newAuthorPremoderation": {site}}}}}}}'
    )
    author = record(*"a" * approved)
    # When the writer submits a calm comment
    outcome, rules = verdict_of(policy=policy, state=state(author, newAuthorPremoderation=article))
    # Then it is held for being new exactly while approvals are short of the threshold
    assert (outcome, rules) == (("hold", ["new_author"]) if held else ("publish", []))


def test_the_new_author_message_says_how_many_approvals_it_takes():
    judged = judge(default_policy(), state(newAuthorPremoderation=3), body=CALM, name="Robin", now_epoch=NOW)
    [reason] = judged.reasons()
    assert reason.rule == "new_author" and "until 3 of them have been approved" in reason.message


def test_an_article_setting_that_is_not_a_count_is_refused_and_a_stored_one_ignored():
    from pydantic import ValidationError

    for bad in (-1, 1001, "2", True, 1.5):
        with pytest.raises(ValidationError):
            ArticleSettings(newAuthorPremoderation=bad)
    assert ArticleSettings.from_stored({"newAuthorPremoderation": "x", "closed": True}) == ArticleSettings(
        closed=True
    )


# --- author_history -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "held"),
    [
        ("rrr", True),
        ("rrar", True),
        ("rrraa", True),  # 3 of the last 5
        ("rrraaa", False),  # 2 of the last 5
        ("rr", False),
        ("aaaaarr", False),
        ("", False),
    ],
)
def test_a_writer_is_held_when_most_of_their_recent_moderated_comments_were_rejected(outcomes, held):
    outcome, rules = verdict_of(state=state(record(*outcomes)))
    assert (outcome, rules) == (("hold", ["author_history"]) if held else ("publish", []))


def test_the_history_rule_follows_its_data():
    # Given a policy holding at 2 of the last 3, and one with the rule off
    strict = parse_policy('{"version": "h", "rules": {"author_history": {"recent": 3, "rejected": 2}}}')
    off = parse_policy('{"version": "o", "rules": {"author_history": {"enabled": false}}}')
    author = record("a", "a", "r", "a", "r")
    # Then each says what its data says
    assert verdict_of(policy=strict, state=state(author)) == ("hold", ["author_history"])
    assert verdict_of(policy=off, state=state(record("r", "r", "r"))) == ("publish", [])
    with pytest.raises(ValueError, match="must not be more than"):
        parse_policy('{"version": "x", "rules": {"author_history": {"recent": 2, "rejected": 3}}}')


# --- trusted authors ----------------------------------------------------------------------------


def test_a_trusted_writer_has_links_and_shouting_published():
    trusted = record(*"aaaaa")
    assert verdict_of(LINKS, state=state(trusted)) == ("publish", [])
    assert verdict_of("THE COUNCIL GOT THIS BUDGET WRONG AGAIN", state=state(trusted)) == ("publish", [])
    # and a writer one approval short is held for them
    assert verdict_of(LINKS, state=state(record(*"aaaa"))) == ("hold", ["links"])


def test_trust_never_waives_a_hold_the_policy_does_not_name_nor_a_rejection():
    trusted = record(*"aaaaa")
    assert verdict_of("Call me on 020 7946 0958.", state=state(trusted)) == ("hold", ["personal_info"])
    assert verdict_of(f"{LINKS} You idiot.", state=state(trusted)) == ("hold", ["suspect_term"])
    assert verdict_of(f"{LINKS} What shit.", state=state(trusted))[0] == "reject"
    assert verdict_of(LINKS, state=state(trusted, premoderation=True)) == ("hold", ["premoderation"])


def test_a_rejection_within_the_clean_period_ends_trust():
    recent_reject = record(*"aaaaaar", start=NOW - 20 * DAY)
    long_ago = record(*"raaaaa", start=NOW - 200 * DAY)
    assert verdict_of(LINKS, state=state(recent_reject)) == ("hold", ["links"])
    assert verdict_of(LINKS, state=state(long_ago)) == ("publish", [])


def test_soft_holds_are_data_and_a_reject_or_an_author_rule_cannot_be_made_soft():
    policy = parse_policy(
        '{"version": "t", "trusted_authors": {"min_approved": 2, "soft_holds": ["personal_info"]}}'
    )
    assert verdict_of("Call me on 020 7946 0958.", policy=policy, state=state(record("a", "a"))) == (
        "publish",
        [],
    )
    assert verdict_of(LINKS, policy=policy, state=state(record("a", "a"))) == ("hold", ["links"])
    for bad in ("profanity", "premoderation", "author_history", "no_such_rule"):
        with pytest.raises(ValueError, match="soft_holds"):
            parse_policy(f'{{"version": "b", "trusted_authors": {{"soft_holds": ["{bad}"]}}}}')


# --- the honeypot and the classifiers -----------------------------------------------------------


def test_a_filled_honeypot_holds_the_comment_as_spam_with_words_a_person_can_read():
    judged = judge(default_policy(), state(), body=CALM, name="Robin", now_epoch=NOW, honeypot=True)
    [reason] = judged.reasons()
    assert judged.outcome == "hold" and reason.rule == "spam"
    assert "autofill" in reason.message and "Nothing else is needed" in reason.message
    off = parse_policy('{"version": "h", "rules": {"honeypot": {"enabled": false}}}')
    assert verdict_of(policy=off, honeypot=True) == ("publish", [])


def test_what_the_classifiers_found_becomes_a_hold_with_their_labels_as_words():
    screened = Screened(
        (
            Finding("toxicity", True, ("INSULT", "HARASSMENT_OR_ABUSE", "SOMETHING_NEW")),
            Finding("akismet", True, said="spam"),
        )
    )
    judged = judge(default_policy(), state(), body=CALM, name="Robin", now_epoch=NOW, screened=screened)
    toxicity, akismet = judged.reasons()
    assert judged.outcome == "hold"
    assert (toxicity.rule, akismet.rule) == ("toxicity", "akismet")
    assert "insults, harassment or abuse and something new" in toxicity.message
    assert "spam filter" in akismet.message


def test_a_classifier_that_did_not_flag_or_whose_rule_is_off_adds_nothing():
    said_ham = Screened((Finding("akismet", False, said="ham"), Finding("toxicity", False)))
    off = parse_policy('{"version": "c", "rules": {"toxicity": {"enabled": false}}}')
    flagged = Screened((Finding("toxicity", True, ("INSULT",)),))
    assert verdict_of(screened=said_ham) == ("publish", [])
    assert verdict_of(policy=off, screened=flagged) == ("publish", [])
    assert said_ham.kept() == {"akismet": "ham"}
