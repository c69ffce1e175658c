"""The SQS moderation queue: the SQS client, created once per container, lazily."""

from functools import cache
from typing import Any


@cache
def client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "sqs", config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)
    )


def send(queue_url: str, body: str, attributes: dict[str, str] | None = None) -> str:
    kwargs: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": body}
    if attributes:
        kwargs["MessageAttributes"] = {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}
    return str(client().send_message(**kwargs)["MessageId"])
