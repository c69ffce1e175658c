"""The service secret, from Secrets Manager (created by the template), read once per container."""

from typing import Any


def read_secret(secret_arn: str, session: Any = None) -> bytes:
    """The secret's value. Through Powertools Parameters with a client of the default (or the
    given) session: Powertools' get_secret() would build its client on a new boto3 Session, which
    loads botocore's data files again (~45 ms of CPU at a cold start); a client of the default
    session shares what the DynamoDB client has loaded already."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from comments.adapters import aws

    provider = SecretsProvider(boto3_client=aws.client("secretsmanager", session))
    return str(provider.get(secret_arn, max_age=3600)).encode()
