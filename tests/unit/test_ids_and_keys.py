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


# -- key versions: rotation without losing what the old key made ----------------------------------
ROOT1, ROOT2 = b"first-root-key", b"second-root-key"
ROTATED = hmac_keys.HmacKeys.from_secret(
    json.dumps({"current": 2, "keys": {"1": ROOT1.decode(), "2": ROOT2.decode()}})
)
BEFORE = hmac_keys.HmacKeys(ROOT1)


def test_version_one_values_are_what_they_always_were():
    import base64
    import hashlib
    import hmac

    def mac(purpose: str, message: str) -> bytes:
        key = hmac.new(ROOT1, purpose.encode(), hashlib.sha256).digest()
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    assert BEFORE.author_id("Ada@Example.org") == mac("author", "ada@example.org").hex()[:32]
    assert BEFORE.client_id("198.51.100.7") == mac("client", "198.51.100.7").hex()[:32]
    token = base64.urlsafe_b64encode(mac("edit-token", "C1")).rstrip(b"=").decode()
    assert BEFORE.edit_token("C1") == token
    assert BEFORE.edit_token_hash(token) == mac("edit-token-hash", token).hex()
    assert hmac_keys.HmacKeys.from_secret(ROOT1.decode()).author_id("a@b.org") == BEFORE.author_id("a@b.org")


def test_after_a_rotation_new_values_carry_the_new_version_and_old_ones_still_verify():
    email = "ada@example.org"
    assert ROTATED.author_id(email).endswith(".2")
    assert ROTATED.author_ids(email) == (ROTATED.author_id(email), BEFORE.author_id(email))
    old_token = BEFORE.edit_token("C1")
    old_hash = BEFORE.edit_token_hash(old_token)
    assert ROTATED.edit_token_matches(old_token, old_hash)
    assert ROTATED.edit_token_for("C1", old_hash) == old_token
    new_token = ROTATED.edit_token("C1")
    assert new_token.endswith(".2") and ROTATED.edit_token_matches(
        new_token, ROTATED.edit_token_hash(new_token)
    )
    # A token of one version never matches the other version's hash
    assert not ROTATED.edit_token_matches(new_token, old_hash)
    assert not ROTATED.edit_token_matches(old_token, ROTATED.edit_token_hash(new_token))
    old_cursor = reading.encode_cursor(BEFORE, "art-1", {"pk": "C#X", "gsi1pk": "A#art-1", "gsi1sk": "t#X"})
    assert reading.decode_cursor(ROTATED, "art-1", old_cursor)["pk"] == "C#X"
    new_cursor = reading.encode_cursor(ROTATED, "art-1", {"pk": "C#Y", "gsi1pk": "A#art-1", "gsi1sk": "t#Y"})
    assert new_cursor.count(".") == 2 and reading.decode_cursor(ROTATED, "art-1", new_cursor)["pk"] == "C#Y"


def test_a_version_mark_cannot_be_moved_to_another_version():
    cursor = reading.encode_cursor(ROTATED, "art-1", {"pk": "C#Y", "gsi1pk": "A#art-1", "gsi1sk": "t#Y"})
    for forged in (
        cursor.removesuffix(".2"),
        cursor.removesuffix(".2") + ".1",
        cursor + "0",
        cursor[:-1] + "3",
    ):
        with pytest.raises(BadRequest):
            reading.decode_cursor(ROTATED, "art-1", forged)


def test_a_retired_version_verifies_nothing():
    retired = hmac_keys.HmacKeys.from_secret(json.dumps({"current": 2, "keys": {"2": ROOT2.decode()}}))
    old_token = BEFORE.edit_token("C1")
    assert not retired.edit_token_matches(old_token, BEFORE.edit_token_hash(old_token))
    with pytest.raises(BadRequest):
        reading.decode_cursor(retired, "art-1", reading.encode_cursor(BEFORE, "art-1", {"pk": "C#X"}))
    assert retired.author_ids("a@b.org") == (retired.author_id("a@b.org"),)


def test_with_one_version_a_lookup_asks_for_one_id():
    assert BEFORE.older == () and BEFORE.author_ids("a@b.org") == (BEFORE.author_id("a@b.org"),)


@pytest.mark.parametrize(
    "secret",
    [
        '{"current": 3, "keys": {"1": "a", "2": "b"}}',  # current not among the keys
        '{"keys": {"1": "a"}}',
        '{"current": 1, "keys": []}',
        '{"current": 1, "keys": {"x": "a"}}',
        '{"current": 0, "keys": {"0": "a"}}',
        '{"current": 1, "keys": {"1": ""}}',
        "{not json",
        "",
    ],
)
def test_a_malformed_secret_is_refused_never_guessed(secret):
    with pytest.raises(ValueError):
        hmac_keys.HmacKeys.from_secret(secret)
