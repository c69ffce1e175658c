"""The EventBridge bus for comment lifecycle events: the client, created once, lazily."""

from functools import cache
from typing import Any


@cache
def client() -> Any:
    from comments.adapters import aws

    return aws.client(
        "events", retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5
    )


class EventPublishFailed(Exception):
    """EventBridge refused an entry: the stream record is retried."""


def publish(bus_name: str, entry: dict[str, Any]) -> None:
    reply = client().put_events(Entries=[{**entry, "EventBusName": bus_name}])
    if reply.get("FailedEntryCount"):
        raise EventPublishFailed(reply["Entries"][0].get("ErrorCode", "unknown"))
