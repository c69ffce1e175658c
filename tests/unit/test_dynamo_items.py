"""Items written by the adapters: the direct serialiser writes exactly what boto3's TypeSerializer
would, for a stored comment and for every other type a value can have."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeSerializer
from comments.adapters import comment_table
from comments.adapters.dynamo import from_item, to_item
from tests_support import stored_comment


def boto3_item(values):
    ser = TypeSerializer()
    return {k: ser.serialize(v) for k, v in values.items() if v is not None}


@pytest.mark.parametrize("status", ["published", "pending"])
def test_a_stored_comment_is_written_as_boto3_would_write_it(monkeypatch, status):
    # Given a comment with hits, spans and history, as the submit path stores it
    body = "Sources: https://a.example.com/1 https://b.example.org/2 https://c.example.net/3"
    comment = stored_comment(status, body=body)
    assert comment.hits and comment.hits[0]["spans"]
    # When its item is written by the adapter, and again with boto3's TypeSerializer in its place
    item = comment_table.comment_item(comment)
    monkeypatch.setattr(comment_table, "to_item", boto3_item)
    expected = comment_table.comment_item(comment)
    # Then both items are the same, and it reads back as it went in (as JSON: a span's tuple
    # comes back as a list)
    assert item == expected
    assert comment_table.comment_from_item(item).model_dump(mode="json") == comment.model_dump(mode="json")


@pytest.mark.parametrize(
    "value",
    [
        "text",
        "",
        0,
        -12,
        10**30,
        True,
        False,
        [1, "a", None, {"k": [True]}],
        ("tuple", 2),
        {"nested": {"deeper": [{"x": None}]}},
        Decimal("1.5"),
        {"a", "b"},
        {1, 2},
        b"bytes",
        Binary(b"x"),
    ],
    ids=repr,
)
def test_every_kind_of_value_is_written_as_boto3_would_write_it(value):
    assert to_item({"v": value, "gone": None}) == boto3_item({"v": value})


def test_values_read_back_as_they_went_in():
    values = {"s": "x", "n": 3, "b": True, "l": [1, "a", {"m": False}], "m": {"k": "v"}}
    assert from_item(to_item(values)) == values


def test_a_float_is_refused_as_boto3_refuses_it():
    with pytest.raises(TypeError):
        to_item({"v": 1.5})
