"""Reading a request body: every hostile shape becomes a clean contract error."""

import base64
import json

import pytest
from comments.api.http import MAX_BODY_BYTES, json_object
from comments.domain.errors import BadRequest, PayloadTooLarge


def event(body: bytes | str | None, b64: bool = False) -> dict:
    if isinstance(body, bytes):
        return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}
    return {"body": body, "isBase64Encoded": b64}


def test_a_json_object_is_read():
    assert json_object(event('{"a": "b"}')) == {"a": "b"}


def test_exactly_32_kib_is_allowed_and_one_byte_more_is_too_large():
    pad = MAX_BODY_BYTES - len('{"a":""}')
    assert json_object(event('{"a":"' + "x" * pad + '"}'))["a"] == "x" * pad
    with pytest.raises(PayloadTooLarge):
        json_object(event('{"a":"' + "x" * (pad + 1) + '"}'))


def test_size_is_counted_in_bytes_not_characters():
    with pytest.raises(PayloadTooLarge):
        json_object(event(json.dumps({"a": "é" * 20000}, ensure_ascii=False)))


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "   ",
        "null",
        "[]",
        "1",
        '"s"',
        "{",
        '{"a": 1,}',
        "[" * 20000,
        b"\xc3\x28",
        b"\xff",
        '{"a": 1, "a": 2}',
        '{"a": Infinity}',
        "not base64!",
    ],
)
def test_hostile_bodies_are_bad_requests(body):
    with pytest.raises(BadRequest):
        json_object(event(body, b64=body == "not base64!"))
