"""DynamoDB stream -> SQS moderation queue (held comments) and EventBridge (every lifecycle
change), with partial batch failures so a record that fails is handed back, not lost."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from comments import relay
from comments.adapters import events, queue
from comments.settings import settings

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record) -> None:
    change = relay.StreamChange(record.raw_event)
    comment = relay.newly_held(change)
    if comment is not None:
        message = relay.held_message(comment)
        queue.send(settings().queue_url or "", message.model_dump_json(), {"commentId": comment.id})
        logger.info("queued held comment", extra={"commentId": comment.id})
    entry = relay.lifecycle_event(change)
    if entry is not None and settings().event_bus_name:
        events.publish(settings().event_bus_name or "", entry)
        logger.info("published event", extra={"detailType": entry["DetailType"]})
    figures = relay.decision_figures(change)
    if figures is not None:
        _count_decision(figures)


def _count_decision(figures: dict) -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    metrics.add_metric(name="TimeToDecision", unit=MetricUnit.Seconds, value=figures["seconds"])
    for name, dimension in (("Decisions", "outcome"), ("DecisionsByModerator", "moderator")):
        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
            metric.add_dimension(name=dimension, value=str(figures[dimension]))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
