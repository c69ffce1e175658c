"""DynamoDB stream -> SQS moderation queue (held comments), EventBridge (every lifecycle change),
the running tallies (articles' counts, policy statistics, authors' records) and the classifiers'
feedback, with partial batch failures so a record that fails is handed back, not lost."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from comments.api import relay as api

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _count_decision(figures: dict) -> None:
    metrics.add_metric(name="TimeToDecision", unit=MetricUnit.Seconds, value=figures["seconds"])
    for name, dimension in (("Decisions", "outcome"), ("DecisionsByModerator", "moderator")):
        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
            metric.add_dimension(name=dimension, value=str(figures[dimension]))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    tallies: dict = {}  # stream record id -> (sequence number, tally)
    feedback: dict = {}  # stream record id -> what to tell a classifier

    def record_handler(record) -> None:
        relayed = api.relay_record(record.raw_event)
        if relayed.queued:
            logger.info("queued held comment", extra={"commentId": relayed.queued})
        if relayed.event:
            logger.info("published event", extra={"detailType": relayed.event})
        if relayed.decision is not None:
            _count_decision(relayed.decision)
        if relayed.tally is not None:
            tallies[record.event_id] = (record.dynamodb.sequence_number, relayed.tally)
        if relayed.feedback is not None:
            feedback[record.event_id] = relayed.feedback

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    # The tallies of the records relayed, for the whole batch at once (one write per item); a
    # record whose tally could not be applied is handed back with the records that failed.
    applied = api.apply_tallies([(record, tally) for record, (_, tally) in tallies.items()])
    if applied.failed:
        logger.warning("tallies not applied; records handed back", extra={"records": len(applied.failed)})
        failures = response.setdefault("batchItemFailures", [])
        failures += [{"itemIdentifier": tallies[record][0]} for record in applied.failed]
    # Feedback for the decisions applied now (not for a record delivered again).
    reported, _ = api.report_decisions([feedback[r] for r in applied.applied if r in feedback])
    if reported:
        logger.info("reported decisions to Akismet", extra={"reported": reported})
    return response
