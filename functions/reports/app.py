"""POST /articles/{articleId}/comments/{commentId}/reports: a reader flags a published comment."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments import reports
from comments.http import install_error_handlers, response

logger = Logger()
app = APIGatewayHttpResolver()
install_error_handlers(app, logger)


@app.post("/articles/<articleId>/comments/<commentId>/reports")
def report(articleId: str, commentId: str):
    event = app.current_event
    reports.receive(articleId, commentId, event.raw_event, event.request_context.http.source_ip)
    return response(202, {"status": "received"})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
