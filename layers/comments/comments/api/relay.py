"""functions/relay: the table's change stream to the moderation queue (held comments) and the
event bus (every lifecycle change), record by record, through the domain's `relay`."""

from typing import Any

from comments.api import runtime
from comments.domain import relay

__all__ = ["count", "relay_record"]


def relay_record(record: dict[str, Any]) -> relay.Relayed:
    """Relay one stream record (as the DynamoDB Streams event holds it). Raises when the queue
    or the bus fails: the batch processor reports the record, and the stream hands it back."""
    from comments.adapters.dynamo import from_item

    rt = runtime.current()
    return relay.relay(relay.StreamChange(record, from_item), rt.queue, rt.events)


def count(changes: list[tuple[str, tuple[str, int]]]) -> list[str]:
    """Move the articles' counts for a batch's relayed changes, (stream record id, (article,
    delta)) each, exactly once however often the stream delivers them; returns the record ids
    whose change could not be applied (to be handed back)."""
    if not changes:
        return []
    rt = runtime.current()
    return rt.table.count_changes(
        [(record, article, delta) for record, (article, delta) in changes], int(rt.now().timestamp())
    )
