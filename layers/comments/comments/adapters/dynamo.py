"""The DynamoDB client, with short timeouts so a throttled or unreachable table becomes a fast
503 instead of a hung Lambda, and items written and read as plain values."""

from functools import cache
from typing import Any


def new_client(session: Any = None) -> Any:
    from comments.adapters import aws

    return aws.client(
        "dynamodb",
        session,
        # Three tries in all, of at most 1 s to connect and 2 s to answer (DynamoDB answers
        # in milliseconds): a stalled table is a 503 within the function's 10 s, not a timeout.
        retries={"mode": "standard", "total_max_attempts": 3},
        connect_timeout=1,
        read_timeout=2,
        tcp_keepalive=True,
        # The adapter builds every request itself; botocore's client-side check of each
        # parameter is ~100 us per call on the hot path (make bench). DynamoDB still validates.
        parameter_validation=False,
    )


@cache
def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


@cache
def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item from plain values (top-level None left out), as boto3's TypeSerializer
    writes it. The types a comment is made of are written here directly (TypeSerializer's
    checks cost about 50 us per comment on the submit path); any other goes to TypeSerializer."""
    return {k: _attribute(v) for k, v in values.items() if v is not None}


def _attribute(value: Any) -> dict[str, Any]:
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int:
        return {"N": str(value)}
    if kind is bool:
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if kind is dict:
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    if kind is list or kind is tuple:
        return {"L": [_attribute(v) for v in value]}
    return dict(_serializer().serialize(value))


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    de = _deserializer()
    out = {}
    for k, v in item.items():
        value = de.deserialize(v)
        out[k] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)
_RETRYABLE_CANCELLATIONS = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"}
)


def is_throttling(exc: BaseException) -> bool:
    """DynamoDB throttled, overloaded or unreachable: the request may be retried."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code")
        if code == "TransactionCanceledException":
            # A transaction cancelled for capacity or a conflicting transaction wrote nothing:
            # retryable, like a throttled single-item call (a failed condition is not).
            reasons = {str(r.get("Code")) for r in exc.response.get("CancellationReasons", []) if r}
            return bool(reasons & _RETRYABLE_CANCELLATIONS)
        return code in _THROTTLED
    return isinstance(exc, ConnectionError | HTTPClientError)
