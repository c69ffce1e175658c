"""functions/reports: a reader flags a published comment, between the HTTP event and the domain's
`reports`."""

from typing import Any

from comments.api import runtime
from comments.api.http import install_error_handlers, parse_body, resolve, response, source_ip
from comments.domain import reports
from comments.domain.errors import NotFound
from comments.domain.ids import is_article_id, is_comment_id
from comments.domain.requests import ReportIn

__all__ = ["install_error_handlers", "report", "resolve"]


def report(article_id: str, comment_id: str, event: dict[str, Any]) -> Any:
    """202 {"status": "received"}: counted once per client."""
    if not is_article_id(article_id) or not is_comment_id(comment_id):
        raise NotFound()
    _, body = parse_body(ReportIn, event)
    rt = runtime.current()
    keys, client = rt.keys, source_ip(event)
    reports.report(
        rt.policy(),
        rt.table,
        article_id=article_id,
        comment_id=comment_id,
        client_id=keys.client_id(client),
        reason=body.reason,
        now=rt.now(),
        older_client_ids=tuple(keys.client_id(client, v) for v in keys.older),
    )
    return response(202, {"status": "received"})
