"""Runs the configured classifiers (`comments.domain.classifiers`) together, each within its time
budget: a classifier that has not answered when its budget is spent, or that fails, says nothing,
and the rules alone decide. Each such miss is one log line and one metric
(`ClassifierUnavailable`, dimensions `classifier` and `reason`), never an error for the writer.

Imported only when a classifier is configured (`Runtime.screen`).
"""

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from comments.domain.classifiers import (
    Classifier,
    ClassifierUnavailable,
    Finding,
    Screened,
    ToScreen,
    Unavailability,
)


def report_unavailable(classifier: str, reason: str) -> None:
    """One log line (a warning: the rules alone decided) and one metric."""
    import logging

    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    service = os.environ.get("POWERTOOLS_SERVICE_NAME", "comments")
    logging.getLogger(f"{service}.classifiers").warning(
        "classifier unavailable; the rules alone decided", extra={"classifier": classifier, "reason": reason}
    )
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "CommentService")
    with single_metric(
        name="ClassifierUnavailable", unit=MetricUnit.Count, value=1, namespace=namespace
    ) as metric:
        metric.add_dimension(name="classifier", value=classifier)
        metric.add_dimension(name="reason", value=reason)


class ClassifierPanel:
    """The port `Screen`: every configured classifier asked at once, each waited for until its own
    budget is spent (so the slowest budget bounds the wait, not their sum)."""

    def __init__(
        self,
        classifiers: Sequence[Classifier],
        on_unavailable: Callable[[str, str], None] = report_unavailable,
    ) -> None:
        self.classifiers = list(classifiers)
        self.on_unavailable = on_unavailable
        self._pool: ThreadPoolExecutor | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.classifiers]

    def _workers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            # Room for a call that overran its budget (still finishing in the background) and the
            # next request's call.
            self._pool = ThreadPoolExecutor(
                max_workers=4 * len(self.classifiers), thread_name_prefix="classifier"
            )
        return self._pool

    def screen(self, comment: ToScreen) -> Screened:
        started = time.monotonic()
        pool = self._workers()
        asked = [(c, pool.submit(c.classify, comment)) for c in self.classifiers]
        findings: list[Finding] = []
        unavailable: list[tuple[str, Unavailability]] = []
        for classifier, future in asked:
            left = started + classifier.budget_seconds - time.monotonic()
            try:
                findings.append(future.result(timeout=max(0.0, left)))
            except FutureTimeout:
                future.cancel()
                unavailable.append((classifier.name, "timeout"))
            except ClassifierUnavailable as exc:
                unavailable.append((classifier.name, exc.reason))
            except Exception:
                unavailable.append((classifier.name, "error"))
        for name, reason in unavailable:
            self.on_unavailable(name, reason)
        return Screened(tuple(findings), tuple(unavailable))


def build(settings: Any, session: Any, secret: Callable[[str], bytes]) -> ClassifierPanel | None:
    """The panel of the classifiers `settings` configures (None: none is), importing only theirs."""
    classifiers: list[Classifier] = []
    if settings.toxicity_threshold > 0:
        from comments.adapters.comprehend import ComprehendToxicity

        classifiers.append(
            ComprehendToxicity(settings.toxicity_threshold, settings.toxicity_budget_ms / 1000, session)
        )
    if settings.akismet_secret_arn:
        from comments.adapters.akismet import AkismetSpam

        arn = settings.akismet_secret_arn
        classifiers.append(AkismetSpam(lambda: secret(arn), settings.akismet_budget_ms / 1000))
    return ClassifierPanel(classifiers) if classifiers else None
