"""The EventBridge bus for comment lifecycle events."""

from typing import Any


def new_client(session: Any = None) -> Any:
    from comments.adapters import aws

    return aws.client(
        "events", session, retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5
    )


class EventPublishFailed(Exception):
    """EventBridge refused an entry: the stream record is retried."""


class EventBridgeBus:
    """One bus, by name: the domain's EventBus port."""

    def __init__(self, name: str, client: Any) -> None:
        self.name = name
        self.client = client

    def publish(self, entry: dict[str, Any]) -> None:
        reply = self.client.put_events(Entries=[{**entry, "EventBusName": self.name}])
        if reply.get("FailedEntryCount"):
            raise EventPublishFailed(reply["Entries"][0].get("ErrorCode", "unknown"))
