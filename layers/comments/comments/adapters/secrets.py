"""The service secret, from Secrets Manager (created by the template), read once per container."""

from typing import Any


def read_secret(secret_arn: str, session: Any = None) -> bytes:
    """The secret's current value: one GetSecretValue call, on a client of the default (or the
    given) boto3 session, made once per container by the runtime, which keeps the value.

    Not through Powertools Parameters: its caching and transforms serve a value read again and
    again, and importing it costs about 9 ms of CPU at every cold start (`bench.coldstart`)."""
    from comments.adapters import aws

    client = aws.client(
        "secretsmanager",
        session,
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
    )
    return str(client.get_secret_value(SecretId=secret_arn)["SecretString"]).encode()
