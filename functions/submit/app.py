"""POST /articles/{articleId}/comments and POST /articles/{articleId}/comments/validate."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments import submissions
from comments.errors import NotFound
from comments.http import install_error_handlers, response
from comments.ids import is_article_id

logger = Logger()
metrics = Metrics()
app = APIGatewayHttpResolver()
install_error_handlers(app, logger)


def _article(article_id: str) -> str:
    if not is_article_id(article_id):
        raise NotFound()
    return article_id


@app.post("/articles/<articleId>/comments")
def submit(articleId: str):
    status, body = submissions.submit(
        _article(articleId),
        app.current_event.raw_event,
        app.current_event.request_context.http.source_ip,
        lambda_context=app.lambda_context,
        metrics=metrics,
    )
    return response(status, body)


@app.post("/articles/<articleId>/comments/validate")
def validate(articleId: str):
    body = submissions.validate(
        _article(articleId), app.current_event.raw_event, app.current_event.request_context.http.source_ip
    )
    return response(200, body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
