"""The SQS moderation queue: the SQS client, created once per container, lazily."""

from functools import cache
from typing import Any


@cache
def client() -> Any:
    from comments.adapters import aws

    return aws.client(
        "sqs", retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5
    )


def send(queue_url: str, body: str, attributes: dict[str, str] | None = None) -> str:
    kwargs: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": body}
    if attributes:
        kwargs["MessageAttributes"] = {
            k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
        }
    return str(client().send_message(**kwargs)["MessageId"])


def receive(queue_url: str, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
    reply = client().receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=max_messages,
        VisibilityTimeout=visibility_seconds,
        WaitTimeSeconds=0,
        MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
    )
    return list(reply.get("Messages", []))


def delete(queue_url: str, receipt_handle: str) -> bool:
    """True if SQS took the deletion; an expired or unknown receipt is not an error here."""
    from botocore.exceptions import ClientError

    try:
        client().delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)
    except ClientError:
        return False
    return True


def release(queue_url: str, receipt_handle: str) -> None:
    """Give a claimed message back to the queue now (a moderator skipped it)."""
    from botocore.exceptions import ClientError

    try:
        client().change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=0
        )
    except ClientError:
        pass


def depth(queue_url: str) -> dict[str, int]:
    attrs = client().get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return {
        "waiting": int(attrs["ApproximateNumberOfMessages"]),
        "claimed": int(attrs["ApproximateNumberOfMessagesNotVisible"]),
    }


class SqsQueue:
    """One queue, by URL: the moderation domain's Queue protocol."""

    def __init__(self, url: str) -> None:
        self.url = url

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        return receive(self.url, max_messages, visibility_seconds)

    def delete(self, receipt_handle: str) -> bool:
        return delete(self.url, receipt_handle)

    def release(self, receipt_handle: str) -> None:
        release(self.url, receipt_handle)

    def depth(self) -> dict[str, int]:
        return depth(self.url)

    def send(self, body: str) -> str:
        return send(self.url, body)
