"""What every AWS client of the service shares: its botocore Config."""

import threading
from typing import Any

# boto3's default session is not safe for creating clients from several threads at once (its
# loaders and credential resolution are shared, unlocked state). Lambda runs one request at a
# time, but the local stack and the tests run many: clients are created one at a time.
_creating = threading.Lock()


def client(service: str, session: Any = None, **options: Any) -> Any:
    """A boto3 client for `service` with the given botocore Config options and a fixed User-Agent,
    from `session` (a boto3 Session: the operator tools' profile and region) or boto3's default.

    botocore builds its User-Agent header anew for every request (about 45 us of string
    sanitising per call on this machine, more than the rest of a DynamoDB request's client-side
    work); a `user_agent` given in the Config is sent as it is. It still names the SDK and its
    version, and Powertools' own suffix is still appended."""
    import boto3
    import botocore
    from botocore.config import Config

    agent = f"comments-service Boto3/{boto3.__version__} Botocore/{botocore.__version__}"
    # The service name is a plain str here, not one of the stubs' literals.
    make: Any = session.client if session is not None else boto3.client
    with _creating:
        return make(service, config=Config(user_agent=agent, **options))
