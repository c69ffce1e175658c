"""DynamoDB stream -> SQS moderation queue (held comments), EventBridge (every lifecycle change)
and the articles' comment counts, with partial batch failures so a record that fails is handed
back, not lost."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from comments.api import relay as api

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _counted(relayed, record, into: dict) -> None:
    if relayed.count is not None:
        into[record.event_id] = (record.dynamodb.sequence_number, relayed.count)


def _count_decision(figures: dict) -> None:
    metrics.add_metric(name="TimeToDecision", unit=MetricUnit.Seconds, value=figures["seconds"])
    for name, dimension in (("Decisions", "outcome"), ("DecisionsByModerator", "moderator")):
        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
            metric.add_dimension(name=dimension, value=str(figures[dimension]))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    counts: dict = {}  # stream record id -> (sequence number, (article, delta))

    def record_handler(record) -> None:
        relayed = api.relay_record(record.raw_event)
        if relayed.queued:
            logger.info("queued held comment", extra={"commentId": relayed.queued})
        if relayed.event:
            logger.info("published event", extra={"detailType": relayed.event})
        if relayed.decision is not None:
            _count_decision(relayed.decision)
        _counted(relayed, record, counts)

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    # The counts of the records relayed, for the whole batch at once (one write per article);
    # a change that could not be counted is handed back with the records that failed.
    not_counted = api.count([(record, change) for record, (_, change) in counts.items()])
    if not_counted:
        logger.warning("counts not applied; records handed back", extra={"records": len(not_counted)})
        failures = response.setdefault("batchItemFailures", [])
        failures += [{"itemIdentifier": counts[record][0]} for record in not_counted]
    return response
