"""functions/relay: the table's change stream to the moderation queue (held comments) and the
event bus (every lifecycle change), record by record, through the domain's `relay`."""

from typing import Any

from comments.api import runtime
from comments.domain import relay

__all__ = ["relay_record"]


def relay_record(record: dict[str, Any]) -> relay.Relayed:
    """Relay one stream record (as the DynamoDB Streams event holds it). Raises when the queue
    or the bus fails: the batch processor reports the record, and the stream hands it back."""
    from comments.adapters.dynamo import from_item

    rt = runtime.current()
    return relay.relay(relay.StreamChange(record, from_item), rt.queue, rt.events)
