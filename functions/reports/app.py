"""POST /articles/{articleId}/comments/{commentId}/reports: a reader flags a published comment."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments.api import reports as api

logger = Logger()
app = APIGatewayHttpResolver()
api.install_error_handlers(app, logger)


@app.post("/articles/<articleId>/comments/<commentId>/reports")
def report(articleId: str, commentId: str):
    return api.report(articleId, commentId, app.current_event.raw_event)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return api.resolve(app, event, context)
