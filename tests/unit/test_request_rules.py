"""What /openapi.json says a request may hold is exactly what the functions accept: each rule is
published from the same pydantic models (and patterns) the functions validate with, and read
here by an independent JSON Schema engine (jsonschema_rs, ECMA-262 regular expressions, as
schemathesis and most clients read them), which must agree with the server on any text."""

import json

import jsonschema_rs
import pytest
from comments.api.submit import IDEMPOTENCY_KEY_PATTERN, idempotency_key
from comments.domain.constraints import EMAIL_PATTERN
from comments.domain.errors import BadRequest
from comments.domain.models import ArticleSettings
from comments.domain.reading import COUNT_IDS_PATTERN, comment_counts
from comments.domain.requests import CommentDraft, DecisionIn, EditIn, ReleaseIn, ReportIn
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

GOOD = {"name": "Ada", "email": "ada@example.org", "body": "Well argued.", "editToken": "t"}
# Text with what the rules are about: controls, bidi marks, white space of every kind, letters.
TRICKY = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(
            "\t\n\r\x0b\x0c\x1c\x1f\x7f\x85\x9f\xa0\u1680\u2000\u2028\u202e\u2066\u3000\ufeff @.-"
        ),
    ),
    max_size=90,
)


def accepted(model: type[BaseModel], field: str, value: object, base: dict | None = None) -> bool:
    try:
        model.model_validate({**(base if base is not None else GOOD), field: value})
    except ValidationError as exc:
        assert all(e["loc"][0] == field for e in exc.errors()), exc.errors()
        return False
    return True


def published(model: type[BaseModel], field: str):
    schema = model.model_json_schema()["properties"][field]
    return jsonschema_rs.validator_for(schema)


FIELDS = [
    (CommentDraft, "name", GOOD),
    (CommentDraft, "body", GOOD),
    (CommentDraft, "email", GOOD),
    (EditIn, "body", GOOD),
    (ReportIn, "reason", {}),
    (DecisionIn, "note", {"decision": "approve"}),
    (DecisionIn, "claim", {"decision": "approve"}),
    (ReleaseIn, "claim", {}),
    (ArticleSettings, "opened_at", {}),
]


@pytest.mark.parametrize(("model", "field", "base"), FIELDS, ids=lambda v: v if isinstance(v, str) else "")
@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(text=TRICKY)
@example(text="   ")
@example(text="Ada\n")
@example(text="a")
@example(text="")
def test_the_published_rule_and_the_server_agree_on_any_text(model, field, base, text):
    assert published(model, field).is_valid(text) == accepted(model, field, text, base), repr(text)


@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.from_regex(EMAIL_PATTERN.removesuffix("$") + r"\Z"))
def test_every_address_the_published_pattern_allows_email_validator_accepts(address):
    from email_validator import validate_email

    if len(address) <= 254:
        validate_email(address.strip(" "), check_deliverability=False)  # raises if it refuses
        assert accepted(CommentDraft, "email", address)


@pytest.mark.parametrize(
    "address",
    [
        "a@b.test",
        "a@b.test  ",
        "a@b.LOCAL",
        "a@ab--c.org",
        "\ta@b.org",
        "a@b.org\n",
        "a@xn--abc.org",
        "a@-b.org",
        "a@b.c1",
        "a..b@c.org",
        "é@b.org",
    ],
)
def test_addresses_email_validator_refuses_are_outside_the_pattern(address):
    assert not published(CommentDraft, "email").is_valid(address)
    assert not accepted(CommentDraft, "email", address)


def test_spaces_around_an_email_are_not_part_of_it():
    assert published(CommentDraft, "email").is_valid("  Ada@Example.org ")
    draft = CommentDraft.model_validate({**GOOD, "email": "  Ada@Example.org "})
    assert draft.email == "Ada@Example.org"


def test_one_character_is_a_valid_body_that_the_policy_judges():
    # Validation accepts any body with a visible character; the policy's length rule (data an
    # operator may change) rejects one under 2 characters as a verdict: 422 policy_violation.
    assert accepted(CommentDraft, "body", "a") and published(CommentDraft, "body").is_valid("a")


def test_an_empty_claim_is_refused_by_both():
    assert not accepted(DecisionIn, "claim", "", {"decision": "approve"})
    assert not published(DecisionIn, "claim").is_valid("")


@pytest.mark.parametrize("value", [5.0, 3650])
def test_json_integers_with_no_fraction_are_integers(value):
    assert accepted(DecisionIn, "banDays", value, {"decision": "approve"})
    assert published(DecisionIn, "banDays").is_valid(value)


@pytest.mark.parametrize("value", ["5", True, 5.5, 0, 3651])
def test_anything_else_is_not(value):
    assert not accepted(DecisionIn, "banDays", value, {"decision": "approve"})
    assert not published(DecisionIn, "banDays").is_valid(value)


class _NoStore:
    def counts(self, ids):
        return dict.fromkeys(ids, 0)


@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.one_of(st.from_regex(COUNT_IDS_PATTERN.removesuffix("$") + r"\Z"), TRICKY))
@example("a,,b")
@example("a,")
@example(",".join(f"a{i}" for i in range(101)))
def test_comment_count_ids_follow_the_published_pattern(ids):
    valid = jsonschema_rs.validator_for({"type": "string", "pattern": COUNT_IDS_PATTERN}).is_valid(ids)
    try:
        comment_counts(_NoStore(), ids)
        served = True
    except BadRequest:
        served = False
    assert served == valid, repr(ids)


def test_comment_count_ids_are_required():
    with pytest.raises(BadRequest):
        comment_counts(_NoStore(), None)


@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.one_of(st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=70), TRICKY))
@example("a,b")
@example(" ")
@example("")
def test_idempotency_keys_follow_the_published_pattern(key):
    valid = jsonschema_rs.validator_for({"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}).is_valid(key)
    try:
        idempotency_key({"Idempotency-Key": key})
        served = True
    except BadRequest:
        served = False
    assert served == valid, repr(key)


def test_the_document_carries_the_models_rules():
    from comments_dev import openapi

    doc = json.dumps(openapi.document())
    for pattern in (EMAIL_PATTERN, COUNT_IDS_PATTERN, IDEMPOTENCY_KEY_PATTERN):
        assert json.dumps(pattern) in doc
    counts = openapi.document()["paths"]["/articles/comment-counts"]["get"]["parameters"]
    assert [(p["name"], p["required"]) for p in counts] == [("ids", True)]


SITE_ORIGINS = ("https://news.example", "https://Mirror-2.example:8443", "http://127.0.0.1:3000")
PAGE_URLS = st.one_of(
    # URLs near the site's: other ports, cases, user info, look-alike hosts, odd characters
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                [
                    "https://",
                    "http://",
                    "HTTPS://",
                    "news.example",
                    "NEWS.Example",
                    "mirror-2.example",
                    "evil.example",
                    "news.example.evil",
                    "user@",
                    ":",
                    ":443",
                    ":0443",
                    ":8443",
                    ":80",
                    "/",
                    "/a b",
                    "?q=1",
                    "#top",
                    "\\",
                    "%2F",
                    "@",
                    ".",
                    "\u202e",
                    "\t",
                    "é",
                    "127.0.0.1",
                ]
            ),
            max_size=7,
        ),
    ),
    TRICKY.map(lambda tail: "https://news.example/" + tail),
)


@settings(max_examples=500, suppress_health_check=list(HealthCheck), deadline=None)
@given(PAGE_URLS)
@example("https://news.example")
@example("https://news.example:/a")
@example("https://mirror-2.example:08443/x?y")
@example("https://news.example@evil.example/")
def test_a_page_url_is_accepted_exactly_when_the_published_pattern_for_the_site_allows_it(url):
    # Given the site's origins, and the pattern the dev server's /openapi.json publishes for them
    from comments.domain.constraints import PAGE_URL, page_url_pattern

    schema = {"type": "string", **PAGE_URL.keywords(), "pattern": page_url_pattern(SITE_ORIGINS)}
    # When a submission brings this page URL
    draft = {**GOOD, "page": {"title": "The article", "url": url}}
    try:
        CommentDraft.model_validate(draft, context={"origins": list(SITE_ORIGINS)})
        served = True
    except ValidationError:
        served = False
    # Then the functions accept it exactly when the published schema does
    assert served == jsonschema_rs.validator_for(schema).is_valid(url), repr(url)


@settings(max_examples=200, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.data())
def test_every_url_the_published_page_pattern_allows_is_accepted(data):
    from comments.domain.constraints import page_url_pattern

    url = data.draw(
        st.from_regex(page_url_pattern(SITE_ORIGINS), fullmatch=True).filter(lambda u: len(u) <= 2048)
    )
    draft = {**GOOD, "page": {"title": "The article", "url": url}}
    CommentDraft.model_validate(draft, context={"origins": list(SITE_ORIGINS)})


def test_with_no_https_origin_no_page_url_is_published_as_allowed():
    from comments.domain.constraints import page_url_pattern

    pattern = page_url_pattern(("http://127.0.0.1:3000",))
    assert not jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(
        "https://127.0.0.1/"
    )
