"""DynamoDB stream -> SQS moderation queue (held comments), EventBridge (every lifecycle change),
the running tallies (articles' counts, policy statistics, authors' records) and the classifiers'
feedback, with partial batch failures so a record that fails is handed back, not lost.

Order within a batch: the tallies of every record first (exactly once each, whatever the
stream delivers again), then each record is relayed in stream order, and from the first record
that fails on, none is: the stream hands back everything from that record, so a record is never
sent twice because one after it failed, nor because its tally could not be applied."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from comments.api import relay as api

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class HandedBack(Exception):
    """The record is not relayed now: the stream delivers it again."""


def _count_decision(figures: dict) -> None:
    metrics.add_metric(name="TimeToDecision", unit=MetricUnit.Seconds, value=figures["seconds"])
    for name, dimension in (("Decisions", "outcome"), ("DecisionsByModerator", "moderator")):
        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
            metric.add_dimension(name=dimension, value=str(figures[dimension]))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    records = event.get("Records") or []
    prepared = api.prepare(records)  # stream record id -> (tally, feedback); unreadable ones left out
    applied = api.apply_tallies([(rid, p.tally) for rid, p in prepared.items() if p.tally is not None])
    if applied.failed:
        logger.warning("tallies not applied; records handed back", extra={"records": len(applied.failed)})
    not_applied = set(applied.failed)
    failed_before = False

    def record_handler(record) -> None:
        nonlocal failed_before
        if failed_before:
            raise HandedBack("an earlier record of the batch was handed back")
        try:
            if record.event_id in not_applied:
                raise HandedBack("its tally could not be applied")
            relayed = api.relay_record(record.raw_event)
        except Exception:
            failed_before = True
            raise
        if relayed.queued:
            logger.info("queued held comment", extra={"commentId": relayed.queued})
        if relayed.event:
            logger.info("published event", extra={"detailType": relayed.event})
        if relayed.decision is not None:
            _count_decision(relayed.decision)

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    # Feedback for the decisions applied now (not for a record delivered again).
    owed = [prepared[r].feedback for r in applied.applied if prepared[r].feedback is not None]
    reported, _ = api.report_decisions(owed)
    if reported:
        logger.info("reported decisions to Akismet", extra={"reported": reported})
    return response
