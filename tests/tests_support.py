"""Helpers the tests share (importable: `tests` is on pytest's pythonpath)."""


def reset() -> None:
    """Clients, settings and keys are built once per container; a test is a new container."""
    from comments import keys, moderation_api, runtime, settings, submissions
    from comments.adapters import dynamo, events, queue

    for fn in (
        settings.settings,
        keys._root,
        keys._key,
        runtime.table,
        runtime._ssm,
        dynamo.client,
        queue.client,
        events.client,
        submissions._idempotent,
        moderation_api.queue,
        moderation_api.dead_letters,
    ):
        fn.cache_clear()
    runtime._last_good.clear()
    # Powertools Parameters keeps its SSM / Secrets Manager clients (and their endpoints) per process.
    from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS

    DEFAULT_PROVIDERS.clear()


_CONSONANTS = "bcdfghjkmnpqrstvwxz"


def unique_tag(length: int = 10) -> str:
    """A random tag for test texts that no policy rule can fire on: consonants only (a hex tag
    can be ten digits, which reads as a phone number and holds the comment)."""
    import secrets

    return "".join(secrets.choice(_CONSONANTS) for _ in range(length))
