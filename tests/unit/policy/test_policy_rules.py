"""Each stateless rule of the contract's policy table, with its defaults."""

import pytest
from comments.policy.model import PolicyHit, Verdict

# --- length --------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "a", "  a  ", "x" * 5001])
def test_a_body_under_2_or_over_5000_characters_is_rejected(fired, body):
    # Given a body that is too short or too long
    # When it is judged
    # Then the length rule rejects it
    assert "length" in fired(body)


@pytest.mark.parametrize("body", ["ok", "x" * 5000])
def test_a_body_of_2_to_5000_characters_passes_the_length_rule(fired, body):
    # Given a body at either limit
    # When it is judged
    # Then the length rule does not fire
    assert "length" not in fired(body)


def test_the_length_message_says_how_long_the_comment_may_be(judge):
    # Given a long comment
    verdict = judge("word " * 1100)
    # When its reasons are read
    (reason,) = [r for r in verdict.reasons() if r.rule == "length"]
    # Then it says the limit and the comment's own length
    assert "5,000" in reason.message and "5,499" in reason.message


# --- suspect terms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["Only an idiot would believe this.", "You are all morons", "What a stupid decision", "Shut up."]
)
def test_an_insult_is_held_for_a_moderator(judge, body):
    # Given a comment with an insult
    # When it is judged
    verdict = judge(body)
    # Then it is held, for the suspect list
    assert verdict.outcome == "hold"
    assert [hit.rule for hit in verdict.hits] == ["suspect_term"]


# --- links -----------------------------------------------------------------------------------

THREE_LINKS = [
    ("urls", "Sources: https://a.example.org/x, https://b.example.org/y and www.c.example.com."),
    ("bare domains", "See example.co.uk, example.com and news.example.org for more."),
    ("urls and bare domains", "Read http://example.org then example.net/page and example.com"),
]


@pytest.mark.parametrize("kind, body", THREE_LINKS, ids=[kind for kind, _ in THREE_LINKS])
def test_more_than_two_links_are_held(judge, kind, body):
    # Given a comment with three links
    # When it is judged
    verdict = judge(body)
    # Then it is held for links, with a span on each
    (hit,) = [hit for hit in verdict.hits if hit.rule == "links"]
    assert verdict.outcome == "hold" and len(hit.spans) == 3


def test_two_links_are_fine(fired):
    # Given two links
    body = "Compare https://example.org/a with example.com/b."
    # When it is judged
    # Then the links rule does not fire
    assert fired(body) == set()


@pytest.mark.parametrize(
    "body",
    [
        "It was the end.Then we left.It was late.Really late.",
        "Node.js and Vue.js are frameworks; so is ASP.",
        "e.g. this, i.e. that, at 9 a.m. or p.m., in the U.S.A. and the U.K.",
        "Pi is 3.14, the deficit 2.5bn, version 1.2.3 ships.",
        "Mr.Smith and St.Louis are not web sites, nor is J.R.R.Tolkien.",
        "Write to ada@example.org, bo@example.org or cy@example.co.uk",
    ],
)
def test_things_that_only_look_like_links_are_not_counted(judge, body):
    # Given dotted words that are not links (or are email addresses)
    # When it is judged
    verdict = judge(body)
    # Then the links rule does not fire
    assert "links" not in {hit.rule for hit in verdict.hits}


@pytest.mark.parametrize(
    "body",
    [
        "Read this: bit.ly/3xYz",
        "Read this: https://bit.ly/3xYz",
        "Read this: http://www.tinyurl.com/abc",
        "Read this: t.co/abc",
        "Read this (https://goo.gl/maps/abc).",
        "Read this: HTTPS://BIT.LY/3XYZ",
    ],
)
def test_a_link_through_a_url_shortener_is_rejected(judge, body):
    # Given a link through a shortener
    # When it is judged
    verdict = judge(body)
    # Then it is rejected for the blocked link
    assert verdict.outcome == "reject"
    assert "blocked_link" in {hit.rule for hit in verdict.hits}


@pytest.mark.parametrize("body", ["See notbit.ly/x", "See bit.ly.example.com/x", "See example.org/bit.ly"])
def test_a_domain_that_only_contains_a_shortener_name_is_not_blocked(fired, body):
    # Given a link that is not on a blocked domain
    # When it is judged
    # Then the blocked link rule does not fire
    assert "blocked_link" not in fired(body)


def test_the_blocked_link_message_names_the_shortener(judge):
    # Given a shortened link
    (hit,) = [h for h in judge("Look: bit.ly/x").hits if h.rule == "blocked_link"]
    # When its message is read
    # Then it names the shortener and says what to do
    assert "bit.ly" in hit.message and "full address" in hit.message


# --- personal information --------------------------------------------------------------------

PERSONAL = [
    ("email", "Write to me at ada.lovelace+news@example.co.uk"),
    ("spelled-out email", "Write to me at ada (at) example (dot) org"),
    ("international UK", "Call me on +44 20 7946 0958 tonight"),
    ("international US", "Call me on +1 (555) 123-4567 tonight"),
    ("international with 00", "Call me on 0044 20 7946 0958 tonight"),
    ("national UK", "Call me on 020 7946 0958 tonight"),
    ("national mobile", "Call me on 07700 900123 tonight"),
    ("national unspaced", "Call me on 0612345678 tonight"),
    ("national in pairs", "Call me on 06 12 34 56 78 tonight"),
    ("North American", "Call me on 555-123-4567 tonight"),
    ("North American with brackets", "Call me on (555) 123-4567 tonight"),
]


@pytest.mark.parametrize("kind, body", PERSONAL, ids=[kind for kind, _ in PERSONAL])
def test_an_email_address_or_phone_number_is_held(judge, kind, body):
    # Given a comment with contact details
    # When it is judged
    verdict = judge(body)
    # Then it is held for personal information
    assert verdict.outcome == "hold"
    assert [hit.rule for hit in verdict.hits] == ["personal_info"]


NOT_PERSONAL = [
    ("years", "The war of 1939-1945 changed everything"),
    ("a big number", "Some 3,000,000 people voted"),
    ("a spaced number", "Some 12 345 678 people voted"),
    ("an ISO date", "Published 2024-01-15, updated 2024-02-01"),
    ("a date with a time", "Published 01.02.2024 10:30, updated 15/01/2024"),
    ("prices", "It costs $1,500.00 or \u00a31,299.99"),
    ("a list of years", "in 2020, 2021, 2022 and 2023"),
    ("a count from zero", "0 10 20 30 40 50 60"),
    ("an ISBN", "ISBN 978-0-13-110362-7"),
    ("a decimal", "Pi is 3.14159265"),
    ("the word at", "Look at the figures, at last"),
]


@pytest.mark.parametrize("kind, body", NOT_PERSONAL, ids=[kind for kind, _ in NOT_PERSONAL])
def test_numbers_that_are_not_phone_numbers_are_fine(fired, kind, body):
    # Given years, dates, prices and counts
    # When it is judged
    # Then personal information does not fire
    assert "personal_info" not in fired(body)


def test_the_personal_info_message_says_what_was_found(judge):
    # Given both kinds of contact details
    (hit,) = judge("Mail ada@example.org or call 020 7946 0958").hits
    # When the message is read
    # Then it names both, and the spans point at them
    assert "an email address and a phone number" in hit.message
    assert len(hit.spans) == 2


# --- shouting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "THIS IS THE WORST ARTICLE I HAVE EVER READ",
        "STOP THE BUILDING WORK NOW, it is bad",
        "ЭТО САМАЯ ХУДШАЯ СТАТЬЯ КОТОРУЮ Я ЧИТАЛ",
        "ABCDEFGHIJKLMNO abcde",  # 15 of 20 letters: 75%
    ],
)
def test_a_comment_mostly_in_capitals_is_held(judge, body):
    # Given at least 20 letters, over 70% of them capitals
    # When it is judged
    verdict = judge(body)
    # Then it is held for shouting
    assert verdict.outcome == "hold"
    assert [hit.rule for hit in verdict.hits] == ["shouting"]


@pytest.mark.parametrize(
    "body",
    [
        "NASA and the BBC said the EU and the UN agree.",
        "OK THEN",  # under 20 letters
        "ABCDEFGHIJKLMN abcdef",  # 14 of 20 letters: exactly 70%
        "I PAID 1000000000000000000000 POUNDS",  # digits are not letters
    ],
)
def test_capitals_short_of_the_threshold_are_fine(fired, body):
    # Given too few letters or not enough of them capitals
    # When it is judged
    # Then shouting does not fire
    assert "shouting" not in fired(body)


# --- repetition ------------------------------------------------------------------------------

REPEATED = [
    ("a letter 10 times", "Nooooooooooo, not again"),
    ("punctuation 10 times", "Really!!!!!!!!!! Why?"),
    ("an emoji 10 times", "Great " + "\U0001f602" * 10),
    ("a word 8 times in a row", "spam spam spam spam spam spam spam spam and eggs"),
    ("a word 8 times with punctuation", "No, no, no, no, no, no, no, no. I disagree."),
    ("one word making up most of the body", "buy buy now, buy cheap, buy"),
]


@pytest.mark.parametrize("kind, body", REPEATED, ids=[kind for kind, _ in REPEATED])
def test_repetition_is_held(judge, kind, body):
    # Given a character or word repeated past the threshold
    # When it is judged
    verdict = judge(body)
    # Then it is held for repetition
    assert verdict.outcome == "hold"
    assert [hit.rule for hit in verdict.hits] == ["repetition"]


NOT_REPEATED = [
    ("a letter 9 times", "Nooooooooo, not again"),
    ("spaces", "Paragraph one.\n\n\n\n\n\n\n\n\n\n\n\nParagraph two, with          gaps."),
    (
        "a word 7 times in a longer comment",
        "ha ha ha ha ha ha ha, that was a very funny and clever article indeed",
    ),
    ("common words", "The cat and the dog and the bird and the fish went to the park with the children."),
    ("a short comment", "yes yes yes"),
]


@pytest.mark.parametrize("kind, body", NOT_REPEATED, ids=[kind for kind, _ in NOT_REPEATED])
def test_ordinary_repetition_is_fine(fired, kind, body):
    # Given repetition short of the thresholds
    # When it is judged
    # Then repetition does not fire
    assert "repetition" not in fired(body)


def test_the_repetition_span_points_at_the_run(judge):
    # Given a run of one character
    body = "We" + "l" * 12 + " said"
    (hit,) = judge(body).hits
    # When its span is read
    # Then it covers the run
    assert [body[start:end] for start, end in hit.spans] == ["l" * 12]


# --- display names ---------------------------------------------------------------------------

RESERVED_NAMES = [
    "admin",
    "Administrator",
    "Moderator",
    "The Moderator",
    "mod",
    "Staff",
    "Editor",
    "Site editors",
    "Adm1n",
    "M0derator",
    "SiteAdmin",
    "admin123",
    "A.d.m.i.n",
    "\uff21\uff24\uff2d\uff29\uff2e",
    "Аdmin",
    "Moderator_Jane",
    "Editor-in-chief",
]


@pytest.mark.parametrize("name", RESERVED_NAMES)
def test_a_reserved_name_is_rejected(judge, name):
    # Given a display name posing as the site's staff
    # When the comment is judged
    verdict = judge("A fair article.", name=name)
    # Then it is rejected for the name, pointing at the name
    assert verdict.outcome == "reject"
    (hit,) = verdict.hits
    assert hit.rule == "name" and hit.field == "name" and hit.spans


@pytest.mark.parametrize("name", ["Fuck Face", "sh1thead", "ShitLord", "\uff46\uff55\uff43\uff4b"])
def test_a_name_with_a_blocked_word_is_rejected(judge, name):
    # Given a display name with a blocked word
    # When the comment is judged
    verdict = judge("A fair article.", name=name)
    # Then it is rejected for the name
    assert [hit.rule for hit in verdict.hits] == ["name"]
    assert "swearing" in verdict.hits[0].message


@pytest.mark.parametrize("name", ["www.spam.example", "Visit cheap-pills.com", "https://spam.example/x"])
def test_a_name_with_a_link_is_rejected(judge, name):
    # Given a display name with a web address
    # When the comment is judged
    verdict = judge("A fair article.", name=name)
    # Then it is rejected for the name
    assert [hit.rule for hit in verdict.hits] == ["name"]
    assert "web address" in verdict.hits[0].message


@pytest.mark.parametrize(
    "name",
    [
        "Ada Lovelace",
        "Badminton fan",
        "Modest Mussorgsky",
        "Staffordshire Terrier",
        "Moderna shareholder",
        "Dick Smith",
        "José Müller",
        "李雷",
        "Editha",
        "J.R.R. Tolkien",
        "",
    ],
)
def test_an_ordinary_name_is_fine(fired, name):
    # Given an ordinary display name
    # When the comment is judged
    # Then nothing fires
    assert fired("A fair article.", name=name) == set()


# --- verdicts --------------------------------------------------------------------------------


def test_a_clean_comment_is_published_with_the_policy_version(judge, policy):
    # Given a clean comment
    # When it is judged
    verdict = judge("A thoughtful piece, thank you.")
    # Then it is published, with no hits, under the policy's version
    assert (verdict.outcome, verdict.hits, verdict.policy_version) == ("publish", [], policy.version)


def test_every_rule_that_fires_is_reported_and_reject_wins(judge):
    # Given a comment that breaks several rules at once
    body = "WHAT A LOAD OF SHIT FROM THESE IDIOTS, SEE BIT.LY/X, WWW.A.COM, WWW.B.COM, MAIL ME@EXAMPLE.ORG"
    # When it is judged
    verdict = judge(body, name="admin")
    # Then every rule is reported, in the contract's order, and the outcome is reject
    assert [hit.rule for hit in verdict.hits] == [
        "profanity",
        "suspect_term",
        "links",
        "blocked_link",
        "personal_info",
        "shouting",
        "name",
    ]
    assert verdict.outcome == "reject"


def test_hold_wins_over_publish(judge):
    # Given comments that only break hold rules
    verdict = judge("You idiot, call 020 7946 0958")
    # When they are judged
    # Then the outcome is hold, with both reasons
    assert verdict.outcome == "hold"
    assert [r.rule for r in verdict.reasons()] == ["suspect_term", "personal_info"]


def test_reasons_carry_only_the_rule_and_the_message(judge):
    # Given a held comment
    verdict = judge("You idiot")
    # When its reasons are dumped as the contract's Reason
    # Then each has exactly rule and message
    assert [r.model_dump() for r in verdict.reasons()] == [
        {"rule": "suspect_term", "message": verdict.hits[0].message}
    ]


def test_with_hits_adds_a_stateful_hit_and_recomputes_the_outcome(judge):
    # Given a published verdict and a held one
    clean, held = judge("A fair article."), judge("You idiot")
    premoderated = PolicyHit(rule="premoderation", verdict="hold", message="Checked first.")
    banned = PolicyHit(rule="banned_author", verdict="reject", message="Banned.")
    # When stateful hits are added
    # Then the outcome follows the worst hit, and the earlier hits stay
    assert clean.with_hits([premoderated]).outcome == "hold"
    assert [h.rule for h in held.with_hits([banned]).hits] == ["suspect_term", "banned_author"]
    assert held.with_hits([banned]).outcome == "reject"


def test_a_verdict_whose_outcome_does_not_follow_from_its_hits_is_refused():
    # Given a reject hit
    hit = PolicyHit(rule="profanity", verdict="reject", message="Remove it.")
    # When a verdict claims it was published anyway
    # Then the model refuses it
    with pytest.raises(ValueError, match="does not follow"):
        Verdict(outcome="publish", hits=[hit], policy_version="1")


@pytest.mark.parametrize(
    "body",
    [
        "You f*cking idiot",
        "Call 020 7946 0958",
        "SHOUT SHOUT SHOUT SHOUT SHOUT",
        "bit.ly/x",
        "x",
        "aaaaaaaaaaaa",
    ],
)
def test_every_message_is_plain_words_without_placeholders(judge, body):
    # Given a comment that fires rules
    # When its reasons are read
    reasons = judge(body, name="Adm1n").reasons()
    # Then each message is a sentence with nothing left to fill in
    assert reasons
    for reason in reasons:
        assert reason.message[0].isupper() and reason.message.endswith(".")
        assert "{" not in reason.message and "}" not in reason.message
