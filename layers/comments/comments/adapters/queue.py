"""An SQS queue (the moderation queue or its dead-letter queue): the domain's Queue port."""

from typing import Any


def new_client(session: Any = None) -> Any:
    from comments.adapters import aws

    return aws.client(
        "sqs", session, retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5
    )


class SqsQueue:
    """One queue, by URL. `wait_seconds`: how long a receive long-polls (0 in Lambda; a person at
    a terminal on AWS waits a moment, since a short poll samples only some SQS servers and can
    come back empty from a small queue that is not empty)."""

    def __init__(self, url: str, client: Any, wait_seconds: int = 0) -> None:
        self.url = url
        self.client = client
        self.wait_seconds = wait_seconds

    def send(self, body: str, attributes: dict[str, str] | None = None, delay_seconds: int = 0) -> str:
        """Send a message, kept out of sight for `delay_seconds` (SQS allows up to 900)."""
        kwargs: dict[str, Any] = {"QueueUrl": self.url, "MessageBody": body}
        if attributes:
            kwargs["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            }
        if delay_seconds:
            kwargs["DelaySeconds"] = delay_seconds
        return str(self.client.send_message(**kwargs)["MessageId"])

    def receive(self, max_messages: int, visibility_seconds: int) -> list[dict[str, Any]]:
        reply = self.client.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=max_messages,
            VisibilityTimeout=visibility_seconds,
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
            MessageAttributeNames=["All"],
        )
        return list(reply.get("Messages", []))

    def delete(self, receipt_handle: str) -> bool:
        """True if SQS took the deletion; an expired or unknown receipt is not an error here."""
        from botocore.exceptions import ClientError

        try:
            self.client.delete_message(QueueUrl=self.url, ReceiptHandle=receipt_handle)
        except ClientError:
            return False
        return True

    def depth(self) -> dict[str, int]:
        """Messages waiting, and messages out of sight: received and not yet deleted, or delayed
        (a moderator's claim is a delayed message; see `domain.moderation`)."""
        attrs = self.client.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return {
            "waiting": int(attrs["ApproximateNumberOfMessages"]),
            "claimed": int(attrs["ApproximateNumberOfMessagesNotVisible"])
            + int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)),
        }
