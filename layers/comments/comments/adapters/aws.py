"""What every AWS client of the service shares: its botocore Config."""

from typing import Any


def client(service: str, **options: Any) -> Any:
    """A boto3 client for `service` with the given botocore Config options and a fixed User-Agent.

    botocore builds its User-Agent header anew for every request (about 45 us of string
    sanitising per call on this machine, more than the rest of a DynamoDB request's client-side
    work); a `user_agent` given in the Config is sent as it is. It still names the SDK and its
    version, and Powertools' own suffix is still appended."""
    import boto3
    import botocore
    from botocore.config import Config

    agent = f"comments-service Boto3/{boto3.__version__} Botocore/{botocore.__version__}"
    make: Any = boto3.client  # the service name is a plain str here, not one of the stubs' literals
    return make(service, config=Config(user_agent=agent, **options))
