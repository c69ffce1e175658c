"""What a comment form may send, and what a reader is shown."""

import pytest
from comments.api.http import validation_details
from comments.domain.models import Comment, StoredComment
from comments.domain.requests import CommentDraft
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

GOOD = {"name": "Ada", "email": "ada@example.org", "body": "Well argued."}


def test_a_good_draft_is_accepted_with_the_name_trimmed():
    draft = CommentDraft.model_validate({**GOOD, "name": "  Ada Lovelace  "})
    assert draft.name == "Ada Lovelace" and draft.parentId is None


def test_unknown_fields_are_ignored():
    assert CommentDraft.model_validate({**GOOD, "remember": True}).body == "Well argued."


@pytest.mark.parametrize("field, value", [("name", 5), ("email", None), ("body", ["x"]), ("parentId", 1)])
def test_wrong_types_are_refused_not_coerced(field, value):
    with pytest.raises(ValidationError):
        CommentDraft.model_validate({**GOOD, field: value})


@pytest.mark.parametrize("ch", ["\x00", "\x1b", "\r", "\x7f", "\x85", "\u202e", "\u2066"])
def test_control_characters_are_refused_in_the_body(ch):
    with pytest.raises(ValidationError):
        CommentDraft.model_validate({**GOOD, "body": f"a{ch}b"})


def test_tab_and_newline_are_allowed_in_the_body_but_not_the_name():
    assert CommentDraft.model_validate({**GOOD, "body": "a\tb\nc"}).body == "a\tb\nc"
    with pytest.raises(ValidationError):
        CommentDraft.model_validate({**GOOD, "name": "a\nb"})


def test_lone_surrogates_are_refused():
    with pytest.raises(ValidationError):
        CommentDraft.model_validate({**GOOD, "body": "broken \ud800 text"})


@pytest.mark.parametrize("email", ["plain", "a@", "@example.org", "a b@example.org", "x" * 250 + "@ex.org"])
def test_bad_emails_are_refused(email):
    with pytest.raises(ValidationError):
        CommentDraft.model_validate({**GOOD, "email": email})


def test_validation_details_name_the_field_and_never_echo_the_input():
    with pytest.raises(ValidationError) as info:
        CommentDraft.model_validate({"name": "", "email": "secret@@example.org", "body": "x"})
    details = validation_details(info.value)
    assert {d["field"] for d in details} == {"name", "email"}
    assert "secret" not in repr(details)


def test_the_public_comment_has_exactly_the_contract_fields():
    stored = StoredComment(
        id="01ARZ3NDEKTSV4RRFFQ69G5FAV",
        articleId="a",
        name="Ada",
        body="b",
        createdAt="2026-01-01T00:00:00.000Z",
        status="published",
        authorId="secret-hash",
        clientId="ip-hash",
        verdict="publish",
        policyVersion="1",
        editTokenHash="h",
    )
    public = stored.public().model_dump()
    assert (
        set(public)
        == set(Comment.model_fields)
        == {"id", "articleId", "parentId", "name", "body", "createdAt", "status"}
    )
    assert "secret-hash" not in repr(public) and "ip-hash" not in repr(public)


@given(st.text(max_size=200))
def test_any_text_either_validates_or_raises_a_validation_error(text):
    try:
        CommentDraft.model_validate({**GOOD, "body": text, "name": text[:80] or "x"})
    except ValidationError:
        pass
