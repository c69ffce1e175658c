"""Identifiers, keyed hashes and signed cursors."""

import json

import pytest
from comments.domain import hmac_keys, reading
from comments.domain.errors import BadRequest
from comments.domain.ids import is_article_id, is_comment_id, new_comment_id
from hypothesis import given
from hypothesis import strategies as st

keys = hmac_keys.HmacKeys(b"unit-test-secret")


@pytest.mark.parametrize("good", ["a", "russia-syria-2017", "A.b_c~d-e", "9" * 128])
def test_article_ids_of_the_contract_are_accepted(good):
    assert is_article_id(good)


@pytest.mark.parametrize("bad", ["", "-a", ".hidden", "a" * 129, "a/b", "a b", "..", "é", "a\n"])
def test_other_article_ids_are_refused(bad):
    assert not is_article_id(bad)


def test_comment_ids_sort_by_time():
    ids = [new_comment_id(ms) for ms in (1_000, 2_000, 1_764_000_000_000)]
    assert ids == sorted(ids)
    assert all(is_comment_id(i) for i in ids)


def test_author_id_is_stable_for_case_and_spaces_and_hides_the_email():
    a = keys.author_id("Ada@Example.org ")
    assert a == keys.author_id("ada@example.org")
    assert "ada" not in a and len(a) == 32


def test_edit_token_is_derived_and_checked_in_constant_time():
    token = keys.edit_token("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    stored = keys.edit_token_hash(token)
    assert keys.edit_token_matches(token, stored)
    assert not keys.edit_token_matches(token + "x", stored)
    assert token not in stored


def test_a_cursor_round_trips_for_its_article_only():
    cursor = reading.encode_cursor(keys, "art-1", {"pk": "C#X", "gsi1pk": "A#art-1", "gsi1sk": "t#X"})
    assert reading.decode_cursor(keys, "art-1", cursor)["gsi1sk"] == "t#X"
    with pytest.raises(BadRequest):
        reading.decode_cursor(keys, "art-2", cursor)


@given(st.text(max_size=300))
def test_no_forged_cursor_is_accepted(text):
    with pytest.raises(BadRequest):
        reading.decode_cursor(keys, "art-1", text)


@given(st.dictionaries(st.sampled_from(["pk", "gsi1pk", "gsi1sk"]), st.text(max_size=30), min_size=1))
def test_a_tampered_cursor_payload_is_refused(key):
    cursor = reading.encode_cursor(keys, "art-1", {"pk": "C#X", "gsi1pk": "A#art-1", "gsi1sk": "t#X"})
    _, mac = cursor.split(".")
    forged = hmac_keys._b64(json.dumps({"a": "art-1", "k": key}).encode()) + "." + mac
    if forged != cursor:
        with pytest.raises(BadRequest):
            reading.decode_cursor(keys, "art-1", forged)


def test_keys_of_another_secret_verify_nothing_of_this_one():
    cursor = reading.encode_cursor(keys, "art-1", {"pk": "C#X", "gsi1pk": "A#art-1", "gsi1sk": "t#X"})
    other = hmac_keys.HmacKeys(b"another-deployment")
    with pytest.raises(BadRequest):
        reading.decode_cursor(other, "art-1", cursor)
    assert other.author_id("ada@example.org") != keys.author_id("ada@example.org")
