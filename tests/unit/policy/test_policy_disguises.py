"""Blocked words are caught however they are disguised, and never inside innocent words."""

import pytest

# Every kind of disguise, on common swear words (the slurs stay in the data file; they are
# checked below by reading the list itself).
DISGUISED = [
    ("plain", "What utter shit."),
    ("capitals", "What utter SHIT."),
    ("mixed case", "What utter ShIt."),
    ("leetspeak digit", "What utter sh1t."),
    ("leetspeak at-sign", "Kiss my @ss."),
    ("leetspeak dollars", "You utter a$$hole."),
    ("leetspeak throughout", "$h1t happens"),
    ("leetspeak exclamation", "sh!t happens"),
    ("masked letter", "You f*cking liar."),
    ("masked letters", "f**k this"),
    ("masked with hash", "sh#t happens"),
    ("dots between letters", "f.u.c.k off"),
    ("spaces between letters", "f u c k off"),
    ("hyphens between letters", "f-u-c-k off"),
    ("underscores between letters", "f_u_c_k off"),
    ("spaced out, then joined", "f u c king hell"),
    ("spaced out with an ending", "s h i t t y service"),
    ("stretched letters", "fuuuuuuck"),
    ("stretched capitals", "SHIIIIIT"),
    ("stretched ending", "fuckinggggg hell"),
    ("Cyrillic look-alike letter", "ѕhit happens"),
    ("Cyrillic look-alike first letter", "аss"),
    ("Greek capitals", "ΒΙΤCΗ"),
    ("full-width letters", "\uff46\uff55\uff43\uff4b"),
    ("mathematical bold letters", "\U0001d41f\U0001d42e\U0001d41c\U0001d424"),
    ("circled letters", "\u24d5\u24e4\u24d2\u24da"),
    ("zero-width space", "fu\u200bck"),
    ("zero-width joiner", "sh\u200dit"),
    ("soft hyphen", "fu\u00adck"),
    ("word joiner", "c\u2060unt"),
    ("bidi override", "fu\u202eck"),
    ("combining strike-through", "f\u0336u\u0336c\u0336k\u0336"),
    ("accented letter", "fück"),
    ("decomposed accent", "fu\u0308ck"),
    ("inflection -ing", "fucking"),
    ("inflection -er", "fucker"),
    ("inflection -ed", "fucked up"),
    ("inflection -s", "he fucks up"),
    ("inflection -y with doubled letter", "shitty"),
    ("compound", "motherfuckers"),
    ("end of a sentence", "That is shit!"),
    ("in brackets", "(shit)"),
    ("between Chinese characters", "我说fuck你"),
    ("a phrase", "He called him a porch monkey."),
    ("a phrase, spaced oddly", "porch    monkey"),
]


@pytest.mark.parametrize("kind, body", DISGUISED, ids=[kind for kind, _ in DISGUISED])
def test_a_disguised_blocked_word_is_rejected(judge, kind, body):
    # Given a comment with a blocked word disguised this way
    # When the policy judges it
    verdict = judge(body)
    # Then it is rejected for profanity
    assert verdict.outcome == "reject"
    assert "profanity" in {hit.rule for hit in verdict.hits}


INNOCENT_WORDS = [
    "Scunthorpe",
    "assassin",
    "class",
    "cocktail",
    "Dickens",
    "Sussex",
    "therapist",
    "shiitake",
    "Matsushita",
    "Arsenal",
    "cumulative",
    "harassment",
    "classic",
    "passage",
    "grape",
    "Essex",
    "Middlesex",
    "analyst",
    "hello",
    "skills",
    "document",
    "Penistone",
    "Shitterton",
    "Cockburn",
    "Clitheroe",
    "Cumnock",
    "Twatt",
    "raccoon",
    "Pakistan",
    "niggardly",
    "scrapbook",
    "buttress",
    "shuttlecock",
    "bassist",
    "Hancock",
    "peacock",
    "title",
    "Titicaca",
    "assume",
    "pushover",
    "specialist",
    "therapists",
    "Twitter",
    "shilling",
    "cocky",
    "pricked",
    "dumbed down",
    "Shiite",
    "Shiites",
    "assess",
    "looser",
    "Pratt",
    "retarding",
    "Fagin",
    "japes",
    "fagged out",
    "chinked",
    "dicker",
    "Dikshit",
    "Assad",
    "Cumberbatch",
    "Wankel",
]


@pytest.mark.parametrize("word", INNOCENT_WORDS)
def test_an_innocent_word_that_contains_a_listed_one_is_published(judge, word):
    # Given a sentence with an ordinary word that happens to contain a listed one
    body = f"I wrote about {word} in my last letter to the editor."
    # When the policy judges it
    verdict = judge(body)
    # Then nothing fires
    assert verdict.outcome == "publish", verdict.hits


INNOCENT_SENTENCES = [
    ("a hell of a game", "That was a hell of a game, and a fair result."),
    ("Latin honours", "She graduated magna cum laude in 1998."),
    ("British slang", "The whole launch was a cock-up from start to finish."),
    ("an allowlisted phrase", "It was a knee-jerk reaction by the council."),
    ("a band in the news", "Members of Pussy Riot were detained again."),
    ("birds", "Blue tits and great tits nest in our garden."),
    ("a novel", "Moby Dick is a long book, but worth it."),
    ("an armour", "That is the chink in the armour of the whole plan."),
    ("a cat breed", "Our Maine Coon sleeps all day."),
    ("Russian", "Привет всем, как дела? Это хорошая статья."),
    ("Russian with look-alike words", "Сок, сосок и кок \u2014 это слова."),
    ("Chinese", "你好\uff0c这是一篇很好的文章\u3002"),
    ("Greek", "Αυτό είναι ένα καλό άρθρο."),
    ("Greek capitals", "ΕΛΛΑΔΑ ΚΑΙ ΚΥΠΡΟΣ"),
    ("Arabic", "مرحبا\u060c هذا مقال جيد."),
    ("emoji", "Great article \U0001f44d\U0001f3fd \u2764\ufe0f \U0001f468\u200d\U0001f469\u200d\U0001f467"),
    ("numbers", "455 people came; 1939-1945 saw 3,000,000 deaths; it cost $1,500.00."),
    ("single letters", "Was I a fool? Plan B a success?"),
    ("typographic quotes", "\u201cIt\u2019s fine,\u201d she said \u2014 and it was\u2026"),
]


@pytest.mark.parametrize("kind, body", INNOCENT_SENTENCES, ids=[kind for kind, _ in INNOCENT_SENTENCES])
def test_innocent_text_is_published(judge, kind, body):
    # Given an innocent comment, in English or another script
    # When the policy judges it
    verdict = judge(body)
    # Then it is published
    assert verdict.outcome == "publish", verdict.hits


def test_look_alike_letters_count_in_english_text_but_not_in_text_of_their_own_script(judge):
    # Given one word spelt in Cyrillic letters that look like "shit"
    cyrillic_word = "ѕһіт"
    # When it stands in an English sentence, and in a Cyrillic one
    in_english = judge(f"This is {cyrillic_word} and everyone knows it")
    in_cyrillic = judge(f"Это {cyrillic_word} и все это знают")
    # Then it is a disguise in the first and an ordinary word in the second
    assert in_english.outcome == "reject"
    assert in_cyrillic.outcome == "publish"


def test_every_term_on_the_blocked_list_is_rejected_when_written_plainly(policy, fired):
    # Given the shipped blocked list
    terms = [term.removesuffix("+") for term in policy.rules.profanity.terms]
    # When each term is judged on its own in a sentence
    missed = [term for term in terms if "profanity" not in fired(f"You are a {term} ok")]
    # Then none is missed
    assert missed == []


def test_every_term_on_the_suspect_list_is_held_when_written_plainly(policy, fired):
    # Given the shipped suspect list
    terms = [term.removesuffix("+") for term in policy.rules.suspect_term.terms]
    # When each term is judged on its own in a sentence
    # Then each is held for a moderator
    missed = [term for term in terms if "suspect_term" not in fired(f"You are a {term} ok")]
    assert missed == []


def test_the_message_names_the_word_to_remove_without_spelling_a_slur_out(policy, judge):
    # Given every blocked term, written plainly
    terms = [term.removesuffix("+") for term in policy.rules.profanity.terms]
    for term in terms:
        # When it is judged
        hit = next(h for h in judge(f"oh {term} ok").hits if h.rule == "profanity")
        # Then the message shows it masked: its first letter only
        assert term not in hit.message.lower()
        assert "\u201c" + term[0] in hit.message


def test_the_span_points_at_the_disguised_word_in_the_original_text(judge):
    # Given a disguised word in the middle of a comment
    body = "Honestly, you f*cking clown."
    # When it is judged
    (hit,) = [h for h in judge(body).hits if h.rule == "profanity"]
    # Then its span is the word as written
    assert [body[start:end] for start, end in hit.spans] == ["f*cking"]


def test_the_span_covers_invisible_characters_inside_the_word(judge):
    # Given a word broken up by zero-width characters, after a non-ASCII word
    body = "Café talk: s\u200bh\u200bi\u200bt"
    # When it is judged
    (hit,) = [h for h in judge(body).hits if h.rule == "profanity"]
    # Then the span runs from its first to its last letter in the original
    assert [body[start:end] for start, end in hit.spans] == ["s\u200bh\u200bi\u200bt"]


def test_every_blocked_word_in_a_comment_is_reported(judge):
    # Given two different blocked words
    body = "shit and more shit, fuck it"
    # When it is judged
    (hit,) = [h for h in judge(body).hits if h.rule == "profanity"]
    # Then each occurrence has a span, and the message names each word once
    assert len(hit.spans) == 3
    assert hit.message.count("\u201cs***\u201d") == 1 and "\u201cf***\u201d" in hit.message
