"""Items written by the adapters: the direct serialiser writes exactly what boto3's TypeSerializer
would, for a stored comment and for every other type a value can have."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeSerializer
from comments.adapters.dynamo import from_item, to_item


def boto3_item(values):
    ser = TypeSerializer()
    return {k: ser.serialize(v) for k, v in values.items() if v is not None}


def test_a_stored_comment_is_written_as_boto3_would_write_it():
    from comments.adapters.comment_table import comment_item
    from comments.models import StoredComment
    from comments.policy.engine import default_policy, evaluate

    # Given a held comment with hits, spans and history, as the submit path stores it
    body = "Sources: https://a.example.com/1 https://b.example.org/2 https://c.example.net/3"
    verdict = evaluate(default_policy(), body=body, name="Ada")
    comment = StoredComment(
        id="01JD6Z3YQ2W7V9K8M4N5P6R7S8",
        articleId="climate-2026",
        parentId=None,
        name="Ada",
        body=body,
        createdAt="2026-11-25T19:00:00.000Z",
        status="pending",
        authorId="a" * 32,
        clientId="c" * 32,
        verdict=verdict.outcome,
        hits=[h.model_dump(include={"rule", "verdict", "message", "field", "spans"}) for h in verdict.hits],
        policyVersion=verdict.policy_version,
        editTokenHash="e" * 64,
        history=[{"at": "2026-11-25T19:00:00.000Z", "event": "submitted", "status": "pending"}],
    )
    assert comment.hits and comment.hits[0]["spans"]
    values = from_item(comment_item(comment))
    # When it is written as an item
    # Then the attributes are those TypeSerializer gives, and they read back as they went in
    assert to_item(values) == boto3_item(values)
    assert from_item(to_item(values)) == values


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


def test_a_float_is_refused_as_boto3_refuses_it():
    with pytest.raises(TypeError):
        to_item({"v": 1.5})
