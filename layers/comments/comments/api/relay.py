"""functions/relay: the table's change stream to the moderation queue (held comments), the event
bus (every lifecycle change), the running tallies and the classifiers' feedback, record by record,
through the domain's `relay`."""

from typing import TYPE_CHECKING, Any

from comments.api import runtime
from comments.domain import relay

if TYPE_CHECKING:
    from comments.adapters.tallies import Applied
    from comments.domain.tallies import Tally

__all__ = ["apply_tallies", "prepare", "relay_record", "report_decisions"]


def relay_record(record: dict[str, Any]) -> relay.Relayed:
    """Relay one stream record (as the DynamoDB Streams event holds it). Raises when the queue
    or the bus fails: the batch processor reports the record, and the stream hands it back."""
    from comments.adapters.dynamo import from_item

    rt = runtime.current()
    return relay.relay(relay.StreamChange(record, from_item), rt.queue, rt.events)


def prepare(records: list[dict[str, Any]]) -> dict[str, relay.Prepared]:
    """Each stream record's tally and classifier feedback, by record id (nothing is sent). A
    record that cannot be read is left out: relaying it fails too, and the stream hands it back."""
    import logging

    from comments.adapters.dynamo import from_item

    prepared: dict[str, relay.Prepared] = {}
    for record in records:
        try:
            prepared[str(record["eventID"])] = relay.prepare(relay.StreamChange(record, from_item))
        except Exception:
            logging.getLogger(__name__).warning("stream record unreadable", exc_info=True)
    return prepared


def apply_tallies(tallies: list[tuple[str, "Tally"]]) -> "Applied":
    """Apply a batch's tallies, (stream record id, tally) each: the articles' counts, the policy
    statistics and the authors' records, exactly once however often the stream delivers a
    record. Returns the records applied now, and those that could not be (to be handed back)."""
    from comments.adapters.tallies import Applied

    if not tallies:
        return Applied()
    rt = runtime.current()
    return rt.table.apply_tallies(tallies, int(rt.now().timestamp()))


def report_decisions(feedback: list[relay.Feedback], budget_seconds: float = 3.0) -> tuple[int, int]:
    """Tell Akismet what moderators decided about the comments it judged (approved: ham,
    rejected: spam), each within its time budget and all within `budget_seconds` (the batch
    must end well within the function's timeout); called once a decision's record is applied,
    so a record delivered again reports nothing again. A report that fails, or that the budget
    leaves out, is logged and counted (`ClassifierUnavailable`), never retried through the
    stream: it must not hold up the queue. Returns (reported, failed)."""
    if not feedback:
        return 0, 0
    akismet = runtime.current().akismet()
    if akismet is None:
        return 0, 0
    import time

    from comments.adapters.classifiers import report_unavailable
    from comments.domain.classifiers import ClassifierUnavailable

    reported = failed = 0
    deadline = time.monotonic() + budget_seconds
    for item in feedback:
        comment = item.comment
        if time.monotonic() >= deadline:
            report_unavailable("akismet", "timeout")
            failed += 1
            continue
        try:
            akismet.report(item.verdict, body=comment.body, name=comment.name, created_at=comment.createdAt)
            reported += 1
        except ClassifierUnavailable as exc:
            report_unavailable("akismet", exc.reason)
            failed += 1
        except Exception:
            report_unavailable("akismet", "error")
            failed += 1
    return reported, failed
