"""Helpers the tests share (importable: `tests` is on pytest's pythonpath)."""


def reset() -> None:
    """Clients, settings and keys are built once per container; a test is a new container."""
    from comments import keys, runtime, settings, submissions
    from comments.adapters import dynamo, queue

    for fn in (
        settings.settings,
        keys._root,
        keys._key,
        runtime.table,
        dynamo.client,
        queue.client,
        submissions._idempotent,
    ):
        fn.cache_clear()
    runtime._last_good.clear()
