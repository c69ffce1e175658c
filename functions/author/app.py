"""PATCH and DELETE /articles/{articleId}/comments/{commentId}: the author's own comment."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments import author_api
from comments.http import install_error_handlers, response

logger = Logger()
app = APIGatewayHttpResolver()
install_error_handlers(app, logger)


@app.patch("/articles/<articleId>/comments/<commentId>")
def edit(articleId: str, commentId: str):
    return response(200, author_api.edit(articleId, commentId, app.current_event.raw_event))


@app.delete("/articles/<articleId>/comments/<commentId>")
def delete(articleId: str, commentId: str):
    author_api.delete(articleId, commentId, app.current_event.raw_event)
    return response(204, None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
