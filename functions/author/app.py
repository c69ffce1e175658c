"""PATCH and DELETE /articles/{articleId}/comments/{commentId}: the author's own comment."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments.api import author as api

logger = Logger()
app = APIGatewayHttpResolver()
api.install_error_handlers(app, logger)


@app.patch("/articles/<articleId>/comments/<commentId>")
def edit(articleId: str, commentId: str):
    return api.edit(articleId, commentId, app.current_event.raw_event)


@app.delete("/articles/<articleId>/comments/<commentId>")
def delete(articleId: str, commentId: str):
    return api.delete(articleId, commentId, app.current_event.raw_event)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return api.resolve(app, event, context)
