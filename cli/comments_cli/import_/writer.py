"""Writing the staged comments: batches of one transaction each (see comments.adapters.comment_bulk
for why transactions and not BatchWriteItem), a few in flight at once, never two on the same
article (their items would be written in article order), and a progress bar on a terminal. The
articles' counts follow from the change stream (the relay), as for every comment.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from comments.adapters.comment_bulk import BatchOutcome, CommentBulk, batches
from comments.domain.models import StoredComment

WORKERS = 4


@dataclass
class Written:
    imported: int = 0
    existing: int = 0
    retries: int = 0


class Progress:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise (a log or a pipe
    gets only the summary)."""

    def __init__(self, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        stream = stream or sys.stderr
        self.enabled = stream.isatty() if enabled is None else enabled
        self.stream = stream
        self._bar: Any = None

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        if not self.enabled:
            yield lambda n: None
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(file=self.stream),
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)


def write_all(
    bulk: CommentBulk,
    comments: Iterable[StoredComment],
    advance: Callable[[int], None],
    workers: int = WORKERS,
) -> Written:
    """Every comment not there yet; at most `workers` transactions in flight, none two on the
    same article."""
    result = Written()
    in_flight: dict[Future[BatchOutcome], tuple[set[str], list[StoredComment]]] = {}

    def settle(done: Iterable[Future[BatchOutcome]]) -> None:
        for future in done:
            _articles, batch = in_flight.pop(future)
            outcome = future.result()
            result.imported += len(outcome.written)
            result.existing += len(outcome.existing)
            result.retries += outcome.retries
            advance(len(batch))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import") as pool:
        try:
            for batch in batches(iter(comments)):
                articles = {c.articleId for c in batch}
                while in_flight and (
                    len(in_flight) >= workers or any(articles & busy for busy, _ in in_flight.values())
                ):
                    done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                    settle(done)
                in_flight[pool.submit(bulk.write, batch)] = (articles, batch)
            settle(list(in_flight))
        except BaseException:
            for future in in_flight:
                future.cancel()
            raise
    return result
